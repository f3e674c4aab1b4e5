"""The ladder's gates on the students' side: guardian consent for minors (and unknown ages), age
eligibility per rung (the school's settings, default and changed), the answer's deadline, and
offers to named students.

Expected outcomes come from the tables here; every refusal changes no row of any ladder table.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from marketplace.engagements import ladder, rules
from marketplace.extensions import db
from marketplace.models import (
    Engagement,
    Notification,
    Offer,
    OfferRecipient,
    OfferStatus,
    Rung,
    User,
)

from .test_ladder_world import (
    TODAY,
    build_world,
    consent,
    events,
    fresh,
    snapshot,
)

pytestmark = pytest.mark.usefixtures("module_db")  # one transaction; a savepoint per test

ORDER = ["interest", "mentorship", "job_shadowing", "externship", "internship"]
DEFAULT_MINIMUM = {"mentorship": 0, "job_shadowing": 14, "externship": 16, "internship": 16}
CHANGED = {"min_age_job_shadowing": 16, "min_age_externship": 17, "min_age_internship": 18}
CHANGED_MINIMUM = {"mentorship": 0, "job_shadowing": 16, "externship": 17, "internship": 18}


def approved_offer(make, rung: Rung, ages=(17, 17), **kw):
    """A world whose engagement sits just below `rung`, and an approved offer for it (Ava's
    guardian consent recorded)."""
    world = build_world(make, rung=Rung(ORDER[ORDER.index(rung.value) - 1]), ages=ages)
    kw.setdefault("recipients", [OfferRecipient(student_id=world.ava.id)])  # Ava's alone
    return world, world.offer(make, rung=rung, status=OfferStatus.APPROVED, **kw)


def accepted(offer: Offer, student, today: date = TODAY) -> bool:
    """Try to accept; True if it took, False if refused (and then nothing changed)."""
    before = snapshot()
    try:
        ladder.accept(offer, student, today)
    except ladder.LadderError as error:
        assert str(error).strip()
        assert snapshot() == before
        return False
    assert fresh(Offer, offer.id)["status"] == OfferStatus.ACCEPTED
    return True


CONSENT_CASES = [
    pytest.param(age, given, id=f"age-{age}-consent-{given}")
    for age in (15, 17, 18, 30, None)
    for given in ("none", "own", "other-student", "other-offer")
]


@pytest.mark.parametrize(("age", "given"), CONSENT_CASES)
def test_a_minor_or_a_student_of_unknown_age_needs_consent_to_this_offer(make, age, given):
    """Under 18 or no date of birth: consent for this student to this very offer, else no."""
    world = build_world(make, ages=(age or 20, 17))
    if age is None:
        world.ava.date_of_birth = None
    offer = make.offer(
        world.engagement,
        rung=Rung.MENTORSHIP,
        status=OfferStatus.APPROVED,
        recipients=[OfferRecipient(student_id=world.ava.id)],  # only Ava's consent counts
    )
    teacher = world.people["teacher"]
    if given == "own":
        consent(offer, world.ava, teacher)
    elif given == "other-student":
        consent(offer, world.ben, teacher)
    elif given == "other-offer":
        other = make.offer(world.engagement, rung=Rung.JOB_SHADOWING, status=OfferStatus.PROPOSED)
        consent(other, world.ava, teacher)
    adult = age is not None and age >= 18
    assert accepted(offer, world.ava) is (adult or given == "own")
    assert (world.ava in rules.consents_missing(offer, TODAY)) is not (adult or given == "own")


AGE_CASES = [
    pytest.param(rung, age, settings, id=f"{rung}-age-{age}-{settings}")
    for settings in ("default", "changed", "no-limits")
    for rung in ORDER[1:]
    for age in (13, 14, 15, 16, 17, 18)
]


@pytest.mark.parametrize(("rung", "age", "settings"), AGE_CASES)
def test_each_rung_has_a_minimum_age_set_by_the_school(make, rung, age, settings):
    """Default: job shadowing 14+, externship and internship 16+; the school may change them
    (0: no limit). Consent is recorded, so only the age decides."""
    world, offer = approved_offer(make, Rung(rung), ages=(age, 17))
    school = world.engagement.school
    if settings == "changed":
        for name, value in CHANGED.items():
            setattr(school, name, value)
    elif settings == "no-limits":
        for name in CHANGED:
            setattr(school, name, 0)
    minimum = {"default": DEFAULT_MINIMUM, "changed": CHANGED_MINIMUM}.get(settings, {})
    eligible = age >= minimum.get(rung, 0)
    assert accepted(offer, world.ava) is eligible
    if not eligible:
        problems = rules.acceptance_problems(offer, world.ava, TODAY)
        assert problems == [
            f"{Rung(rung).a.capitalize()} is open to students aged {minimum[rung]} and over."
        ]


@pytest.mark.parametrize(("birthday", "eligible"), [(0, True), (1, False)])
def test_a_sixteenth_birthday_counts_from_that_day(make, birthday, eligible):
    """Sixteen today may accept an externship; sixteen tomorrow may not yet."""
    world, offer = approved_offer(make, Rung.EXTERNSHIP)
    world.ava.date_of_birth = date(TODAY.year - 16, TODAY.month, TODAY.day) + timedelta(birthday)
    assert accepted(offer, world.ava) is eligible


@pytest.mark.parametrize("rung", ORDER[1:])
def test_a_student_of_unknown_age_cannot_take_a_rung_with_a_minimum_age(make, rung):
    """No date of birth: mentorship (no minimum) with consent, nothing above it."""
    world, offer = approved_offer(make, Rung(rung))
    world.ava.date_of_birth = None
    assert accepted(offer, world.ava) is (rung == "mentorship")


@pytest.mark.parametrize(("days", "acceptable"), [(-1, False), (0, True), (1, True), (None, True)])
def test_an_offer_past_its_deadline_is_refused_and_expires(make, days, acceptable):
    """The day of the deadline still counts; the day after, accepting expires the offer."""
    respond_by = None if days is None else TODAY + timedelta(days=days)
    world, offer = approved_offer(make, Rung.MENTORSHIP, respond_by=respond_by)
    if acceptable:
        ladder.accept(offer, world.ava, TODAY)
        assert fresh(Engagement, world.engagement.id)["rung"] == Rung.MENTORSHIP
        return
    with pytest.raises(ladder.Expired, match="deadline"):
        ladder.accept(offer, world.ava, TODAY)
    assert fresh(Offer, offer.id)["status"] == OfferStatus.EXPIRED
    assert [(e.action, e.actor_id) for e in events()] == [("offer expired", None)]
    assert fresh(Engagement, world.engagement.id)["rung"] == Rung.INTEREST
    before = snapshot()
    with pytest.raises(ladder.LadderError, match="expired"):
        ladder.accept(offer, world.ben, TODAY)
    assert snapshot() == before


def test_an_offer_to_named_students_is_theirs_alone(make):
    """Ben, of the same team, neither accepts nor declines an offer to Ava, nor gets consent
    recorded for it; Ava accepts it."""
    world, offer = approved_offer(make, Rung.MENTORSHIP)
    address(offer, world.ava)
    assert rules.participants(offer) == [world.ava]
    teacher = world.people["teacher"]
    for call in (
        lambda: ladder.accept(offer, world.ben, TODAY),
        lambda: ladder.decline(offer, world.ben),
        lambda: ladder.record_consent(offer, teacher, world.ben, TODAY, "email"),
    ):
        before = snapshot()
        with pytest.raises(ladder.LadderError, match="students"):
            call()
        assert snapshot() == before
    ladder.accept(offer, world.ava, TODAY)
    assert fresh(Offer, offer.id)["answered_by_id"] == world.ava.id


def address(offer: Offer, *students: User) -> None:
    """Address `offer` to `students` by name (straight in the table)."""
    offer.recipients = [OfferRecipient(student_id=s.id) for s in students]
    db.session.flush()


def test_only_students_of_the_team_can_be_named(make):
    """Naming a student of another team is refused, in a draft and in its update."""
    world = build_world(make)
    employer, outsider = world.people["employer"], world.people["other_student"]
    before = snapshot()
    with pytest.raises(ladder.LadderError, match="students of the team"):
        ladder.draft_offer(world.engagement, employer, Rung.MENTORSHIP, {}, [outsider.id])
    assert snapshot() == before
    offer = ladder.draft_offer(world.engagement, employer, Rung.MENTORSHIP, {}, [world.ben.id])
    assert rules.participants(offer) == [world.ben]
    before = snapshot()
    with pytest.raises(ladder.LadderError, match="students of the team"):
        ladder.update_offer(offer, employer, {}, [outsider.id])
    assert snapshot() == before
    ladder.update_offer(offer, employer, {}, [world.ava.id])
    db.session.expire(offer, ["recipients"])
    assert rules.participants(offer) == [world.ava]


def test_only_the_named_students_and_the_employer_hear_of_the_approval(make):
    """The approval's notifications go to the offer's students and its author, not the team."""
    world = build_world(make)
    offer = world.offer(make, rung=Rung.MENTORSHIP, status=OfferStatus.PROPOSED)
    address(offer, world.ben)
    ladder.approve(offer, world.people["teacher"], TODAY)
    (event,) = events("offer approved")
    told = {n.user_id for n in db.session.query(Notification).filter_by(event_id=event.id)}
    assert told == {world.ben.id, world.people["employer"].id}
