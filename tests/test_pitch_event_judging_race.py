"""Judges submitting at the same moment (PostgreSQL): a judge's double submission is one
judgement, and several judges scoring one pitch at once are all kept.

Its own module: the racers commit for real, which a module sharing one world cannot."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.models import (
    EventGuest,
    EventPresenter,
    EventStatus,
    GuestRole,
    Judgement,
    ProjectStatus,
)
from marketplace.pitch_events import judging

pytestmark = pytest.mark.commits  # threads with connections of their own race


@pytest.fixture
def racer(app_factory):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("races need PostgreSQL: set TEST_DATABASE_URL (SQLite serialises writers)")
    return app_factory(SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 12, "max_overflow": 0})


def race(app, attempts: list[Callable[[], object]]) -> list[object]:
    """Each attempt in its own thread and session, released at once; what each gave back."""
    barrier = threading.Barrier(len(attempts))
    results: list[object] = []

    def run(attempt: Callable[[], object]) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                results.append(attempt())
                db.session.commit()
            except Exception as error:  # reported by the test
                db.session.rollback()
                results.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(a,)) for a in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def submit(guest_id: int, presenter_id: int, value: int) -> Callable[[], object]:
    def attempt() -> object:
        guest = db.session.get(EventGuest, guest_id)
        presenter = db.session.get(EventPresenter, presenter_id)
        assert guest is not None and presenter is not None
        criteria = judging.rubric(guest.event)
        judging.judge(guest, presenter, {c.id: value for c in criteria}, f"scored {value}")
        return value

    return attempt


def test_double_submissions_and_many_judges_at_once_keep_one_judgement_each(racer, make):
    project = make.project(status=ProjectStatus.PUBLISHED)
    event = make.pitch_event(
        author=project.team.classroom.teacher, status=EventStatus.LIVE, presenters=[project]
    )
    judges = [make.event_guest(event, GuestRole.JUDGE) for _ in range(5)]
    judging.rubric(event)
    db.session.commit()
    presenter_id = event.presenters[0].id
    attempts = [submit(j.id, presenter_id, 1 + n % 5) for n, j in enumerate(judges)]
    attempts += [submit(judges[0].id, presenter_id, 5) for _ in range(4)]  # one judge, 5 clicks
    results = race(racer, attempts)
    assert [r for r in results if isinstance(r, Exception)] == []
    rows = db.session.scalars(sa.select(Judgement).where(Judgement.event_id == event.id)).all()
    assert sorted(r.guest_id for r in rows) == sorted(j.id for j in judges)  # none lost or doubled
