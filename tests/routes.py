"""The route × role table: what each role must get from every endpoint of the app.

Every endpoint in `app.url_map` must appear here (tests/test_matrix.py fails otherwise), so no
route can be added without deciding who may reach it. Rows about another school's or another
team's rows check ownership, not just the role.

Each row states exactly what every role gets (tests/outcomes.py): the page, a redirect to where,
the log-in page, 403, 404 or 410 — or that the domain refused what the role may otherwise do. A
form is posted as the role that may act would fill it in (FORMS), so "allowed" means it worked.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app

from marketplace.storage import storage

from .factories import PASSWORD, birthday_for_age
from .moderation_rows import mute_of, report_of
from .outcomes import (
    CREATED,
    FORBIDDEN,
    GONE,
    LOGIN,
    NO_CONTENT,
    NOT_FOUND,
    PAGE,
    REFUSED,
    Expect,
    everyone,
    only,
    refused,
    roles,
    signed_in,
    staff,
    to,
)
from .world import PDF, World


def upload_link(row) -> str:
    """The signed local upload URL of a pending file (what files.start hands the browser)."""
    with current_app.test_request_context():
        return storage().upload_target(row.key, 1024).url


def download_link(row) -> str:
    """The signed local download URL of a stored file."""
    with current_app.test_request_context():
        return storage().download_url(row.key, row.filename)


def arrived(row) -> str:
    """The completion URL of a pending upload whose bytes have arrived in storage."""
    storage().write(row.key, [PDF], len(PDF))
    return f"/files/{row.id}/complete"


def student_note(w: World) -> int:
    """A notification of the world's student (the notifications.* rows open it)."""
    from marketplace.extensions import db
    from marketplace.models import Notification

    note = Notification(
        user_id=w.student.id,
        kind="test",
        subject="Hello",
        link="/dashboard",
        idempotency_key=f"matrix-{w.student.id}",
    )
    db.session.add(note)
    db.session.flush()
    return note.id


def student_token(w: World) -> str:
    """The student's signed e-mail preferences token (what every mail links to)."""
    from marketplace.notifications.service import preferences_token

    return preferences_token(w.student)


@dataclass(frozen=True)
class Route:
    endpoint: str
    case: str
    method: str
    path: str | Callable[[World], str]  # formatted with the world: "/classes/{w.class_a.id}"
    expect: Expect
    data: Callable[[World], dict] | None = None  # this row's own form (else FORMS[endpoint])

    @property
    def id(self) -> str:
        return f"{self.endpoint}[{self.case}]"

    def url(self, w: World) -> str:
        return self.path(w) if callable(self.path) else self.path.format(w=w)

    def body(self, w: World) -> dict | bytes | None:
        """What the request sends: for a form, what a role that may act would fill in."""
        if self.method == "GET":
            return None
        form = self.data or FORMS.get(self.endpoint)
        return form(w) if form else None


NEW_PASSWORD = "violet kettle orbit 42"
NEW_PASSWORDS = {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
TODAY = date.today()
OFFER_TERMS = {
    "rung": "mentorship",
    "start_date": (TODAY + timedelta(days=14)).isoformat(),
    "end_date": (TODAY + timedelta(days=42)).isoformat(),
    "days_per_week": "1",
    "hours_per_week": "2",
    "remote": "y",
    "supervisor": "Dr. Patel",
    "respond_by": (TODAY + timedelta(days=7)).isoformat(),
}

# The valid form each endpoint takes: a role that may act gets what success looks like, so an
# allowed row is never a form sent back with errors.
FORMS: dict[str, Callable[[World], dict | bytes]] = {
    "auth.login": lambda w: {"login": w.student.username, "password": PASSWORD},
    "auth.join": lambda w: {
        "class_code": w.class_a.join_code,
        "first_name": "Nia",
        "last_name": "Okafor",
        "username": "nia.okafor",
        "date_of_birth": birthday_for_age(15).isoformat(),
        **NEW_PASSWORDS,
    },
    "auth.signup": lambda w: {
        "email": "sam@newcomer.example",
        "first_name": "Sam",
        "last_name": "Reyes",
        **NEW_PASSWORDS,
    },
    "auth.forgot_password": lambda w: {"email": w.teacher.email},
    "auth.change_password": lambda w: {"current_password": PASSWORD, **NEW_PASSWORDS},
    "auth.accept_invitation": lambda w: {"first_name": "Ana", "last_name": "Ruiz", **NEW_PASSWORDS},
    "teams.create_class": lambda w: {"name": "Robotics"},
    "teams.rename_class": lambda w: {"name": "Robotics, period 2"},
    "teams.join_class": lambda w: {"class_code": w.class_a2.join_code},
    "teams.create_team": lambda w: {"name": "Rockets"},
    "teams.add_member": lambda w: {"student_id": str(w.unteamed.id)},
    "organisations.setup": lambda w: {
        "name": "Lakeside Labs",
        "career_cluster": "Digital Technology",
        "school_ids": str(w.school_a.id),
    },
    "organisations.profile": lambda w: {"school_ids": str(w.school_b.id)},
    "challenges.create": lambda w: {
        "title": "Cold chain for the food bank",
        "statement": "Donated food spoils before it is given out.",
        "career_cluster": "Healthcare & Human Services",
    },
    "challenges.edit": lambda w: {
        "title": "Cold chain for the food bank",
        "statement": "Donated food spoils before it is given out.",
        "career_cluster": "Healthcare & Human Services",
    },
    "projects.create": lambda w: {
        "challenge_id": str(w.challenge_a.id),
        "title": "FridgeWatch",
        "pitch": "A sensor that texts the food bank before the fridge warms up.",
    },
    "projects.edit": lambda w: {
        "title": "FridgeWatch",
        "pitch": "A sensor that texts the food bank before the fridge warms up.",
    },
    "files.start": lambda w: {"filename": "deck.pdf", "size": str(len(PDF))},
    "files.receive": lambda w: PDF,
    "files.upload_form": lambda w: {"file": (io.BytesIO(PDF), "deck.pdf")},
    "schools.create_school": lambda w: {"name": "Lakeside High", "city": "Lakeside"},
    "schools.admin_invite": lambda w: {"email": "head@lakeside.example", "role": "school_admin"},
    "schools.invite": lambda w: {"email": "new.teacher@example.org", "role": "teacher"},
    "engagements.new_offer": lambda w: OFFER_TERMS,
    "engagements.edit_offer": lambda w: OFFER_TERMS,
    "engagements.allow_skip": lambda w: {"to": "externship"},
    "engagements.accept": lambda w: {"confirm": "y"},
    "engagements.record_consent": lambda w: {
        "student_id": str(w.student.id),
        "given_on": TODAY.isoformat(),
        "method": "signed form",
    },
    "ladder.record_check": lambda w: {"checked_on": (TODAY - timedelta(days=30)).isoformat()},
    "ladder.settings": lambda w: {
        "min_age_job_shadowing": "14",
        "min_age_externship": "16",
        "min_age_internship": "16",
        "stall_days": "21",
    },
    "notifications.settings": lambda w: {"mail_frequency": "daily"},
    "notifications.preferences": lambda w: {"mail_frequency": "daily"},
    "messaging.post": lambda w: {"body": "See you on Monday at the lab."},
    "messaging.new_thread": lambda w: {
        "organisation": str(w.org.id),
        "subject": "Spring placements",
        "body": "Could two of your engineers judge our demo day?",
    },
    "moderation.reject": lambda w: {"reason": "Contact details stay off the platform."},
    "moderation.flag": lambda w: {"reason": "This reads as pressure on a student."},
    "mutes.mute": lambda w: {"user_id": str(w.employer.id), "reason": "Too pushy with students."},
}


ROUTES: list[Route] = [
    Route("static", "css", "GET", "/static/css/app.css", everyone(PAGE)),
    Route(
        "dashboard.index",
        "front page",
        "GET",
        "/",
        roles(
            PAGE,
            to("/dashboard"),
            to("/dashboard"),
            to("/dashboard"),
            to("/dashboard"),
            to("/dashboard"),
        ),
    ),
    Route("dashboard.home", "dashboard", "GET", "/dashboard", signed_in(PAGE)),
    # accounts
    Route("auth.login", "form", "GET", "/auth/login", everyone(PAGE)),
    Route("auth.login", "post", "POST", "/auth/login", everyone(to("/dashboard"))),
    Route("auth.logout", "post", "POST", "/auth/logout", signed_in(to("/"))),
    Route(
        "auth.join",
        "form",
        "GET",
        "/auth/join",
        roles(
            PAGE,
            to("/classes/join?code="),
            to("/dashboard"),
            to("/dashboard"),
            to("/dashboard"),
            to("/dashboard"),
        ),
    ),
    Route(
        "auth.join",
        "post",
        "POST",
        "/auth/join",
        roles(
            to("/dashboard"),
            to("/classes/join?code="),
            to("/dashboard"),
            to("/dashboard"),
            to("/dashboard"),
            to("/dashboard"),
        ),
    ),
    Route("auth.signup", "form", "GET", "/auth/signup", everyone(PAGE)),
    Route("auth.signup", "post", "POST", "/auth/signup", everyone(to("/dashboard"))),
    Route(
        "auth.resend_confirmation",
        "post",
        "POST",
        "/auth/confirm/resend",
        signed_in(to("/dashboard")),
    ),
    Route("auth.confirm_email", "bad token", "GET", "/auth/confirm/not-a-token", everyone(GONE)),
    Route("auth.forgot_password", "form", "GET", "/auth/forgot", everyone(PAGE)),
    Route("auth.forgot_password", "post", "POST", "/auth/forgot", everyone(to("/auth/login"))),
    Route("auth.reset_password", "bad token", "GET", "/auth/reset/not-a-token", everyone(GONE)),
    Route(
        "auth.reset_password", "bad token post", "POST", "/auth/reset/not-a-token", everyone(GONE)
    ),
    Route("auth.change_password", "form", "GET", "/auth/password", signed_in(PAGE)),
    Route("auth.change_password", "post", "POST", "/auth/password", signed_in(to("/dashboard"))),
    Route(
        "auth.accept_invitation",
        "valid link",
        "GET",
        "/auth/invite/{w.invitation_a_token}",
        everyone(PAGE),
    ),
    Route(
        "auth.accept_invitation", "unknown link", "GET", "/auth/invite/unknown", everyone(NOT_FOUND)
    ),
    Route(
        "auth.accept_invitation",
        "valid link post",
        "POST",
        "/auth/invite/{w.invitation_a_token}",
        everyone(to("/dashboard")),
    ),
    # classes
    Route("teams.classes", "list", "GET", "/classes", staff(PAGE)),
    Route("teams.create_class", "post", "POST", "/classes", only("teacher", to("/classes/{new}"))),
    Route(
        "teams.classroom",
        "own class",
        "GET",
        "/classes/{w.class_a.id}",
        roles(LOGIN, PAGE, PAGE, NOT_FOUND, PAGE, NOT_FOUND),
    ),
    Route(
        "teams.classroom",
        "colleague's class",
        "GET",
        "/classes/{w.class_a2.id}",
        roles(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, PAGE, NOT_FOUND),
    ),
    Route(
        "teams.classroom", "other school", "GET", "/classes/{w.class_b.id}", signed_in(NOT_FOUND)
    ),
    Route("teams.classroom", "missing", "GET", "/classes/999999", signed_in(NOT_FOUND)),
    Route(
        "teams.rename_class",
        "own class",
        "POST",
        "/classes/{w.class_a.id}/rename",
        staff(to("/classes/{w.class_a.id}")),
    ),
    Route(
        "teams.rename_class",
        "colleague's class",
        "POST",
        "/classes/{w.class_a2.id}/rename",
        roles(LOGIN, FORBIDDEN, NOT_FOUND, FORBIDDEN, to("/classes/{w.class_a2.id}"), FORBIDDEN),
    ),
    Route(
        "teams.rename_class",
        "other school",
        "POST",
        "/classes/{w.class_b.id}/rename",
        staff(NOT_FOUND),
    ),
    Route(
        "teams.rotate_code",
        "own class",
        "POST",
        "/classes/{w.class_a.id}/code",
        staff(to("/classes/{w.class_a.id}")),
    ),
    Route(
        "teams.rotate_code",
        "other school",
        "POST",
        "/classes/{w.class_b.id}/code",
        staff(NOT_FOUND),
    ),
    Route(
        "teams.remove_student",
        "own class",
        "POST",
        "/classes/{w.class_a.id}/students/{w.student.id}/remove",
        staff(to("/classes/{w.class_a.id}")),
    ),
    Route(
        "teams.remove_student",
        "other school",
        "POST",
        "/classes/{w.class_b.id}/students/{w.student_b.id}/remove",
        staff(NOT_FOUND),
    ),
    Route(
        "teams.remove_student",
        "student of another class",
        "POST",
        "/classes/{w.class_a.id}/students/{w.student_b.id}/remove",
        staff(NOT_FOUND),
    ),
    Route(
        "teams.reset_student_password",
        "own class",
        "POST",
        "/classes/{w.class_a.id}/students/{w.student.id}/password",
        staff(PAGE),
    ),
    Route(
        "teams.reset_student_password",
        "other school",
        "POST",
        "/classes/{w.class_b.id}/students/{w.student_b.id}/password",
        staff(NOT_FOUND),
    ),
    Route("teams.join_class", "form", "GET", "/classes/join", only("student", PAGE)),
    Route(
        "teams.join_class",
        "post",
        "POST",
        "/classes/join",
        only("student", to("/classes/{w.class_a2.id}")),
    ),
    # teams
    Route(
        "teams.create_team",
        "own class",
        "POST",
        "/classes/{w.class_a.id}/teams",
        roles(LOGIN, REFUSED, to("/teams/{new}"), NOT_FOUND, to("/teams/{new}"), NOT_FOUND),
    ),
    Route(
        "teams.create_team",
        "other school",
        "POST",
        "/classes/{w.class_b.id}/teams",
        signed_in(NOT_FOUND),
    ),
    Route(
        "teams.team",
        "own team",
        "GET",
        "/teams/{w.team_a.id}",
        roles(LOGIN, PAGE, PAGE, NOT_FOUND, PAGE, NOT_FOUND),
    ),
    Route("teams.team", "other school's team", "GET", "/teams/{w.team_b.id}", signed_in(NOT_FOUND)),
    Route(
        "teams.add_member",
        "own team",
        "POST",
        "/teams/{w.team_a.id}/members",
        staff(to("/teams/{w.team_a.id}")),
    ),
    Route(
        "teams.add_member",
        "other school's team",
        "POST",
        "/teams/{w.team_b.id}/members",
        staff(NOT_FOUND),
    ),
    Route(
        "teams.join_team",
        "own class",
        "POST",
        "/teams/{w.team_a.id}/join",
        only("student", refused("/teams/{w.team_a.id}")),
    ),
    Route(
        "teams.join_team",
        "other school's team",
        "POST",
        "/teams/{w.team_b.id}/join",
        only("student", NOT_FOUND),
    ),
    Route(
        "teams.remove_member",
        "own team",
        "POST",
        "/teams/{w.team_a.id}/members/{w.student.id}/remove",
        roles(
            LOGIN,
            to("/teams/{w.team_a.id}"),
            to("/teams/{w.team_a.id}"),
            NOT_FOUND,
            to("/teams/{w.team_a.id}"),
            NOT_FOUND,
        ),
    ),
    Route(
        "teams.remove_member",
        "other school's team",
        "POST",
        "/teams/{w.team_b.id}/members/{w.student_b.id}/remove",
        signed_in(NOT_FOUND),
    ),
    # another team, a teammate, a colleague's class
    Route(
        "teams.team",
        "team of a colleague's class",
        "GET",
        "/teams/{w.colleague_team.id}",
        roles(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, PAGE, NOT_FOUND),
    ),
    Route(
        "teams.remove_member",
        "a teammate",
        "POST",
        "/teams/{w.team_a.id}/members/{w.teammate.id}/remove",
        roles(
            LOGIN,
            FORBIDDEN,
            to("/teams/{w.team_a.id}"),
            NOT_FOUND,
            to("/teams/{w.team_a.id}"),
            NOT_FOUND,
        ),
    ),
    Route(
        "teams.remove_member",
        "another team's member",
        "POST",
        "/teams/{w.other_team.id}/members/{w.other_team_student.id}/remove",
        roles(
            LOGIN,
            FORBIDDEN,
            to("/teams/{w.other_team.id}"),
            NOT_FOUND,
            to("/teams/{w.other_team.id}"),
            NOT_FOUND,
        ),
    ),
    Route(
        "teams.add_member",
        "team of a colleague's class",
        "POST",
        "/teams/{w.colleague_team.id}/members",
        roles(
            LOGIN, FORBIDDEN, NOT_FOUND, FORBIDDEN, to("/teams/{w.colleague_team.id}"), FORBIDDEN
        ),
        data=lambda w: {"student_id": str(w.unteamed_a2.id)},
    ),
    Route(
        "teams.remove_member",
        "team of a colleague's class",
        "POST",
        "/teams/{w.colleague_team.id}/members/{w.colleague_team.memberships[0].student_id}/remove",
        roles(
            LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, to("/teams/{w.colleague_team.id}"), NOT_FOUND
        ),
    ),
    # organisations
    Route(
        "organisations.setup",
        "form",
        "GET",
        "/organisation/setup",
        only("employer", to("/organisation")),
    ),
    Route(
        "organisations.setup",
        "post",
        "POST",
        "/organisation/setup",
        only("employer", to("/organisation")),
    ),
    Route(
        "organisations.join",
        "post",
        "POST",
        "/organisation/join/{w.org.id}",
        only("employer", refused("/organisation/setup")),
    ),
    Route(
        "organisations.decide_request",
        "own organisation",
        "POST",
        "/organisation/requests/{w.join_request.id}/accept",
        only("employer", to("/organisation")),
    ),
    Route(
        "organisations.decide_request",
        "other organisation",
        "POST",
        "/organisation/requests/{w.other_join_request.id}/decline",
        only("employer", NOT_FOUND),
    ),
    Route("organisations.profile", "page", "GET", "/organisation", only("employer", PAGE)),
    Route(
        "organisations.profile",
        "post",
        "POST",
        "/organisation",
        only("employer", to("/organisation")),
    ),
    Route("organisations.verification", "queue", "GET", "/partners/verification", staff(PAGE)),
    Route(
        "organisations.decide",
        "own school",
        "POST",
        "/partners/verification/{w.pending_a.id}/verify",
        staff(to("/partners/verification")),
    ),
    Route(
        "organisations.decide",
        "other school",
        "POST",
        "/partners/verification/{w.pending_b.id}/verify",
        staff(NOT_FOUND),
    ),
    # challenges
    Route("challenges.index", "list", "GET", "/challenges", signed_in(PAGE)),
    Route("challenges.create", "form", "GET", "/challenges/new", staff(PAGE)),
    Route("challenges.create", "post", "POST", "/challenges/new", staff(to("/challenges/{new}"))),
    Route(
        "challenges.edit", "own school", "GET", "/challenges/{w.challenge_a.id}/edit", staff(PAGE)
    ),
    Route(
        "challenges.edit",
        "own school post",
        "POST",
        "/challenges/{w.challenge_a.id}/edit",
        staff(to("/challenges/{w.challenge_a.id}")),
    ),
    Route(
        "challenges.edit",
        "other school",
        "GET",
        "/challenges/{w.challenge_b.id}/edit",
        staff(NOT_FOUND),
    ),
    Route(
        "challenges.edit",
        "other school post",
        "POST",
        "/challenges/{w.challenge_b.id}/edit",
        staff(NOT_FOUND),
    ),
    Route(
        "challenges.show",
        "open, own school",
        "GET",
        "/challenges/{w.challenge_a.id}",
        signed_in(PAGE),
    ),
    Route(
        "challenges.show",
        "draft",
        "GET",
        "/challenges/{w.draft_a.id}",
        roles(LOGIN, NOT_FOUND, PAGE, NOT_FOUND, PAGE, PAGE),
    ),
    Route(
        "challenges.show",
        "other school, not shared",
        "GET",
        "/challenges/{w.challenge_b.id}",
        roles(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, PAGE),
    ),
    Route(
        "challenges.move",
        "own school",
        "POST",
        "/challenges/{w.challenge_a.id}/status/closed",
        staff(to("/challenges/{w.challenge_a.id}")),
    ),
    Route(
        "challenges.move",
        "other school",
        "POST",
        "/challenges/{w.challenge_b.id}/status/closed",
        staff(NOT_FOUND),
    ),
    Route(
        "challenges.adopt",
        "own school",
        "POST",
        "/challenges/{w.challenge_a.id}/adopt",
        only("employer", to("/challenges/{w.challenge_a.id}")),
    ),
    Route(
        "challenges.adopt",
        "other school",
        "POST",
        "/challenges/{w.challenge_b.id}/adopt",
        only("employer", NOT_FOUND),
    ),
    Route(
        "challenges.decide_adoption",
        "own school",
        "POST",
        "/challenges/adoptions/{w.adoption_a.id}/accept",
        staff(to("/challenges/{w.challenge_a.id}")),
    ),
    Route(
        "challenges.decide_adoption",
        "other school",
        "POST",
        "/challenges/adoptions/{w.adoption_b.id}/decline",
        staff(NOT_FOUND),
    ),
    # projects
    Route(
        "projects.create",
        "own team",
        "GET",
        "/teams/{w.team_a.id}/projects/new",
        only("student", PAGE),
    ),
    Route(
        "projects.create",
        "own team post",
        "POST",
        "/teams/{w.team_a.id}/projects/new",
        only("student", to("/projects/{new}")),
    ),
    Route(
        "projects.create",
        "another team",
        "GET",
        "/teams/{w.other_team.id}/projects/new",
        only("student", NOT_FOUND),
    ),
    Route(
        "projects.create",
        "another team post",
        "POST",
        "/teams/{w.other_team.id}/projects/new",
        only("student", NOT_FOUND),
    ),
    Route(
        "projects.edit",
        "own draft",
        "GET",
        "/projects/{w.draft_project.id}/edit",
        only("student", PAGE),
    ),
    Route(
        "projects.edit",
        "own draft post",
        "POST",
        "/projects/{w.draft_project.id}/edit",
        only("student", to("/projects/{w.draft_project.id}")),
    ),
    Route(
        "projects.edit",
        "another team's draft",
        "GET",
        "/projects/{w.other_draft.id}/edit",
        only("student", NOT_FOUND),
    ),
    Route(
        "projects.edit",
        "another team's draft post",
        "POST",
        "/projects/{w.other_draft.id}/edit",
        only("student", NOT_FOUND),
    ),
    Route(
        "projects.show",
        "own draft",
        "GET",
        "/projects/{w.draft_project.id}",
        roles(LOGIN, PAGE, PAGE, NOT_FOUND, PAGE, PAGE),
    ),
    Route(
        "projects.show",
        "another team's draft",
        "GET",
        "/projects/{w.other_draft.id}",
        roles(LOGIN, NOT_FOUND, PAGE, NOT_FOUND, PAGE, PAGE),
    ),
    Route(
        "projects.show", "published", "GET", "/projects/{w.published_project.id}", signed_in(PAGE)
    ),
    Route(
        "projects.show",
        "other school's published",
        "GET",
        "/projects/{w.project_b.id}",
        roles(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, PAGE),
    ),
    Route(
        "projects.submit",
        "own draft",
        "POST",
        "/projects/{w.draft_project.id}/submit",
        only("student", to("/projects/{w.draft_project.id}")),
    ),
    Route(
        "projects.submit",
        "another team's draft",
        "POST",
        "/projects/{w.other_draft.id}/submit",
        only("student", NOT_FOUND),
    ),
    Route(
        "projects.review",
        "own class",
        "POST",
        "/projects/{w.submitted_project.id}/review/publish",
        staff(to("/projects/{w.submitted_project.id}")),
    ),
    Route(
        "projects.review",
        "other school",
        "POST",
        "/projects/{w.project_b.id}/review/changes",
        staff(NOT_FOUND),
    ),
    Route(
        "projects.archive",
        "own class",
        "POST",
        "/projects/{w.published_project.id}/archive",
        staff(to("/projects/{w.published_project.id}")),
    ),
    Route(
        "projects.archive",
        "other school",
        "POST",
        "/projects/{w.project_b.id}/archive",
        staff(NOT_FOUND),
    ),
    Route("projects.queue", "reviews", "GET", "/reviews", staff(PAGE)),
    Route("projects.index", "browse", "GET", "/projects", signed_in(PAGE)),
    Route("projects.portfolio", "own", "GET", "/portfolio", only("student", PAGE)),
    # project files
    Route(
        "files.start",
        "own draft",
        "POST",
        "/projects/{w.draft_project.id}/files",
        only("student", CREATED),
    ),
    Route(
        "files.start",
        "another team's draft",
        "POST",
        "/projects/{w.other_draft.id}/files",
        only("student", NOT_FOUND),
    ),
    Route(
        "files.receive",
        "signed link",
        "PUT",
        lambda w: upload_link(w.pending_file),
        only("student", NO_CONTENT),
    ),
    Route("files.receive", "forged link", "PUT", "/files/upload/forged", signed_in(FORBIDDEN)),
    Route(
        "files.complete",
        "own upload",
        "POST",
        lambda w: arrived(w.pending_file),
        only("student", PAGE),
    ),
    Route(
        "files.complete",
        "another team's upload",
        "POST",
        "/files/{w.other_pending.id}/complete",
        only("student", NOT_FOUND),
    ),
    Route(
        "files.upload_form",
        "own draft",
        "POST",
        "/projects/{w.draft_project.id}/files/form",
        only("student", to("/projects/{w.draft_project.id}")),
    ),
    Route(
        "files.upload_form",
        "another team's draft",
        "POST",
        "/projects/{w.other_draft.id}/files/form",
        only("student", NOT_FOUND),
    ),
    Route(
        "files.download",
        "published project",
        "GET",
        "/files/{w.published_file.id}",
        signed_in(to("/files/download/{signed}")),
    ),
    Route(
        "files.download",
        "another team's draft",
        "GET",
        "/files/{w.other_draft_file.id}",
        roles(
            LOGIN,
            NOT_FOUND,
            to("/files/download/{signed}"),
            NOT_FOUND,
            to("/files/download/{signed}"),
            to("/files/download/{signed}"),
        ),
    ),
    Route(
        "files.download",
        "other school",
        "GET",
        "/files/{w.file_b.id}",
        roles(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, to("/files/download/{signed}")),
    ),
    Route(
        "files.serve",
        "signed link",
        "GET",
        lambda w: download_link(w.published_file),
        everyone(PAGE),
    ),
    Route("files.serve", "forged link", "GET", "/files/download/forged", everyone(NOT_FOUND)),
    Route(
        "files.delete",
        "own draft",
        "POST",
        "/files/{w.draft_file.id}/delete",
        only("student", to("/projects/{w.draft_project.id}")),
    ),
    Route(
        "files.delete",
        "another team's draft",
        "POST",
        "/files/{w.other_draft_file.id}/delete",
        only("student", NOT_FOUND),
    ),
    # schools
    Route("schools.admin_schools", "list", "GET", "/admin/schools", only("site_admin", PAGE)),
    Route(
        "schools.create_school",
        "post",
        "POST",
        "/admin/schools",
        only("site_admin", to("/admin/schools")),
    ),
    Route(
        "schools.admin_invite",
        "post",
        "POST",
        "/admin/schools/{w.school_a.id}/invite",
        only("site_admin", to("/admin/schools")),
    ),
    Route("schools.staff", "list", "GET", "/school/staff", only("school_admin", PAGE)),
    Route(
        "schools.invite", "post", "POST", "/school/staff", only("school_admin", to("/school/staff"))
    ),
    Route(
        "schools.revoke_invitation",
        "own school",
        "POST",
        "/school/invitations/{w.invitation_a.id}/revoke",
        only("school_admin", to("/school/staff")),
    ),
    Route(
        "schools.revoke_invitation",
        "other school",
        "POST",
        "/school/invitations/{w.invitation_b.id}/revoke",
        only("school_admin", NOT_FOUND),
    ),
    # ladder: engagement and offer pages (engagements.*)
    Route(
        "engagements.interest",
        "own school",
        "POST",
        "/projects/{w.own_published.id}/interest",
        only("employer", to("/projects/{w.own_published.id}")),
    ),
    Route(
        "engagements.interest",
        "other school",
        "POST",
        "/projects/{w.project_b.id}/interest",
        only("employer", NOT_FOUND),
    ),
    Route(
        "engagements.claim_mentor",
        "own school",
        "POST",
        "/projects/{w.own_published.id}/mentor",
        only("employer", to("/engagements/{w.engagement.id}/offers/new?rung=mentorship")),
    ),
    Route(
        "engagements.claim_mentor",
        "other school",
        "POST",
        "/projects/{w.project_b.id}/mentor",
        only("employer", NOT_FOUND),
    ),
    Route("engagements.pipeline", "own", "GET", "/pipeline", only("employer", PAGE)),
    Route("engagements.show", "own", "GET", "/engagements/{w.engagement.id}", signed_in(PAGE)),
    Route(
        "engagements.show",
        "another organisation's",
        "GET",
        "/engagements/{w.other_org_engagement.id}",
        roles(LOGIN, NOT_FOUND, PAGE, NOT_FOUND, PAGE, PAGE),
    ),
    Route(
        "engagements.show",
        "other school",
        "GET",
        "/engagements/{w.engagement_b.id}",
        roles(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, PAGE),
    ),
    Route(
        "engagements.mark_complete",
        "own",
        "POST",
        "/engagements/{w.engagement.id}/complete",
        only("employer", refused("/engagements/{w.engagement.id}")),
    ),
    Route(
        "engagements.mark_complete",
        "another organisation's",
        "POST",
        "/engagements/{w.other_org_engagement.id}/complete",
        only("employer", NOT_FOUND),
    ),
    Route(
        "engagements.mark_complete",
        "other school",
        "POST",
        "/engagements/{w.engagement_b.id}/complete",
        only("employer", NOT_FOUND),
    ),
    Route(
        "engagements.confirm_complete",
        "own",
        "POST",
        "/engagements/{w.engagement.id}/confirm",
        staff(refused("/engagements/{w.engagement.id}")),
    ),
    Route(
        "engagements.confirm_complete",
        "another organisation's",
        "POST",
        "/engagements/{w.other_org_engagement.id}/confirm",
        staff(refused("/engagements/{w.other_org_engagement.id}")),
    ),
    Route(
        "engagements.confirm_complete",
        "other school",
        "POST",
        "/engagements/{w.engagement_b.id}/confirm",
        staff(NOT_FOUND),
    ),
    Route(
        "engagements.allow_skip",
        "own",
        "POST",
        "/engagements/{w.engagement.id}/skip",
        staff(to("/engagements/{w.engagement.id}")),
    ),
    Route(
        "engagements.allow_skip",
        "another organisation's",
        "POST",
        "/engagements/{w.other_org_engagement.id}/skip",
        staff(to("/engagements/{w.other_org_engagement.id}")),
    ),
    Route(
        "engagements.allow_skip",
        "other school",
        "POST",
        "/engagements/{w.engagement_b.id}/skip",
        staff(NOT_FOUND),
    ),
    Route(
        "engagements.close",
        "own",
        "POST",
        "/engagements/{w.engagement.id}/close",
        roles(
            LOGIN,
            FORBIDDEN,
            to("/engagements/{w.engagement.id}"),
            to("/engagements/{w.engagement.id}"),
            to("/engagements/{w.engagement.id}"),
            FORBIDDEN,
        ),
    ),
    Route(
        "engagements.close",
        "another organisation's",
        "POST",
        "/engagements/{w.other_org_engagement.id}/close",
        roles(
            LOGIN,
            NOT_FOUND,
            to("/engagements/{w.other_org_engagement.id}"),
            NOT_FOUND,
            to("/engagements/{w.other_org_engagement.id}"),
            FORBIDDEN,
        ),
    ),
    Route(
        "engagements.close",
        "other school",
        "POST",
        "/engagements/{w.engagement_b.id}/close",
        roles(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, FORBIDDEN),
    ),
    Route(
        "engagements.new_offer",
        "own GET",
        "GET",
        "/engagements/{w.engagement.id}/offers/new",
        only("employer", PAGE),
    ),
    Route(
        "engagements.new_offer",
        "another organisation's GET",
        "GET",
        "/engagements/{w.other_org_engagement.id}/offers/new",
        only("employer", NOT_FOUND),
    ),
    Route(
        "engagements.new_offer",
        "own POST",
        "POST",
        "/engagements/{w.engagement.id}/offers/new",
        only("employer", REFUSED),
    ),
    Route(
        "engagements.new_offer",
        "another organisation's POST",
        "POST",
        "/engagements/{w.other_org_engagement.id}/offers/new",
        only("employer", NOT_FOUND),
    ),
    Route(
        "engagements.edit_offer",
        "own GET",
        "GET",
        "/offers/{w.offer.id}/edit",
        only("employer", refused("/offers/{w.offer.id}")),
    ),
    Route(
        "engagements.edit_offer",
        "another organisation's GET",
        "GET",
        "/offers/{w.other_org_offer.id}/edit",
        only("employer", NOT_FOUND),
    ),
    Route(
        "engagements.edit_offer",
        "own POST",
        "POST",
        "/offers/{w.offer.id}/edit",
        only("employer", refused("/offers/{w.offer.id}")),
    ),
    Route(
        "engagements.edit_offer",
        "another organisation's POST",
        "POST",
        "/offers/{w.other_org_offer.id}/edit",
        only("employer", NOT_FOUND),
    ),
    Route("engagements.offer", "own", "GET", "/offers/{w.offer.id}", signed_in(PAGE)),
    Route(
        "engagements.offer",
        "another organisation's",
        "GET",
        "/offers/{w.other_org_offer.id}",
        roles(LOGIN, NOT_FOUND, PAGE, NOT_FOUND, PAGE, PAGE),
    ),
    Route(
        "engagements.offer",
        "other school",
        "GET",
        "/offers/{w.offer_b.id}",
        roles(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, PAGE),
    ),
    Route(
        "engagements.propose",
        "own",
        "POST",
        "/offers/{w.offer.id}/propose",
        only("employer", to("/offers/{w.offer.id}")),
    ),
    Route(
        "engagements.propose",
        "another organisation's",
        "POST",
        "/offers/{w.other_org_offer.id}/propose",
        only("employer", NOT_FOUND),
    ),
    Route(
        "engagements.propose",
        "other school",
        "POST",
        "/offers/{w.offer_b.id}/propose",
        only("employer", NOT_FOUND),
    ),
    Route(
        "engagements.withdraw",
        "own",
        "POST",
        "/offers/{w.offer.id}/withdraw",
        only("employer", to("/offers/{w.offer.id}")),
    ),
    Route(
        "engagements.withdraw",
        "another organisation's",
        "POST",
        "/offers/{w.other_org_offer.id}/withdraw",
        only("employer", NOT_FOUND),
    ),
    Route(
        "engagements.withdraw",
        "other school",
        "POST",
        "/offers/{w.offer_b.id}/withdraw",
        only("employer", NOT_FOUND),
    ),
    Route(
        "engagements.approve",
        "own",
        "POST",
        "/offers/{w.offer.id}/approve",
        staff(to("/offers/{w.offer.id}")),
    ),
    Route(
        "engagements.approve",
        "another organisation's",
        "POST",
        "/offers/{w.other_org_offer.id}/approve",
        staff(to("/offers/{w.other_org_offer.id}")),
    ),
    Route(
        "engagements.approve",
        "other school",
        "POST",
        "/offers/{w.offer_b.id}/approve",
        staff(NOT_FOUND),
    ),
    Route(
        "engagements.record_consent",
        "own",
        "POST",
        "/offers/{w.offer.id}/consent",
        staff(to("/offers/{w.offer.id}")),
    ),
    Route(
        "engagements.record_consent",
        "another organisation's",
        "POST",
        "/offers/{w.other_org_offer.id}/consent",
        staff(to("/offers/{w.other_org_offer.id}")),
        data=lambda w: {
            "student_id": str(w.other_team_student.id),
            "given_on": TODAY.isoformat(),
            "method": "signed form",
        },
    ),
    Route(
        "engagements.record_consent",
        "other school",
        "POST",
        "/offers/{w.offer_b.id}/consent",
        staff(NOT_FOUND),
    ),
    Route(
        "engagements.accept",
        "own",
        "POST",
        "/offers/{w.offer.id}/accept",
        only("student", refused("/offers/{w.offer.id}")),
    ),
    Route(
        "engagements.accept",
        "another organisation's",
        "POST",
        "/offers/{w.other_org_offer.id}/accept",
        only("student", NOT_FOUND),
    ),
    Route(
        "engagements.accept",
        "other school",
        "POST",
        "/offers/{w.offer_b.id}/accept",
        only("student", NOT_FOUND),
    ),
    Route(
        "engagements.decline",
        "own",
        "POST",
        "/offers/{w.offer.id}/decline",
        only("student", refused("/offers/{w.offer.id}")),
    ),
    Route(
        "engagements.decline",
        "another organisation's",
        "POST",
        "/offers/{w.other_org_offer.id}/decline",
        only("student", NOT_FOUND),
    ),
    Route(
        "engagements.decline",
        "other school",
        "POST",
        "/offers/{w.offer_b.id}/decline",
        only("student", NOT_FOUND),
    ),
    # ladder: team and staff pages (ladder.*)
    Route("ladder.team", "own teams", "GET", "/my/engagements", only("student", PAGE)),
    Route("ladder.approvals", "queue", "GET", "/approvals", staff(PAGE)),
    Route("ladder.school_ladder", "own school", "GET", "/ladder", staff(PAGE)),
    Route(
        "ladder.school_ladder",
        "filtered by another school's class",
        "GET",
        "/ladder?class={w.class_b.id}&organisation={w.engagement_b.organisation_id}",
        staff(PAGE),
    ),
    Route(
        "ladder.background_checks",
        "own school",
        "GET",
        "/school/background-checks",
        only("school_admin", PAGE),
    ),
    Route(
        "ladder.record_check",
        "member of an organisation the school verified",
        "POST",
        "/school/background-checks/{w.employer.id}",
        only("school_admin", to("/school/background-checks")),
    ),
    Route(
        "ladder.record_check",
        "member of an organisation only another school verified",
        "POST",
        "/school/background-checks/{w.engagement_b.opened_by_id}",
        only("school_admin", NOT_FOUND),
    ),
    Route(
        "ladder.record_check",
        "member of an organisation still pending",
        "POST",
        "/school/background-checks/{w.pending_a.organisation.members[0].id}",
        only("school_admin", NOT_FOUND),
    ),
    Route(
        "ladder.record_check",
        "a student",
        "POST",
        "/school/background-checks/{w.student.id}",
        only("school_admin", NOT_FOUND),
    ),
    Route(
        "ladder.settings",
        "own school",
        "GET",
        "/school/ladder-settings",
        only("school_admin", PAGE),
    ),
    Route(
        "ladder.settings",
        "own school post",
        "POST",
        "/school/ladder-settings",
        only("school_admin", to("/school/ladder-settings")),
    ),
    # notifications: the bell, the list and mail preferences (notifications.*)
    Route(
        "notifications.bell", "badge", "GET", "/notifications/bell", signed_in(to("/notifications"))
    ),
    Route("notifications.index", "list", "GET", "/notifications", signed_in(PAGE)),
    Route(
        "notifications.index",
        "past the last page",
        "GET",
        "/notifications?page=9",
        signed_in(NOT_FOUND),
    ),
    Route(
        "notifications.open_one",
        "the student's",
        "GET",
        lambda w: f"/notifications/{student_note(w)}",
        roles(LOGIN, to("/dashboard"), NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    ),
    Route(
        "notifications.mark_all_read",
        "own",
        "POST",
        "/notifications/read",
        signed_in(to("/notifications")),
    ),
    Route("notifications.settings", "form", "GET", "/notifications/settings", signed_in(PAGE)),
    Route(
        "notifications.settings",
        "post",
        "POST",
        "/notifications/settings",
        signed_in(to("/notifications/settings")),
    ),
    Route(
        "notifications.preferences",
        "the student's token",
        "GET",
        lambda w: f"/notifications/preferences/{student_token(w)}",
        everyone(PAGE),
    ),
    Route(
        "notifications.preferences",
        "a tampered token",
        "GET",
        lambda w: f"/notifications/preferences/{student_token(w)}x",
        everyone(NOT_FOUND),
    ),
    Route(
        "notifications.preferences",
        "the student's token",
        "POST",
        lambda w: f"/notifications/preferences/{student_token(w)}",
        everyone(to("/notifications/preferences/{signed}")),
    ),
    Route(
        "notifications.preferences",
        "a tampered token",
        "POST",
        lambda w: f"/notifications/preferences/{student_token(w)}x",
        everyone(NOT_FOUND),
    ),
    Route(
        "notifications.confirm_unsubscribe",
        "the student's token",
        "GET",
        lambda w: f"/notifications/preferences/{student_token(w)}/unsubscribe",
        everyone(PAGE),
    ),
    Route(
        "notifications.confirm_unsubscribe",
        "a tampered token",
        "GET",
        lambda w: f"/notifications/preferences/{student_token(w)}x/unsubscribe",
        everyone(NOT_FOUND),
    ),
    Route(
        "notifications.unsubscribe",
        "the student's token",
        "POST",
        lambda w: f"/notifications/preferences/{student_token(w)}/unsubscribe",
        everyone(PAGE),
    ),
    Route(
        "notifications.unsubscribe",
        "a tampered token",
        "POST",
        lambda w: f"/notifications/preferences/{student_token(w)}x/unsubscribe",
        everyone(NOT_FOUND),
    ),
    # messages: threads, posting, polling and attachments (messaging.*)
    Route("messaging.inbox", "own", "GET", "/messages", signed_in(PAGE)),
    Route(
        "messaging.thread",
        "own engagement thread",
        "GET",
        "/messages/{w.thread.id}",
        roles(LOGIN, PAGE, PAGE, PAGE, PAGE, NOT_FOUND),
    ),
    Route(
        "messaging.thread",
        "other school's thread",
        "GET",
        "/messages/{w.thread_b.id}",
        signed_in(NOT_FOUND),
    ),
    Route(
        "messaging.thread",
        "school channel",
        "GET",
        "/messages/{w.school_thread.id}",
        roles(LOGIN, NOT_FOUND, PAGE, PAGE, PAGE, NOT_FOUND),
    ),
    Route(
        "messaging.post",
        "own engagement thread",
        "POST",
        "/messages/{w.thread.id}",
        roles(
            LOGIN,
            to("/messages/{w.thread.id}#compose"),
            to("/messages/{w.thread.id}#compose"),
            to("/messages/{w.thread.id}#compose"),
            FORBIDDEN,
            NOT_FOUND,
        ),
    ),
    Route(
        "messaging.post",
        "other school's thread",
        "POST",
        "/messages/{w.thread_b.id}",
        signed_in(NOT_FOUND),
    ),
    Route(
        "messaging.post",
        "school channel",
        "POST",
        "/messages/{w.school_thread.id}",
        roles(
            LOGIN,
            NOT_FOUND,
            to("/messages/{w.school_thread.id}#compose"),
            to("/messages/{w.school_thread.id}#compose"),
            to("/messages/{w.school_thread.id}#compose"),
            NOT_FOUND,
        ),
    ),
    Route(
        "messaging.thread",
        "poll of another school's thread",
        "GET",
        "/messages/{w.thread_b.id}?after=0",
        signed_in(NOT_FOUND),
    ),
    Route(
        "messaging.engagement_thread",
        "own",
        "GET",
        "/engagements/{w.engagement.id}/messages",
        roles(
            LOGIN,
            to("/messages/{w.thread.id}"),
            to("/messages/{w.thread.id}"),
            to("/messages/{w.thread.id}"),
            to("/messages/{w.thread.id}"),
            NOT_FOUND,
        ),
    ),
    Route(
        "messaging.engagement_thread",
        "another organisation's",
        "GET",
        "/engagements/{w.other_org_engagement.id}/messages",
        roles(LOGIN, NOT_FOUND, to("/messages/{new}"), NOT_FOUND, to("/messages/{new}"), NOT_FOUND),
    ),
    Route(
        "messaging.engagement_thread",
        "other school",
        "GET",
        "/engagements/{w.engagement_b.id}/messages",
        signed_in(NOT_FOUND),
    ),
    Route("messaging.new_thread", "form", "GET", "/messages/new", staff(PAGE)),
    Route(
        "messaging.new_thread",
        "post",
        "POST",
        "/messages/new",
        staff(to("/messages/{w.school_thread.id}")),
    ),
    Route(
        "messaging.download",
        "own thread's file",
        "GET",
        "/messages/attachments/{w.attachment.id}",
        roles(
            LOGIN,
            to("/files/download/{signed}"),
            to("/files/download/{signed}"),
            to("/files/download/{signed}"),
            to("/files/download/{signed}"),
            NOT_FOUND,
        ),
    ),
    # moderation: held messages, flags and mutes (moderation.*)
    Route("moderation.queue", "own school", "GET", "/messages/held", staff(PAGE)),
    Route(
        "moderation.release",
        "held",
        "POST",
        "/messages/held/{w.held_message.id}/release",
        staff(to("/messages/held")),
    ),
    Route(
        "moderation.release",
        "already visible",
        "POST",
        "/messages/held/{w.message.id}/release",
        staff(to("/messages/held")),
    ),
    Route(
        "moderation.release",
        "other school",
        "POST",
        "/messages/held/{w.message_b.id}/release",
        staff(NOT_FOUND),
    ),
    Route(
        "moderation.reject",
        "held",
        "POST",
        "/messages/held/{w.held_message.id}/reject",
        staff(to("/messages/held")),
    ),
    Route(
        "moderation.reject",
        "already visible",
        "POST",
        "/messages/held/{w.message.id}/reject",
        staff(to("/messages/held")),
    ),
    Route(
        "moderation.reject",
        "other school",
        "POST",
        "/messages/held/{w.message_b.id}/reject",
        staff(NOT_FOUND),
    ),
    Route(
        "moderation.flag",
        "visible message of own thread",
        "POST",
        "/messages/{w.message.id}/flag",
        roles(
            LOGIN,
            to("/messages/{w.thread.id}"),
            to("/messages/{w.thread.id}"),
            to("/messages/{w.thread.id}"),
            to("/messages/{w.thread.id}"),
            NOT_FOUND,
        ),
    ),
    Route(
        "moderation.flag",
        "a student's held message",
        "POST",
        "/messages/{w.held_message.id}/flag",
        roles(
            LOGIN,
            to("/messages/{w.thread.id}"),
            to("/messages/{w.thread.id}"),
            NOT_FOUND,
            to("/messages/{w.thread.id}"),
            NOT_FOUND,
        ),
    ),
    Route(
        "moderation.flag",
        "other school's message",
        "POST",
        "/messages/{w.message_b.id}/flag",
        signed_in(NOT_FOUND),
    ),
    Route(
        "moderation.resolve",
        "report in own school",
        "POST",
        lambda w: f"/messages/flags/{report_of(w.message, w.student)}/resolve",
        staff(to("/messages/held")),
    ),
    Route(
        "moderation.resolve",
        "report in another school",
        "POST",
        lambda w: f"/messages/flags/{report_of(w.message_b, w.student_b)}/resolve",
        staff(NOT_FOUND),
    ),
    Route("mutes.mutes", "own school", "GET", "/school/mutes", staff(PAGE)),
    Route("mutes.mute", "an employer member", "POST", "/school/mutes", staff(to("/school/mutes"))),
    Route(
        "mutes.unmute",
        "own school's mute",
        "POST",
        lambda w: f"/school/mutes/{mute_of(w.employer, w.school_a.id, w.teacher)}/unmute",
        staff(to("/school/mutes")),
    ),
    Route(
        "mutes.unmute",
        "another school's mute",
        "POST",
        lambda w: f"/school/mutes/{mute_of(w.message_b.author, w.school_b.id)}/unmute",
        staff(NOT_FOUND),
    ),
]
