"""The offer transition table, exhaustively: every offer state × every action × every role.

The expected outcome comes from the table written below (not from ladder.OFFER_TRANSITIONS), so
a wrong table in the domain fails here. An allowed move lands in the expected state and writes
one timeline row; a repeat of a move that already happened raises AlreadyDone; everything else
raises LadderError with a reason; and a refusal changes no row of any ladder table.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from marketplace.engagements import ladder
from marketplace.engagements.rules import Part
from marketplace.models import Engagement, Offer, OfferStatus, Rung, utcnow

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

S = OfferStatus
STAFF = frozenset({Part.TEACHER, Part.SCHOOL_ADMIN})
EMPLOYER = frozenset({Part.EMPLOYER})
STUDENT = frozenset({Part.STUDENT})

# (action, state it starts from) → (parts that may do it, state it lands in).
ALLOWED: dict[tuple[str, OfferStatus], tuple[frozenset[Part], OfferStatus]] = {
    ("propose", S.DRAFT): (EMPLOYER, S.PROPOSED),
    ("approve", S.PROPOSED): (STAFF, S.APPROVED),
    ("accept", S.APPROVED): (STUDENT, S.ACCEPTED),
    ("decline", S.APPROVED): (STUDENT, S.DECLINED),
    ("withdraw", S.DRAFT): (EMPLOYER, S.WITHDRAWN),
    ("withdraw", S.PROPOSED): (EMPLOYER, S.WITHDRAWN),
    ("withdraw", S.APPROVED): (EMPLOYER, S.WITHDRAWN),
    ("record_consent", S.PROPOSED): (STAFF, S.PROPOSED),
    ("record_consent", S.APPROVED): (STAFF, S.APPROVED),
    ("update_offer", S.DRAFT): (EMPLOYER, S.DRAFT),
}
# The state each move leads to: asking for it again there is a repeat (AlreadyDone), when the
# one asking may make that move at all.
REPEATS: dict[tuple[str, OfferStatus], frozenset[Part]] = {
    ("propose", S.PROPOSED): EMPLOYER,
    ("approve", S.APPROVED): STAFF,
    ("accept", S.ACCEPTED): STUDENT,
    ("decline", S.DECLINED): STUDENT,
    ("withdraw", S.WITHDRAWN): EMPLOYER,
}
EVENT_OF = {
    "propose": "offer proposed",
    "approve": "offer approved",
    "accept": "offer accepted",
    "decline": "offer declined",
    "withdraw": "offer withdrawn",
    "record_consent": "consent recorded",
    "update_offer": "offer edited",
}
ACTIONS = tuple(EVENT_OF)


def expected(action: str, state: OfferStatus, role: str) -> tuple[str, OfferStatus | None]:
    """("ok", landing state), ("repeat", None) or ("refused", None)."""
    part = PART_OF_ROLE[role]
    if (action, state) in ALLOWED and part in ALLOWED[action, state][0]:
        return "ok", ALLOWED[action, state][1]
    if part in REPEATS.get((action, state), frozenset()):
        return "repeat", None
    return "refused", None


def act(action: str, offer: Offer, user, world) -> None:
    """Call the domain function for `action` as `user` (consent is recorded for Ben)."""
    calls = {
        "propose": lambda: ladder.propose(offer, user, TODAY),
        "approve": lambda: ladder.approve(offer, user, TODAY),
        "accept": lambda: ladder.accept(offer, user, TODAY),
        "decline": lambda: ladder.decline(offer, user, "Not this term."),
        "withdraw": lambda: ladder.withdraw(offer, user),
        "record_consent": lambda: ladder.record_consent(
            offer, user, world.ben, TODAY, "signed form"
        ),
        "update_offer": lambda: ladder.update_offer(offer, user, {"details": "Bring a laptop."}),
    }
    calls[action]()


@pytest.fixture(scope="module")
def worlds(module_db):
    """For every offer state, a world with a mentorship offer in that state (an accepted one
    has lifted its engagement to mentorship)."""
    make = Factory()
    built = {}
    for state in OfferStatus:
        world = build_world(make, rung=Rung.MENTORSHIP if state is S.ACCEPTED else Rung.INTEREST)
        built[state] = world, world.offer(make, rung=Rung.MENTORSHIP, status=state)
    return built


CASES = [
    pytest.param(state, action, role, id=f"{state.value}-{action}-{role}")
    for state in OfferStatus
    for action in ACTIONS
    for role in ROLES
]


@pytest.mark.parametrize(("state", "action", "role"), CASES)
def test_offer_transition(worlds, state, action, role):
    """One cell of the table: the move succeeds as written, or is refused and changes nothing."""
    world, offer = worlds[state]
    outcome, landing = expected(action, state, role)
    before = snapshot()
    events_before = len(events())
    if outcome == "ok":
        act(action, offer, world.people[role], world)
        row = fresh(Offer, offer.id)
        assert row["status"] == landing
        timeline = events()
        assert len(timeline) == events_before + 1
        assert timeline[-1].action == EVENT_OF[action]
        assert timeline[-1].offer_id == offer.id
        assert timeline[-1].actor_id == world.people[role].id
        check_landing(action, world, offer)
        return
    error = ladder.AlreadyDone if outcome == "repeat" else ladder.LadderError
    with pytest.raises(ladder.LadderError) as refused:
        act(action, offer, world.people[role], world)
    assert type(refused.value) is error, refused.value
    assert str(refused.value).strip()
    assert snapshot() == before


def check_landing(action: str, world, offer: Offer) -> None:
    """What else an allowed move changed."""
    engagement = fresh(Engagement, world.engagement.id)
    row = fresh(Offer, offer.id)
    if action == "accept":
        assert engagement["rung"] == Rung.MENTORSHIP
        assert row["accepted_rung"] == Rung.MENTORSHIP
        assert row["answered_by_id"] == world.ava.id
    else:
        assert engagement["rung"] == Rung.INTEREST
        assert row["accepted_rung"] is None
    if action == "approve":
        assert row["approved_by_id"] is not None and row["approved_at"] is not None
    if action == "decline":
        assert row["answered_by_id"] == world.ava.id and row["answer_note"] == "Not this term."
    if action == "record_consent":
        assert {c.student_id for c in offer.consents} == {world.ava.id, world.ben.id}
    if action == "update_offer":
        assert row["details"] == "Bring a laptop."


EXPIRY_CASES = [
    pytest.param(state, days, id=f"{state.value}-deadline{days:+d}")
    for state in OfferStatus
    for days in (-1, 0, 1)
]


@pytest.mark.parametrize(("state", "days"), EXPIRY_CASES)
def test_expire(worlds, state, days):
    """Expiry is the marketplace's move (no actor): an unanswered offer (proposed or approved)
    whose deadline passed expires; anything else is left exactly as it was."""
    world, offer = worlds[state]
    offer.respond_by = TODAY + timedelta(days=days)
    before = snapshot()
    should = state in (S.PROPOSED, S.APPROVED) and days < 0
    assert ladder.expire(offer, TODAY) is should
    if should:
        assert fresh(Offer, offer.id)["status"] == S.EXPIRED
        (event,) = [e for e in events("offer expired") if e.offer_id == offer.id]
        assert event.actor_id is None and event.from_state == state.value
        assert fresh(Engagement, world.engagement.id)["rung"] == Rung.INTEREST
    else:
        assert snapshot() == before


def test_an_offer_without_a_deadline_never_expires(worlds):
    """No respond-by date: nothing to expire, however late it is."""
    _world, offer = worlds[S.APPROVED]
    offer.respond_by = None
    assert ladder.expire(offer, TODAY + timedelta(days=365)) is False
    assert fresh(Offer, offer.id)["status"] == S.APPROVED


def test_expire_overdue_expires_only_unanswered_offers_past_their_deadline(make):
    """The scheduler's sweep: proposed/approved offers past their deadline, once."""
    world = build_world(make)
    late = TODAY - timedelta(days=2)
    swept = [
        world.offer(make, rung=Rung.MENTORSHIP, status=S.PROPOSED, respond_by=late),
        world.offer(make, rung=Rung.JOB_SHADOWING, status=S.APPROVED, respond_by=late),
    ]
    kept = [
        world.offer(make, rung=Rung.EXTERNSHIP, status=S.APPROVED),
        world.offer(make, rung=Rung.INTERNSHIP, status=S.DRAFT, respond_by=late),
        world.offer(make, rung=Rung.INTERNSHIP, status=S.DECLINED, respond_by=late),
    ]
    assert ladder.expire_overdue(utcnow()) == 2
    assert [fresh(Offer, o.id)["status"] for o in swept] == [S.EXPIRED, S.EXPIRED]
    assert [fresh(Offer, o.id)["status"] for o in kept] == [S.APPROVED, S.DRAFT, S.DECLINED]
    assert {e.offer_id for e in events("offer expired")} == {o.id for o in swept}
    assert ladder.expire_overdue(utcnow()) == 0
    assert len(events("offer expired")) == 2
