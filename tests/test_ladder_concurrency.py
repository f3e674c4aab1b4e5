"""Racing transitions on PostgreSQL: threads, each with its own app context, session and
connection, acting on the same offer at once. Exactly one wins; the others are refused with a
LadderError (never a database error), and the timeline says it happened once.

SQLite serialises writers on the whole file, so the races only mean something on PostgreSQL.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from flask import Flask

from marketplace.engagements import ladder
from marketplace.extensions import db
from marketplace.models import (
    Engagement,
    EngagementEvent,
    EngagementStatus,
    Offer,
    OfferStatus,
    Rung,
    TeamMembership,
    User,
)

from .factories import Factory
from .test_ladder_world import TODAY, build_world

THREADS = 100
# PostgreSQL's default max_connections is 100: the threads share a pool a little smaller, so the
# first POOL of them race with a connection each and the rest queue for one.
POOL = 40


pytestmark = pytest.mark.commits  # threads with connections of their own race


@pytest.fixture
def pg_app(app_factory) -> Iterator[Flask]:
    """An app on the test database with a pool for the threads."""
    app = app_factory(
        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": POOL, "max_overflow": 0, "pool_timeout": 120}
    )
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("races need PostgreSQL: set TEST_DATABASE_URL (SQLite serialises writers)")
        yield app
        db.session.remove()


def race(
    app: Flask, moves: list[Callable[[], None]], read: Callable[[], object] | None = None
) -> list[str]:
    """Run each move in its own thread, all released together (after each did `read`, if
    given); what happened to each: "ok", "done" (AlreadyDone), "refused" (LadderError) or the
    unexpected exception."""
    barrier = threading.Barrier(len(moves))
    results: list[str] = [""] * len(moves)

    def attempt(i: int, move: Callable[[], None]) -> None:
        with app.app_context():
            try:
                if read is not None:  # read (holding a connection) before anyone moves
                    read()
                barrier.wait(timeout=60)
                move()
                db.session.commit()
                results[i] = "ok"
            except ladder.AlreadyDone:
                results[i] = "done"
            except ladder.LadderError:
                results[i] = "refused"
            except Exception as error:  # reported by the test
                results[i] = f"{type(error).__name__}: {error}"
            finally:
                db.session.rollback()
                db.session.remove()

    threads = [threading.Thread(target=attempt, args=(i, m)) for i, m in enumerate(moves)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    return results


def as_student(offer_id: int, student_id: int, action: str = "accept") -> Callable[[], None]:
    """A move by a student on the offer, loaded in the thread's own session."""

    def move() -> None:
        offer, student = db.session.get(Offer, offer_id), db.session.get(User, student_id)
        if action == "accept":
            ladder.accept(offer, student, TODAY)
        else:
            ladder.decline(offer, student)

    return move


def as_staff(offer_id: int, user_id: int, action: str) -> Callable[[], None]:
    """A move by the employer (withdraw) or by the employer or teacher (close)."""

    def move() -> None:
        offer, user = db.session.get(Offer, offer_id), db.session.get(User, user_id)
        if action == "withdraw":
            ladder.withdraw(offer, user)
        else:
            ladder.close(offer.engagement, user)

    return move


def approved_offers(count: int, adults: int = 0):
    """`count` worlds with an approved mentorship offer each (and `adults` more 18-year-olds in
    the first team), committed so the threads see them."""
    make = Factory()
    worlds = [build_world(make, ages=(18, 18)) for _ in range(count)]
    team = worlds[0].engagement.team
    for _ in range(adults):
        student = make.student(classroom=team.classroom, age=18)
        db.session.add(TeamMembership(team=team, student=student, classroom_id=team.classroom_id))
    offers = [make.offer(w.engagement, status=OfferStatus.APPROVED) for w in worlds]
    db.session.commit()
    return worlds, [o.id for o in offers]


def accepted_events(offer_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(EngagementEvent)
        .where(EngagementEvent.offer_id == offer_id, EngagementEvent.action == "offer accepted")
    )


def test_a_hundred_students_accept_the_same_offer_once(pg_app):
    """100 threads, each a different student of the team: one acceptance, one timeline row,
    the engagement lifted once."""
    worlds, (offer_id,) = approved_offers(1, adults=THREADS - 2)
    engagement_id = worlds[0].engagement.id
    version = db.session.get(Engagement, engagement_id).version
    students = [m.student_id for m in worlds[0].engagement.team.memberships]
    assert len(students) == THREADS
    results = race(pg_app, [as_student(offer_id, s) for s in students])
    db.session.expire_all()
    assert Counter(results) == Counter({"ok": 1, "done": THREADS - 1}), Counter(results)
    assert db.session.get(Offer, offer_id).status is OfferStatus.ACCEPTED
    assert accepted_events(offer_id) == 1
    engagement = db.session.get(Engagement, engagement_id)
    assert engagement.rung is Rung.MENTORSHIP and engagement.version == version + 1


def test_the_same_student_accepting_from_many_tabs_counts_once(pg_app):
    """Threads that all read the offer as approved before any of them moves: still one."""
    worlds, (offer_id,) = approved_offers(1)
    move, read = as_student(offer_id, worlds[0].ava.id), lambda: db.session.get(Offer, offer_id)
    results = race(pg_app, [move] * 30, read=lambda: read().status)
    db.session.expire_all()
    assert Counter(results) == Counter({"ok": 1, "done": 29}), Counter(results)
    assert accepted_events(offer_id) == 1


ROUNDS = 20
RIVAL_EVENTS = {
    "withdraw": "offer withdrawn",
    "close": "engagement closed",
    "decline": "offer declined",
}


@pytest.mark.parametrize("rival", ["withdraw", "close", "decline"])
def test_accept_racing_another_answer_one_wins_each_round(pg_app, rival):
    """Accept against withdraw, close or decline, twenty rounds: one wins, the other is refused,
    and the offer, the engagement and the timeline agree on who won."""
    worlds, offer_ids = approved_offers(ROUNDS)
    for world, offer_id in zip(worlds, offer_ids, strict=True):
        rival_move = (
            as_student(offer_id, world.ben.id, "decline")
            if rival == "decline"
            else as_staff(offer_id, world.people["employer"].id, rival)
        )
        results = race(pg_app, [as_student(offer_id, world.ava.id), rival_move])
        db.session.expire_all()
        offer = db.session.get(Offer, offer_id)
        engagement = db.session.get(Engagement, world.engagement.id)
        actions = [e.action for e in engagement.events]
        if rival == "close" and results == ["ok", "ok"]:
            # Not a race lost: the acceptance was done before the close began (it found no
            # open offer), so the engagement climbed and was then closed, in that order.
            assert offer.status is OfferStatus.ACCEPTED and engagement.rung is Rung.MENTORSHIP
            assert engagement.status is EngagementStatus.CLOSED
            assert actions == ["offer accepted", "engagement closed"]
            continue
        assert sorted(results) == ["ok", "refused"], results
        if results[0] == "ok":
            assert offer.status is OfferStatus.ACCEPTED and engagement.rung is Rung.MENTORSHIP
            assert actions == ["offer accepted"]
        else:
            assert offer.status is not OfferStatus.ACCEPTED and engagement.rung is Rung.INTEREST
            assert actions == [RIVAL_EVENTS[rival]]
