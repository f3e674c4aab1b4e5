"""The engagement thread is created once when many requests race to open it (PostgreSQL).

Its own module: the racers commit for real, which a module sharing one world cannot."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.messaging import service
from marketplace.models import Engagement, Thread

from .world import build_world

pytestmark = pytest.mark.commits  # threads with connections of their own race


def test_many_requests_racing_to_open_the_thread_make_one(app_factory, make):
    """On PostgreSQL: threads, each with its own session, open the same engagement's thread at
    once; all get the same thread and one row exists."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("races need PostgreSQL: set TEST_DATABASE_URL (SQLite serialises writers)")
    w = build_world(make)  # its own, committed for real (not the module's shared one)
    engagement_id = make.engagement(w.published_project, w.employer).id
    db.session.commit()
    racer = app_factory(SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 10, "max_overflow": 0})
    barrier = threading.Barrier(8)
    results: list[object] = []

    def attempt() -> None:
        with racer.app_context():
            try:
                engagement = db.session.get(Engagement, engagement_id)
                barrier.wait(timeout=30)
                thread = service.engagement_thread(engagement)
                db.session.commit()
                results.append(thread.id)
            except Exception as error:  # reported below
                results.append(error)
            finally:
                db.session.remove()

    workers = [threading.Thread(target=attempt) for _ in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert len(set(results)) == 1 and all(isinstance(r, int) for r in results), results
    channel = f"engagement-{engagement_id}"
    assert db.session.scalar(sa.select(sa.func.count()).where(Thread.channel == channel)) == 1
