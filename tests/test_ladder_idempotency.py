"""Repeating a transition does not act twice: the repeat (by the same person, or by another who
may make the same move) raises AlreadyDone and writes no second timeline or outbox row."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from marketplace.engagements import ladder
from marketplace.extensions import db
from marketplace.models import EngagementEvent, Notification, OfferStatus, ProjectStatus, Rung
from marketplace.placements import completion

from .test_ladder_world import (
    TODAY,
    build_world,
    consent,
    events,
    snapshot,
)

pytestmark = pytest.mark.usefixtures("module_db")  # one transaction; a savepoint per test


def scenario(make, action: str):
    """The world, the move to repeat as f(actor), and who makes it first and who repeats it."""
    world = build_world(make, rung=Rung.MENTORSHIP if "complete" in action else Rung.INTEREST)
    p, e = world.people, world.engagement
    state = {"propose": "draft", "approve": "proposed", "withdraw": "proposed"}.get(action)
    state = state or ("proposed" if action == "record_consent" else "approved")
    offer = world.offer(make, rung=Rung.MENTORSHIP, status=OfferStatus(state))
    project = make.project(team=e.team, status=ProjectStatus.PUBLISHED)
    moves = {
        "show_interest": (lambda u: ladder.show_interest(project, u), "employer", "employer2"),
        "propose": (lambda u: ladder.propose(offer, u, TODAY), "employer", "employer2"),
        "approve": (lambda u: ladder.approve(offer, u, TODAY), "teacher", "school_admin"),
        "accept": (lambda u: ladder.accept(offer, u, TODAY), "student", "ben"),
        "decline": (lambda u: ladder.decline(offer, u), "student", "ben"),
        "withdraw": (lambda u: ladder.withdraw(offer, u), "employer", "employer2"),
        "record_consent": (
            lambda u: ladder.record_consent(offer, u, world.ben, TODAY, "signed form"),
            "teacher",
            "school_admin",
        ),
        "allow_skip": (
            lambda u: ladder.allow_skip(e, u, Rung.EXTERNSHIP),
            "teacher",
            "school_admin",
        ),
        "mark_complete": (lambda u: ladder.mark_complete(e, u), "employer", "employer2"),
        "confirm_complete": (lambda u: ladder.confirm_complete(e, u), "teacher", "school_admin"),
        "close": (lambda u: ladder.close(e, u), "employer", "teacher"),
    }
    people = dict(p, ben=world.ben, employer2=make.employer(p["employer"].organisation))
    make.background_check(people["employer2"], e.school)
    if action == "confirm_complete":
        ladder.mark_complete(e, p["employer"])
    if action == "accept":
        consent(offer, world.ben, p["teacher"])
    move, first, second = moves[action]
    return move, people[first], people[second]


ACTIONS = [
    "show_interest",
    "propose",
    "approve",
    "accept",
    "decline",
    "withdraw",
    "record_consent",
    "allow_skip",
    "mark_complete",
    "confirm_complete",
    "close",
]


@pytest.mark.parametrize("who", ["same", "other"])
@pytest.mark.parametrize("action", ACTIONS)
def test_a_repeated_move_raises_already_done_and_writes_nothing(make, action, who):
    """The first request acts once; the repeat changes no row (no second event, no mail)."""
    move, first, second = scenario(make, action)
    before = len(events())
    move(first)
    assert len(events()) == before + 1
    after_first = snapshot()
    with pytest.raises(ladder.AlreadyDone) as repeat:
        move(first if who == "same" else second)
    assert str(repeat.value).strip()
    assert snapshot() == after_first


@pytest.mark.parametrize("days", [1, 30])
def test_expiring_twice_expires_once(make, days):
    """The sweep may run as often as it likes: an offer expires once, with one event."""
    world = build_world(make)
    offer = world.offer(make, rung=Rung.MENTORSHIP, status=OfferStatus.APPROVED)
    late = offer.respond_by + timedelta(days=days)
    assert ladder.expire(offer, late) is True
    after = snapshot()
    assert ladder.expire(offer, late) is False
    assert ladder.expire_overdue(datetime.combine(late, time(12), tzinfo=UTC)) == 0
    assert snapshot() == after
    assert len(events("offer expired")) == 1


def test_a_transition_tells_each_person_once_and_never_the_one_who_acted(make):
    """Across a whole climb, every outbox row points at its event, to someone other than its
    actor, at most once per event."""
    world = build_world(make)
    p, e = world.people, world.engagement
    for rung in (Rung.MENTORSHIP, Rung.JOB_SHADOWING, Rung.EXTERNSHIP, Rung.INTERNSHIP):
        offer = world.offer(make, rung=rung)
        ladder.propose(offer, p["employer"], TODAY)
        ladder.approve(offer, p["teacher"], TODAY)
        ladder.accept(offer, world.ava, TODAY)
        if rung.is_workplace:  # the rung completes with Ava's placement
            placement = make.signatures(ladder.placements_at(e, rung)[0])
            completion.complete(placement, p["school_admin"], "Hours kept on paper this term.")
        else:
            ladder.mark_complete(e, p["employer"])
            ladder.confirm_complete(e, p["school_admin"])
    rows = db.session.execute(
        sa.select(Notification.user_id, EngagementEvent.actor_id, EngagementEvent.id).join(
            EngagementEvent, Notification.event_id == EngagementEvent.id
        )
    ).all()
    assert rows and len(rows) == db.session.query(Notification).count()
    assert all(user != actor for user, actor, _ in rows)
    assert len({(user, event) for user, _, event in rows}) == len(rows)
    assert e.status.value == "completed"
