"""The ladder's transitions, called as the domain functions (the pages have their own tests)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from marketplace.engagements import ladder, rules
from marketplace.extensions import db
from marketplace.models import (
    Completion,
    EngagementEvent,
    EngagementStatus,
    Notification,
    OfferStatus,
    ProjectStatus,
    Rung,
)

TODAY = date.today()


def terms(**kw):
    base = {
        "start_date": TODAY + timedelta(days=14),
        "end_date": TODAY + timedelta(days=40),
        "days_per_week": 1,
        "hours_per_week": 3,
        "remote": True,
        "respond_by": TODAY + timedelta(days=7),
        "supervisor": "Dr. Patel",
    }
    base.update(kw)
    return base


@pytest.fixture
def world(make):
    school = make.school()
    teacher = make.teacher(school=school)
    classroom = make.classroom(teacher=teacher)
    ava = make.student(classroom=classroom, age=17, first_name="Ava")
    ben = make.student(classroom=classroom, age=15, first_name="Ben")
    team = make.team(members=[ava, ben])
    project = make.project(team=team, status=ProjectStatus.PUBLISHED)
    organisation = make.organisation(verified_by=[school])
    employer = make.employer(organisation)
    make.background_check(employer, school)
    return locals()


def climb_one(world, rung, student):
    e, employer, teacher = world["engagement"], world["employer"], world["teacher"]
    offer = ladder.draft_offer(e, employer, rung, terms())
    ladder.propose(offer, employer, TODAY)
    ladder.approve(offer, teacher, TODAY)
    for s in rules.consents_missing(offer, TODAY):
        ladder.record_consent(offer, teacher, s, TODAY, "signed form")
    ladder.accept(offer, student, TODAY)
    return offer


def test_the_whole_climb_from_interest_to_internship(world):
    e = ladder.show_interest(world["project"], world["employer"], "Love the check-in idea")
    world["engagement"] = e
    assert e.rung is Rung.INTEREST
    for rung in (Rung.MENTORSHIP, Rung.JOB_SHADOWING, Rung.EXTERNSHIP, Rung.INTERNSHIP):
        offer = climb_one(world, rung, world["ava"])
        assert offer.status is OfferStatus.ACCEPTED
        assert e.rung is rung
        ladder.mark_complete(e, world["employer"])
        ladder.confirm_complete(e, world["teacher"])
    assert e.status is EngagementStatus.COMPLETED
    assert e.completion is Completion.CONFIRMED
    actions = [ev.action for ev in db.session.query(EngagementEvent).order_by(EngagementEvent.id)]
    assert actions[0] == "interest"
    assert actions.count("offer accepted") == 4
    assert db.session.query(Notification).count() > 10


def test_a_minor_cannot_accept_without_consent(world):
    world["engagement"] = e = ladder.show_interest(world["project"], world["employer"])
    offer = ladder.draft_offer(e, world["employer"], Rung.MENTORSHIP, terms())
    ladder.propose(offer, world["employer"], TODAY)
    ladder.approve(offer, world["teacher"], TODAY)
    with pytest.raises(ladder.LadderError, match="guardian"):
        ladder.accept(offer, world["ava"], TODAY)
    assert offer.status is OfferStatus.APPROVED and e.rung is Rung.INTEREST


def test_a_15_year_old_cannot_accept_an_externship(world, make):
    e = world["engagement"] = make.engagement(
        world["project"], world["employer"], rung=Rung.JOB_SHADOWING, checked=False
    )
    offer = make.offer(e, status=OfferStatus.APPROVED)
    ladder.record_consent(offer, world["teacher"], world["ben"], TODAY, "phone call")
    with pytest.raises(ladder.LadderError, match="aged 16 and over"):
        ladder.accept(offer, world["ben"], TODAY)


def test_skipping_needs_the_teachers_permission(world):
    e = world["engagement"] = ladder.show_interest(world["project"], world["employer"])
    offer = ladder.draft_offer(e, world["employer"], Rung.EXTERNSHIP, terms())
    with pytest.raises(ladder.LadderError, match="in order"):
        ladder.propose(offer, world["employer"], TODAY)
    ladder.allow_skip(e, world["teacher"], Rung.EXTERNSHIP)
    ladder.propose(offer, world["employer"], TODAY)
    assert offer.status is OfferStatus.PROPOSED


def test_repeating_an_accept_does_not_act_twice(world):
    world["engagement"] = ladder.show_interest(world["project"], world["employer"])
    offer = climb_one(world, Rung.MENTORSHIP, world["ava"])
    events = db.session.query(EngagementEvent).count()
    with pytest.raises(ladder.AlreadyDone):
        ladder.accept(offer, world["ava"], TODAY)
    assert db.session.query(EngagementEvent).count() == events


def test_declining_after_the_deadline_expires_the_offer(world, make):
    e = make.engagement(world["project"], world["employer"])
    offer = make.offer(e, status=OfferStatus.APPROVED, respond_by=TODAY - timedelta(days=1))
    with pytest.raises(ladder.Expired):
        ladder.decline(offer, world["ava"], "too late anyway", TODAY)
    assert offer.status is OfferStatus.EXPIRED


def test_a_colleague_without_a_background_check_cannot_send_the_offer(world, make):
    e = make.engagement(world["project"], world["employer"])
    offer = make.offer(e)
    colleague = make.employer(world["organisation"])
    with pytest.raises(ladder.LadderError, match="needs a background check"):
        ladder.propose(offer, colleague, TODAY)
    make.background_check(colleague, world["school"])
    ladder.propose(offer, colleague, TODAY)
    assert offer.status is OfferStatus.PROPOSED
