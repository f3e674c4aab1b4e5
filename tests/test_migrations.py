"""Migrations: they build the schema from empty, match the models, and downgrade cleanly."""

from __future__ import annotations

from collections.abc import Iterator

import flask_migrate
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from marketplace.extensions import db
from marketplace.projects.search import is_search_object

from .databases import empty_database


@pytest.fixture
def empty_database_url(tmp_path) -> Iterator[str]:
    """A brand-new, empty database of the kind the suite runs on."""
    with empty_database(tmp_path) as url:
        yield url


@pytest.fixture
def fresh_app(app_factory, empty_database_url):
    app = app_factory(SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def _diff() -> list:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "render_as_batch": True,
                "include_object": lambda obj, name, *_: not is_search_object(name),
            },
        )
        return compare_metadata(context, db.metadata)


def test_upgrade_from_empty_builds_every_table(fresh_app):
    """`flask db upgrade` on an empty database creates every table of the models."""
    flask_migrate.upgrade()
    tables = set(sa.inspect(db.engine).get_table_names())
    assert {t.name for t in db.metadata.sorted_tables} <= tables
    assert "alembic_version" in tables


def test_models_match_the_migrations(fresh_app):
    """No model change is missing a migration: autogenerate finds nothing to do."""
    flask_migrate.upgrade()
    assert _diff() == []


def test_downgrade_to_base_and_upgrade_again(fresh_app):
    """Every migration can be undone, and the schema rebuilt."""
    flask_migrate.upgrade()
    flask_migrate.downgrade(revision="base")
    assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}  # FTS gone too
    flask_migrate.upgrade()
    assert _diff() == []


def test_judges_comments_written_before_teams_could_read_them_wait_for_a_teacher(fresh_app):
    """0022 lets teams read judges' comments: those already written were never screened for
    contact details, so each is held for the team's teacher; an empty one has nothing to hold."""
    from marketplace.models import CommentStatus, EventStatus, GuestRole, Judgement, ProjectStatus
    from marketplace.pitch_events import judging

    from .factories import Factory

    flask_migrate.upgrade()
    make = Factory()
    project = make.project(status=ProjectStatus.PUBLISHED)
    event = make.pitch_event(
        author=project.team.classroom.teacher, status=EventStatus.LIVE, presenters=[project]
    )
    scores = {c.id: 3 for c in judging.rubric(event)}
    for comment in ("Great pitch; show the numbers.", ""):
        judge = make.event_guest(event, GuestRole.JUDGE)
        judging.judge(judge, event.presenters[0], scores, comment)
    db.session.commit()
    flask_migrate.downgrade(revision="0021")
    flask_migrate.upgrade()
    db.session.expire_all()
    statuses = {j.comment: j.comment_status for j in db.session.scalars(sa.select(Judgement))}
    assert statuses == {
        "Great pitch; show the numbers.": CommentStatus.HELD,
        "": CommentStatus.SHOWN,
    }


def test_each_engagement_learns_when_it_reached_each_rung_from_its_accepted_offers(fresh_app):
    """0029 fills in when each engagement reached each rung from its accepted offers (the day
    answered), and leaves a rung never reached empty."""
    from datetime import UTC, datetime

    from marketplace.models import Engagement, OfferStatus, Rung

    from .factories import Factory

    flask_migrate.upgrade()
    make = Factory()
    engagement = make.engagement(rung=Rung.JOB_SHADOWING)
    mentorship = datetime(2026, 3, 2, 15, 30, tzinfo=UTC)
    shadowing = datetime(2026, 4, 6, 9, 0, tzinfo=UTC)
    make.offer(engagement, Rung.MENTORSHIP, OfferStatus.ACCEPTED, answered_at=mentorship)
    make.offer(engagement, Rung.JOB_SHADOWING, OfferStatus.ACCEPTED, answered_at=shadowing)
    make.offer(engagement, Rung.EXTERNSHIP, OfferStatus.PROPOSED)
    db.session.commit()
    flask_migrate.downgrade(revision="0028")
    flask_migrate.upgrade()
    db.session.expire_all()
    e = db.session.get_one(Engagement, engagement.id)
    assert (e.reached_mentorship_at, e.reached_job_shadowing_at) == (mentorship, shadowing)
    assert (e.reached_externship_at, e.reached_internship_at) == (None, None)


def test_the_words_of_projects_written_before_0032_are_in_the_search_index_list(fresh_app):
    """0032 fills the list of the search index's words from the projects already written
    (PostgreSQL; SQLite's FTS5 reads prefixes from its own index)."""
    from marketplace.models import ProjectStatus

    from .factories import Factory

    if db.engine.dialect.name != "postgresql":
        pytest.skip("the list of words is PostgreSQL's: set TEST_DATABASE_URL")
    flask_migrate.upgrade()
    make = Factory()
    make.project(status=ProjectStatus.PUBLISHED, title="Quokka counter", pitch="Counts quokkas")
    db.session.commit()
    flask_migrate.downgrade(revision="0031")
    assert "project_search_word" not in sa.inspect(db.engine).get_table_names()
    flask_migrate.upgrade()
    held = db.session.scalars(
        sa.text("SELECT word FROM project_search_word WHERE word LIKE 'quokka%' OR word = 'count'")
    ).all()
    assert sorted(held) == ["count", "quokka"]
