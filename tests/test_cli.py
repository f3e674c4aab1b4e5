"""Command-line tasks: the demo seed and creating a site admin."""

from __future__ import annotations

import hashlib

import sqlalchemy as sa

from marketplace.demo import DEMO_LOGINS, DEMO_PASSWORD
from marketplace.extensions import db
from marketplace.models import (
    AdoptionRequest,
    Challenge,
    ChallengeStatus,
    JoinRequest,
    MediaJob,
    Organisation,
    OrganisationStatus,
    PitchRole,
    Project,
    ProjectFile,
    ProjectStatus,
    Role,
    School,
    Team,
    User,
    VerificationStatus,
)
from marketplace.privacy import uses_pseudonym
from marketplace.storage import storage


def _count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_seed_demo_fills_an_empty_database(app):
    """Two schools, ~30 students in teams (some under 13), staff and organisations of each kind."""
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert _count(School) == 2
    students = list(db.session.scalars(sa.select(User).filter_by(role=Role.STUDENT)))
    assert 28 <= len(students) <= 36
    assert any(uses_pseudonym(s) for s in students) and not all(uses_pseudonym(s) for s in students)
    assert _count(Team) >= 8
    assert _count(User, User.role == Role.SCHOOL_ADMIN) >= 1
    assert _count(Organisation, Organisation.status == OrganisationStatus.PROSPECT) >= 2
    organisations = list(db.session.scalars(sa.select(Organisation)))
    assert any(o.is_verified_anywhere for o in organisations)
    unverified_active = [
        o
        for o in organisations
        if o.status is OrganisationStatus.ACTIVE
        and all(p.status is VerificationStatus.PENDING for p in o.partnerships)
    ]
    assert len(unverified_active) == 1
    assert _count(JoinRequest) == 1  # a colleague waiting to join a verified organisation
    statuses = set(db.session.scalars(sa.select(Challenge.status)))
    assert statuses == set(ChallengeStatus)
    assert len(set(db.session.scalars(sa.select(Challenge.career_cluster)))) >= 6
    prospects_sponsoring = db.session.scalars(
        sa.select(Challenge)
        .join(Organisation, Challenge.sponsor_id == Organisation.id)
        .where(Organisation.status == OrganisationStatus.PROSPECT)
    ).all()
    assert prospects_sponsoring  # "don't wait for yes"
    assert _count(AdoptionRequest) == 1
    assert 36 <= _count(Project) <= 44
    assert set(db.session.scalars(sa.select(Project.status))) == set(ProjectStatus)
    demo_files = list(db.session.scalars(sa.select(ProjectFile)))
    assert {f.kind for f in demo_files} == {"pdf", "image", "video", "captions"}
    # every published project puts forward a cover and a deck; their images wait for the worker
    published = _count(Project, Project.status == ProjectStatus.PUBLISHED)
    assert sum(f.pitch_role is PitchRole.COVER for f in demo_files) >= published
    assert _count(MediaJob) == sum(f.kind in ("pdf", "image", "video") for f in demo_files)
    for demo_file in demo_files[:4]:  # real bytes in storage, matching the recorded hash
        with storage().open(demo_file.key) as handle:
            assert hashlib.sha256(handle.read()).hexdigest() == demo_file.sha256


def test_seed_demo_if_empty_leaves_existing_data_alone(app, make):
    """`--if-empty` (what `make run` uses) skips a database that has users."""
    make.teacher()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0 and "skipped" in result.output
    assert _count(School) == 1
    assert runner.invoke(args=["seed-demo"]).exit_code != 0


def test_every_printed_demo_login_works(app, client):
    """`make run` prints one login per role; each one logs in."""
    runner = app.test_cli_runner()
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    printed = runner.invoke(args=["demo-logins"]).output
    assert DEMO_PASSWORD in printed
    columns = {
        line.index(login)
        for _role, login in DEMO_LOGINS
        for line in printed.splitlines()
        if line.endswith(f" {login}")
    }
    assert len(columns) == 1  # the logins line up in one column, whatever the labels' lengths
    for _role, login in DEMO_LOGINS:
        assert login in printed
        response = client.post("/auth/login", data={"login": login, "password": DEMO_PASSWORD})
        assert response.status_code == 302 and response.location == "/dashboard", login
        assert client.get("/dashboard").status_code == 200
        client.post("/auth/logout")


def test_create_admin(app, client):
    """`flask create-admin` makes a site admin who can log in; weak passwords are refused."""
    runner = app.test_cli_runner()
    weak = runner.invoke(
        args=[
            "create-admin",
            "--email",
            "root@example.org",
            "--first-name",
            "Robin",
            "--last-name",
            "Hale",
        ],
        input="password\npassword\n",
    )
    assert weak.exit_code != 0 and "common" in weak.output
    result = runner.invoke(
        args=["create-admin", "--email", "Root@Example.org"],
        input="Robin\nHale\na long admin phrase\na long admin phrase\n",
    )
    assert result.exit_code == 0, result.output
    admin = db.session.scalar(sa.select(User).filter_by(email="root@example.org"))
    assert admin.role is Role.SITE_ADMIN
    response = client.post(
        "/auth/login", data={"login": "root@example.org", "password": "a long admin phrase"}
    )
    assert response.status_code == 302
    assert client.get("/admin/schools").status_code == 200
