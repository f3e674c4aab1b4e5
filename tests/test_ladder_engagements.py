"""The engagement's own moves, exhaustively: every status × completion × action × role.

mark_complete, confirm_complete, close and allow_skip on an engagement at mentorship. The expected
outcome comes from the tables below; a refusal must change no row of any ladder table.
"""

from __future__ import annotations

import pytest

from marketplace.engagements import ladder, rules
from marketplace.engagements.rules import Part
from marketplace.models import Completion, Engagement, EngagementStatus, Offer, OfferStatus, Rung

from .factories import Factory
from .test_ladder_world import (
    PART_OF_ROLE,
    ROLES,
    TODAY,
    build_world,
    events,
    fresh,
    snapshot,
)

pytestmark = pytest.mark.usefixtures("module_db")  # one transaction; a savepoint per test

A, C, X = EngagementStatus.ACTIVE, EngagementStatus.COMPLETED, EngagementStatus.CLOSED
OPEN, MARKED, CONFIRMED = Completion.OPEN, Completion.MARKED, Completion.CONFIRMED
STAFF = frozenset({Part.TEACHER, Part.SCHOOL_ADMIN})

# Who may make each move at all.
MAY = {
    "mark_complete": frozenset({Part.EMPLOYER}),
    "confirm_complete": STAFF,
    "close": STAFF | {Part.EMPLOYER},
    "allow_skip": STAFF,
}
# For those who may: (status, completion) → outcome; a missing pair is a refusal.
OUTCOMES: dict[str, dict[tuple[EngagementStatus, Completion], str]] = {
    "mark_complete": {(A, OPEN): "ok", (A, MARKED): "repeat", (A, CONFIRMED): "repeat"},
    "confirm_complete": {(A, MARKED): "ok", (A, CONFIRMED): "repeat"},
    "close": {(A, c): "ok" for c in Completion} | {(X, c): "repeat" for c in Completion},
    "allow_skip": {(A, c): "ok" for c in Completion},
}
# What an allowed move changes on the engagement row, and the timeline row it writes.
LANDING = {
    "mark_complete": ({"completion": MARKED}, "rung marked complete"),
    "confirm_complete": ({"completion": CONFIRMED, "status": A}, "rung completed"),
    "close": ({"status": X}, "engagement closed"),
    "allow_skip": ({"skip_allowed_to": Rung.EXTERNSHIP}, "skip allowed"),
}


def act(action: str, engagement: Engagement, user) -> None:
    """Call the domain function for `action` as `user`."""
    if action == "allow_skip":
        ladder.allow_skip(engagement, user, Rung.EXTERNSHIP)
    elif action == "close":
        ladder.close(engagement, user, "The team graduated.")
    else:
        getattr(ladder, action)(engagement, user)


@pytest.fixture(scope="module")
def worlds(module_db):
    """For every status × completion, a world whose engagement is at mentorship in it."""
    make = Factory()
    built = {}
    for status in EngagementStatus:
        for completion in Completion:
            world = build_world(make, rung=Rung.MENTORSHIP)
            world.engagement.status, world.engagement.completion = status, completion
            built[status, completion] = world
    snapshot()  # flush
    return built


CASES = [
    pytest.param(status, completion, action, role, id=f"{status}-{completion}-{action}-{role}")
    for status in EngagementStatus
    for completion in Completion
    for action in MAY
    for role in ROLES
]


@pytest.mark.parametrize(("status", "completion", "action", "role"), CASES)
def test_engagement_move(worlds, status, completion, action, role):
    """One cell: the move lands as written, or is refused with a reason and changes nothing."""
    world = worlds[status, completion]
    engagement, user = world.engagement, world.people[role]
    outcome = OUTCOMES[action].get((status, completion), "refused")
    if PART_OF_ROLE[role] not in MAY[action]:
        outcome = "refused"
    before, row_before = snapshot(), fresh(Engagement, engagement.id)
    if outcome == "ok":
        act(action, engagement, user)
        changes, event_action = LANDING[action]
        row = fresh(Engagement, engagement.id)
        assert {k: row[k] for k in changes} == changes
        unchanged = set(row) - set(changes) - {"version", "last_event_at"}
        assert {k: row[k] for k in unchanged} == {k: row_before[k] for k in unchanged}
        assert row["version"] == row_before["version"] + 1
        (event,) = events()
        assert (event.action, event.actor_id) == (event_action, user.id)
        return
    with pytest.raises(ladder.LadderError) as refused:
        act(action, engagement, user)
    expected = ladder.AlreadyDone if outcome == "repeat" else ladder.LadderError
    assert type(refused.value) is expected, refused.value
    assert str(refused.value).strip()
    assert snapshot() == before


def test_interest_is_not_a_rung_to_complete(make):
    """Nothing to mark complete before the first offer is accepted."""
    world = build_world(make)
    before = snapshot()
    with pytest.raises(ladder.LadderError, match="make an offer"):
        ladder.mark_complete(world.engagement, world.people["employer"])
    assert snapshot() == before


@pytest.mark.parametrize("rung", [r for r in Rung if r is not Rung.INTEREST])
def test_confirming_a_rung_suggests_the_next_and_the_last_completes_the_ladder(make, rung):
    """After confirmation the next step names the next rung; the internship ends the ladder."""
    world = build_world(make, rung=rung)
    ladder.mark_complete(world.engagement, world.people["employer"])
    ladder.confirm_complete(world.engagement, world.people["teacher"])
    row = fresh(Engagement, world.engagement.id)
    if rung is Rung.INTERNSHIP:
        assert row["status"] == C
        assert "complete" in rules.next_step(world.engagement)
        with pytest.raises(ladder.LadderError, match="completed"):
            ladder.close(world.engagement, world.people["employer"])
    else:
        assert row["status"] == A
        assert rung.next.label in rules.next_step(world.engagement)
        ladder.draft_offer(world.engagement, world.people["employer"], rung.next, {})
    assert events("rung completed")[-1].detail


def test_closing_withdraws_the_open_offers_and_leaves_the_answered_ones(make):
    """Draft, proposed and approved offers are withdrawn; one timeline row for the close."""
    world = build_world(make, rung=Rung.MENTORSHIP)
    states = {
        Rung.MENTORSHIP: OfferStatus.ACCEPTED,
        Rung.JOB_SHADOWING: OfferStatus.DECLINED,
        Rung.EXTERNSHIP: OfferStatus.PROPOSED,
        Rung.INTERNSHIP: OfferStatus.APPROVED,
    }
    offers = {r: world.offer(make, rung=r, status=s) for r, s in states.items()}
    offers["draft"] = world.offer(make, rung=Rung.INTERNSHIP, status=OfferStatus.DRAFT)
    ladder.close(world.engagement, world.people["teacher"], "The project ended.")
    after = {k: fresh(Offer, o.id)["status"] for k, o in offers.items()}
    assert after == {
        Rung.MENTORSHIP: OfferStatus.ACCEPTED,
        Rung.JOB_SHADOWING: OfferStatus.DECLINED,
        Rung.EXTERNSHIP: OfferStatus.WITHDRAWN,
        Rung.INTERNSHIP: OfferStatus.WITHDRAWN,
        "draft": OfferStatus.WITHDRAWN,
    }
    assert [e.action for e in events()] == ["engagement closed"]
    assert fresh(Engagement, world.engagement.id)["rung"] == Rung.MENTORSHIP


@pytest.mark.parametrize("status", [C, X])
def test_an_ended_engagement_takes_no_new_offer(make, status):
    """Neither a draft nor a skip once the engagement is completed or closed."""
    world = build_world(make, rung=Rung.MENTORSHIP)
    world.engagement.status = status
    before = snapshot()
    with pytest.raises(ladder.LadderError, match=status.value):
        ladder.draft_offer(world.engagement, world.people["employer"], Rung.JOB_SHADOWING, {})
    assert snapshot() == before


def test_accepting_an_approved_offer_of_a_closed_engagement_is_refused(make):
    """An offer left approved in a closed engagement (say, a race with the close) cannot lift it,
    and the refusal leaves every row as it was."""
    world = build_world(make)
    offer = world.offer(make, rung=Rung.MENTORSHIP, status=OfferStatus.APPROVED)
    world.engagement.status = X
    before = snapshot()
    with pytest.raises(ladder.LadderError):
        ladder.accept(offer, world.ava, TODAY)
    assert snapshot() == before
