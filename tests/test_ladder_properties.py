"""Property-based tests of the ladder: random sequences of moves by random people on one
engagement, with the invariants checked after every step.

- the rung never goes down, and it is the highest accepted offer's rung;
- at most one accepted offer per rung per engagement;
- no accepted offer without the teacher's approval, an eligible student of the offer, and (for a
  minor) the guardian's consent to that offer;
- every move that took wrote exactly one timeline row (completing the placements of a workplace
  rung writes one per placement, and the rung's own when it completes);
- a refused move changed nothing (but accepting past the deadline expires the offer, on purpose).

Each example runs in a savepoint rolled back after it, on a world built once for the module.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from marketplace.engagements import ladder, rules
from marketplace.extensions import db
from marketplace.models import (
    Answer,
    Completion,
    Engagement,
    GuardianConsent,
    Offer,
    OfferStatus,
    Placement,
    PlacementStatus,
    Rung,
    TeamMembership,
)
from marketplace.placements import completion
from marketplace.placements import rules as placement_rules

from .factories import Factory
from .test_ladder_world import (
    ROLES,
    TODAY,
    World,
    build_world,
    events,
    fresh,
    snapshot,
)

pytestmark = pytest.mark.usefixtures("module_db")  # one transaction; a savepoint per test

ORDER = ["interest", "mentorship", "job_shadowing", "externship", "internship"]
MINIMUM_AGE = {"mentorship": 0, "job_shadowing": 14, "externship": 16, "internship": 16}
ACTORS = (*ROLES, "ben", "cal")
RIGHT = {  # who would normally make each move (the strategy picks them half of the time)
    "draft": ["employer"],
    "update": ["employer"],
    "propose": ["employer"],
    "withdraw": ["employer"],
    "mark": ["employer"],
    "approve": ["teacher", "school_admin"],
    "consent": ["teacher", "school_admin"],
    "skip": ["teacher", "school_admin"],
    "confirm": ["teacher", "school_admin"],
    "finish": ["teacher", "school_admin"],  # completes the students' placements at the rung
    "accept": ["student", "ben", "cal"],
    "decline": ["student", "ben", "cal"],
    "close": ["employer", "teacher"],
    "expire": ["employer"],  # the marketplace's move: the actor is ignored
}
# "next" is the move that would carry the climb on (see `guided`); closing comes up rarely.
WEIGHTS = {"next": 12, "close": 1}
STEPS = st.tuples(
    st.sampled_from([a for a in [*sorted(RIGHT), "next"] for _ in range(WEIGHTS.get(a, 2))]),
    st.sampled_from([True, True, True, False]),
    st.integers(0, 5),
    st.sampled_from(ACTORS),
    st.integers(0, 7),
    st.sampled_from([None, None, *(Rung(r) for r in ORDER[1:])]),  # None: the next rung
    st.sampled_from([0, 0, 0, 0, 0, 10]),  # days from today: ten is past every deadline
)
CLIMB = [  # (action, right actor?, which one, else who, n, rung, +days)
    ("draft", True, 0, "employer", 0, Rung.MENTORSHIP, 0),
    ("propose", True, 0, "employer", 0, Rung.MENTORSHIP, 0),
    ("approve", True, 0, "teacher", 0, Rung.MENTORSHIP, 0),
    ("consent", True, 0, "teacher", 0, Rung.MENTORSHIP, 0),
    ("accept", True, 0, "student", 0, Rung.MENTORSHIP, 0),  # refused: Cal has no consent yet
    ("consent", True, 2, "teacher", 0, Rung.MENTORSHIP, 0),
    ("accept", True, 0, "student", 0, Rung.MENTORSHIP, 0),
    ("accept", True, 1, "student", 0, Rung.MENTORSHIP, 0),  # refused: already accepted
    ("skip", True, 0, "teacher", 0, Rung.INTERNSHIP, 0),
    ("draft", True, 0, "employer", 1, Rung.INTERNSHIP, 0),  # n odd: to Ava and Ben by name
    ("propose", True, 0, "employer", 0, Rung.INTERNSHIP, 0),
    ("approve", True, 1, "teacher", 0, Rung.INTERNSHIP, 0),
    ("consent", True, 1, "teacher", 0, Rung.INTERNSHIP, 0),
    ("accept", True, 2, "student", 0, Rung.INTERNSHIP, 0),  # refused: Cal is not named
    ("consent", True, 3, "teacher", 0, Rung.INTERNSHIP, 0),  # refused: nor another team's
    ("consent", True, 0, "teacher", 0, Rung.INTERNSHIP, 0),
    ("accept", True, 1, "student", 0, Rung.INTERNSHIP, 0),
    ("mark", True, 0, "employer", 0, Rung.INTERNSHIP, 0),  # refused: placements are open
    ("finish", True, 0, "teacher", 0, Rung.INTERNSHIP, 0),
]
YOUNG = [  # Cal, 13, tries a job shadowing (14+) with consent recorded: refused
    *CLIMB[:7],
    ("draft", True, 0, "employer", 0, None, 0),
    ("propose", True, 0, "employer", 0, None, 0),
    ("approve", True, 0, "teacher", 0, None, 0),
    ("consent", True, 2, "teacher", 0, None, 0),
    ("accept", True, 2, "student", 0, None, 0),
]
LATE = [  # an approved offer accepted ten days on: past its deadline, it expires
    ("draft", True, 0, "employer", 0, Rung.MENTORSHIP, 0),
    ("propose", True, 0, "employer", 0, Rung.MENTORSHIP, 0),
    ("approve", True, 0, "teacher", 0, Rung.MENTORSHIP, 0),
    ("accept", True, 0, "student", 0, Rung.MENTORSHIP, 10),
    ("expire", True, 0, "employer", 0, Rung.MENTORSHIP, 10),
]


@pytest.fixture(scope="module")
def world(module_db) -> World:
    """The world, with Cal (13: too young for job shadowing) added to the team."""
    make = Factory()
    built = build_world(make)
    team = built.engagement.team
    cal = make.student(classroom=team.classroom, age=13, first_name="Cal")
    db.session.add(TeamMembership(team=team, student=cal, classroom_id=team.classroom_id))
    built.people = dict(built.people, ben=built.ben, cal=cal)
    snapshot()
    return built


def terms(n: int) -> dict:
    """Valid terms (the deadline a week away)."""
    return {
        "start_date": TODAY + timedelta(days=14),
        "respond_by": TODAY + timedelta(days=7),
        "remote": True,
        "hours_per_week": n + 1,
    }


def guided(step, world: World) -> tuple:
    """Turn a "next" step into the move that would carry the climb on, by its usual actor."""
    _, _, which, anyone, n, rung, days = step
    engagement, which = world.engagement, which % 3
    query = sa.select(Offer).filter_by(engagement_id=engagement.id).order_by(Offer.id)
    offers = list(db.session.scalars(query))
    open_ones = [i for i, o in enumerate(offers) if o.status.is_open]
    if not open_ones:
        if engagement.completion is Completion.MARKED:
            return ("confirm", True, which, anyone, 0, rung, days)
        climbed = engagement.rung is not Rung.INTEREST
        if climbed and engagement.completion is Completion.OPEN and n % 2:
            if open_placements(engagement):
                return ("finish", True, which, anyone, 0, rung, days)
            return ("mark", True, which, anyone, 0, rung, days)
        return ("draft", True, which, anyone, n, None, days)
    offer, pick = offers[open_ones[-1]], len(offers) - 1 - open_ones[-1]
    action = {OfferStatus.DRAFT: "propose", OfferStatus.PROPOSED: "approve"}.get(offer.status)
    if action is None:  # half the time the student tries before the consents are recorded
        missing = rules.consents_missing(offer, TODAY + timedelta(days=days))
        if missing and n % 2 == 0:
            students = [world.people[k] for k in ("student", "ben", "cal", "other_student")]
            return ("consent", True, students.index(missing[0]), anyone, pick, rung, days)
        action = "accept"
    return (action, True, which, anyone, pick, rung, days)


def open_placements(engagement: Engagement) -> list[Placement]:
    return [
        p
        for p in ladder.placements_at(engagement, engagement.rung)
        if p.status in (PlacementStatus.AGREEMENT, PlacementStatus.ACTIVE)
    ]


def finish(engagement: Engagement, actor) -> None:
    """The school completes the students' placements at the rung (signed by everyone, then
    completed by the teacher's decision): the rung completes with them."""
    placements = open_placements(engagement)
    if not placements or not all(placement_rules.is_staff(p, actor) for p in placements):
        raise ladder.LadderError("Only the school's staff complete the students' placements.")
    for placement in placements:
        if placement.status is PlacementStatus.AGREEMENT:
            Factory().signatures(placement)
        completion.complete(placement, actor, "Hours and evaluation kept on paper.")


def run(step, world: World) -> str:
    """Make one move; "ok", "refused", "expired" (accept past the deadline) or "skipped"."""
    if step[0] == "next":
        step = guided(step, world)
    action, right, which, anyone, n, rung, days = step
    people, engagement = world.people, world.engagement
    actor = people[RIGHT[action][which % len(RIGHT[action])] if right else anyone]
    today = TODAY + timedelta(days=days)
    query = sa.select(Offer).filter_by(engagement_id=engagement.id).order_by(Offer.id)
    offers = list(db.session.scalars(query))
    offer = offers[-1 - n % len(offers)] if offers else None  # n = 0: the latest
    if offer is None and action not in ("draft", "skip", "mark", "confirm", "close"):
        return "skipped"
    students = [people["student"], people["ben"], people["cal"], people["other_student"]]
    if rung is None:
        rung = engagement.rung.next or Rung.INTERNSHIP
        rung = (rung.next or rung) if action == "skip" else rung
    moves = {
        "draft": lambda: ladder.draft_offer(
            engagement,
            actor,
            rung,
            terms(n),
            # Two named, or the whole team (named, from job shadowing up).
            [s.id for s in students[: 2 if n % 2 else 3]] if n % 2 or rung.is_workplace else [],
        ),
        "update": lambda: ladder.update_offer(offer, actor, {"details": f"v{n}"}),
        "propose": lambda: ladder.propose(offer, actor, today),
        "approve": lambda: ladder.approve(offer, actor, today),
        "accept": lambda: ladder.accept(offer, actor, today),
        "decline": lambda: ladder.decline(offer, actor),
        "withdraw": lambda: ladder.withdraw(offer, actor),
        "consent": lambda: ladder.record_consent(offer, actor, students[which % 4], TODAY, "form"),
        "skip": lambda: ladder.allow_skip(engagement, actor, rung),
        "mark": lambda: ladder.mark_complete(engagement, actor),
        "confirm": lambda: ladder.confirm_complete(engagement, actor),
        "close": lambda: ladder.close(engagement, actor),
        "finish": lambda: finish(engagement, actor),
    }
    if action == "expire":
        return "ok" if ladder.expire(offer, today) else "refused"
    try:
        moves[action]()
    except ladder.LadderError as error:
        assert str(error).strip()
        return "expired" if isinstance(error, ladder.Expired) else "refused"
    return "ok"


def check_accepted_offers(world: World) -> None:
    """At most one per rung; each approved, answered by a student of the offer; every student
    it is to eligible by age and, if a minor, with consent; the engagement on the highest."""
    accepted = list(
        db.session.scalars(
            sa.select(Offer).filter_by(engagement_id=world.engagement.id, status="accepted")
        )
    )
    rungs = [o.rung for o in accepted]
    assert len(rungs) == len(set(rungs))
    for offer in accepted:
        assert offer.accepted_rung is offer.rung
        assert offer.approved_by_id is not None and offer.approved_at is not None
        assert offer.answered_by in rules.participants(offer)
        # A team offer commits everyone it is to; an individual one each student who accepted.
        committed = (
            [a.student for a in offer.answers if a.answer is Answer.ACCEPTED]
            if offer.is_individual
            else rules.participants(offer)
        )
        assert offer.answered_by in committed
        for student in committed:
            age = student.age_on(TODAY)
            assert age is not None and age >= MINIMUM_AGE[offer.rung.value]
            consents = db.session.scalars(
                sa.select(GuardianConsent).filter_by(offer_id=offer.id, student_id=student.id)
            )
            assert age >= 18 or list(consents)
    highest = max((ORDER.index(r.value) for r in rungs), default=0)
    assert fresh(Engagement, world.engagement.id)["rung"] == Rung(ORDER[highest])


@settings(
    max_examples=50,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(steps=st.lists(STEPS, min_size=5, max_size=30))
@example(steps=CLIMB)
@example(steps=YOUNG)
@example(steps=LATE)
def test_random_moves_keep_the_ladder_consistent(world, steps):
    """Every invariant holds after every step of any sequence."""
    savepoint = db.session.begin_nested()
    try:
        for step in steps:
            before, timeline = snapshot(), len(events())
            rung = fresh(Engagement, world.engagement.id)["rung"]
            outcome = run(step, world)
            after = snapshot()
            if outcome == "ok":
                new = [e.action for e in events()[timeline:]]
                finished = "placement completed" in new  # one per placement, and the rung's
                assert len(new) == 1 or (
                    finished and set(new) <= {"placement completed", "rung completed"}
                ), step
            elif outcome == "expired":
                assert [e.action for e in events()[timeline:]] == ["offer expired"], step
                assert any(o[3] == OfferStatus.EXPIRED for o in after["offer"])
            else:
                assert after == before, step
            new_rung = fresh(Engagement, world.engagement.id)["rung"]
            assert ORDER.index(new_rung.value) >= ORDER.index(rung.value), step
            check_accepted_offers(world)
    finally:
        if savepoint.is_active:
            savepoint.rollback()
        db.session.expire_all()


def test_the_examples_climb_and_expire(world):
    """The explicit examples do what they say (so the invariants are not checked on nothing)."""
    savepoint = db.session.begin_nested()
    try:
        outcomes = [run(step, world) for step in CLIMB]
        assert outcomes.count("refused") == 5  # the four marked above, and marking the internship
        assert fresh(Engagement, world.engagement.id)["status"] == "completed"
    finally:
        savepoint.rollback()
        db.session.expire_all()
    savepoint = db.session.begin_nested()
    try:
        assert [run(step, world) for step in YOUNG][7:] == ["ok", "ok", "ok", "ok", "refused"]
    finally:
        savepoint.rollback()
        db.session.expire_all()
    savepoint = db.session.begin_nested()
    try:
        assert [run(step, world) for step in LATE] == ["ok", "ok", "ok", "expired", "refused"]
    finally:
        savepoint.rollback()
        db.session.expire_all()
