"""The ladder's gates on the employer's and teacher's side: rung order and skips, the
organisation's verification, background checks, and the teacher's approval of valid terms.

Each expected outcome comes from a table or rule written here; every refusal carries a reason and
changes no row of any ladder table.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from marketplace.engagements import ladder
from marketplace.extensions import db
from marketplace.models import (
    BackgroundCheck,
    Offer,
    OfferStatus,
    Partnership,
    ProjectStatus,
    Rung,
    VerificationStatus,
)

from .test_ladder_world import TODAY, build_world, fresh, snapshot

pytestmark = pytest.mark.usefixtures("module_db")  # one transaction; a savepoint per test

# The ladder, written out here so a wrong order in the domain fails.
ORDER = ["interest", "mentorship", "job_shadowing", "externship", "internship"]
OFFER_RUNGS = [Rung(r) for r in ORDER[1:]]


def refused(call, match: str | None = None) -> str:
    """Run `call`, expect a LadderError with a reason, and check nothing changed."""
    before = snapshot()
    with pytest.raises(ladder.LadderError, match=match) as error:
        call()
    assert str(error.value).strip()
    assert snapshot() == before
    return str(error.value)


def may_offer(current: Rung, rung: Rung, skip: Rung | None) -> bool:
    """The next rung, or any rung up to a skip the teacher allowed."""
    here, there = ORDER.index(current.value), ORDER.index(rung.value)
    if there <= here:
        return False
    return there == here + 1 or (skip is not None and ORDER.index(skip.value) >= there)


ORDER_CASES = [
    pytest.param(current, rung, skip, id=f"at-{current}-offer-{rung}-skip-{skip}")
    for current in Rung
    for rung in OFFER_RUNGS
    for skip in (None, Rung.INTERNSHIP)
]


@pytest.mark.parametrize(("current", "rung", "skip"), ORDER_CASES)
def test_rungs_are_offered_in_order_unless_a_skip_is_allowed(make, current, rung, skip):
    """Drafting needs a higher rung; proposing needs the next one or an allowed skip."""
    world = build_world(make, rung=current)
    world.engagement.skip_allowed_to = skip
    employer = world.people["employer"]
    higher = ORDER.index(rung.value) > ORDER.index(current.value)
    if not higher:
        refused(lambda: ladder.draft_offer(world.engagement, employer, rung, {}))
    offer = world.offer(make, rung=rung)
    if may_offer(current, rung, skip):
        ladder.propose(offer, employer, TODAY)
        assert fresh(Offer, offer.id)["status"] == OfferStatus.PROPOSED
    else:
        refused(lambda: ladder.propose(offer, employer, TODAY))


@pytest.mark.parametrize(("current", "rung", "skip"), ORDER_CASES)
def test_an_approved_offer_is_accepted_only_in_order(make, current, rung, skip):
    """The order is checked again on acceptance: the engagement never climbs down or jumps."""
    world = build_world(make, rung=current)
    world.engagement.skip_allowed_to = skip
    offer = world.offer(make, rung=rung, status=OfferStatus.APPROVED)
    if may_offer(current, rung, skip):
        ladder.accept(offer, world.ava, TODAY)
        assert world.engagement.rung is rung
    else:
        refused(lambda: ladder.accept(offer, world.ava, TODAY))


@pytest.mark.parametrize("current", [r for r in Rung if r is not Rung.INTERNSHIP])
@pytest.mark.parametrize("to", OFFER_RUNGS)
def test_a_skip_must_jump_over_a_rung(make, current, to):
    """Allowing a skip to the next rung (or lower) is refused: it needs no permission."""
    world = build_world(make, rung=current)
    teacher = world.people["teacher"]
    if ORDER.index(to.value) >= ORDER.index(current.value) + 2:
        ladder.allow_skip(world.engagement, teacher, to)
        assert world.engagement.skip_allowed_to is to
    else:
        refused(lambda: ladder.allow_skip(world.engagement, teacher, to), "needs no skip")


def test_a_skip_permission_only_grows(make):
    """A wider permission replaces a narrower one; a narrower one is already covered."""
    world = build_world(make)
    teacher = world.people["teacher"]
    ladder.allow_skip(world.engagement, teacher, Rung.EXTERNSHIP)
    ladder.allow_skip(world.engagement, teacher, Rung.INTERNSHIP)
    before = snapshot()
    with pytest.raises(ladder.AlreadyDone):
        ladder.allow_skip(world.engagement, teacher, Rung.JOB_SHADOWING)
    assert snapshot() == before
    assert world.engagement.skip_allowed_to is Rung.INTERNSHIP


VERIFICATION_CASES = [
    pytest.param(standing, step, id=f"{standing}-{step}")
    for standing in ("verified", "pending", "declined", "none")
    for step in ("show_interest", "propose", "approve", "accept")
]


@pytest.mark.parametrize(("standing", "step"), VERIFICATION_CASES)
def test_only_an_organisation_verified_by_the_school_climbs(make, standing, step):
    """Interest, proposal, approval and acceptance all need the school's verification now."""
    world = build_world(make)
    partnership = db.session.scalar(
        sa.select(Partnership)
        .where(Partnership.school_id == world.engagement.school_id)
        .where(Partnership.organisation_id == world.engagement.organisation_id)
    )
    if standing == "none":
        db.session.delete(partnership)
    else:
        partnership.status = VerificationStatus(standing)
    db.session.flush()
    db.session.expire_all()
    employer = world.people["employer"]
    state = {"propose": "draft", "approve": "proposed", "accept": "approved"}.get(step, "draft")
    offer = world.offer(make, rung=Rung.MENTORSHIP, status=OfferStatus(state))
    calls = {
        "show_interest": lambda: ladder.show_interest(
            make.project(team=world.engagement.team, status=ProjectStatus.PUBLISHED), employer
        ),
        "propose": lambda: ladder.propose(offer, employer, TODAY),
        "approve": lambda: ladder.approve(offer, world.people["teacher"], TODAY),
        "accept": lambda: ladder.accept(offer, world.ava, TODAY),
    }
    if standing == "verified":
        calls[step]()
    else:
        refused(calls[step], "verified")


CHECKS = {
    "valid": {"checked_on": TODAY - timedelta(days=30), "valid_until": None},
    "valid-until-today": {"checked_on": TODAY - timedelta(days=30), "valid_until": TODAY},
    "expired": {"checked_on": TODAY - timedelta(days=400), "valid_until": TODAY - timedelta(1)},
    "dated-tomorrow": {"checked_on": TODAY + timedelta(days=1), "valid_until": None},
    "missing": None,
    "other-school-only": "other",
}
CHECK_CASES = [
    pytest.param(check, step, rung, id=f"{check}-{step}-{rung}")
    for check in CHECKS
    for step in ("propose", "approve", "accept")
    for rung in (Rung.MENTORSHIP, Rung.INTERNSHIP)
]


@pytest.mark.parametrize(("check", "step", "rung"), CHECK_CASES)
def test_every_offer_needs_the_employers_background_check_valid_today(make, check, step, rung):
    """Mentorship and above: the offering employer's check, by this school, valid today."""
    current = Rung(ORDER[ORDER.index(rung.value) - 1])
    world = build_world(make, rung=current)
    employer = world.people["employer"]
    row = db.session.scalar(sa.select(BackgroundCheck).filter_by(user_id=employer.id))
    if CHECKS[check] is None or CHECKS[check] == "other":
        db.session.delete(row)
        if CHECKS[check] == "other":
            make.background_check(employer, make.school())
    else:
        row.checked_on, row.valid_until = CHECKS[check]["checked_on"], CHECKS[check]["valid_until"]
    db.session.flush()
    state = {"propose": "draft", "approve": "proposed", "accept": "approved"}[step]
    offer = world.offer(make, rung=rung, status=OfferStatus(state))
    calls = {
        "propose": lambda: ladder.propose(offer, employer, TODAY),
        "approve": lambda: ladder.approve(offer, world.people["teacher"], TODAY),
        "accept": lambda: ladder.accept(offer, world.ava, TODAY),
    }
    if check.startswith("valid"):
        calls[step]()
    else:
        refused(calls[step], "background check")


BAD_TERMS = {
    "no-start": ({"start_date": None}, "start date"),
    "end-before-start": ({"end_date": TODAY + timedelta(days=13)}, "end date"),
    "eight-days": ({"days_per_week": 8}, "Days per week"),
    "41-hours": ({"hours_per_week": 41, "days_per_week": 5}, "Hours per week"),
    "11-hours-a-day": ({"hours_per_week": 11, "days_per_week": 1}, "hours a day"),
    "no-place": ({"remote": False, "address": " "}, "address"),
    "paid-no-amount": ({"paid": True, "paid_by": "Acme"}, "amount"),
    "paid-zero": ({"paid": True, "amount": Decimal(0), "paid_by": "Acme"}, "amount"),
    "paid-no-payer": ({"paid": True, "amount": Decimal(12)}, "who pays"),
    "no-deadline": ({"respond_by": None}, "answer"),
    "deadline-past": ({"respond_by": TODAY - timedelta(days=1)}, "today or later"),
    "deadline-after-start": ({"respond_by": TODAY + timedelta(days=15)}, "start date"),
}


@pytest.mark.parametrize("step", ["propose", "approve"])
@pytest.mark.parametrize("case", BAD_TERMS)
def test_offers_with_invalid_terms_are_neither_sent_nor_approved(make, case, step):
    """The terms are checked when sent and again when the teacher approves."""
    world = build_world(make)
    terms, message = BAD_TERMS[case]
    state = OfferStatus.DRAFT if step == "propose" else OfferStatus.PROPOSED
    offer = world.offer(make, rung=Rung.MENTORSHIP, status=state, **terms)
    if step == "propose":
        refused(lambda: ladder.propose(offer, world.people["employer"], TODAY), message)
    else:
        refused(lambda: ladder.approve(offer, world.people["school_admin"], TODAY), message)


def test_students_cannot_accept_before_the_teacher_approves(make):
    """A proposed offer waits for the teacher, whoever of the team tries."""
    world = build_world(make, ages=(18, 18))
    offer = world.offer(make, rung=Rung.MENTORSHIP, status=OfferStatus.PROPOSED)
    for student in (world.ava, world.ben):
        refused(lambda s=student: ladder.accept(offer, s, TODAY), "proposed")
    ladder.approve(offer, world.people["teacher"], TODAY)
    ladder.accept(offer, world.ben, TODAY)
    assert fresh(Offer, offer.id)["answered_by_id"] == world.ben.id
