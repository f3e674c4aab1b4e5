"""The ladder's transitions, called as the domain functions (the pages have their own tests)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from marketplace.engagements import ladder, queries, rules, story
from marketplace.extensions import db
from marketplace.models import (
    Completion,
    Engagement,
    EngagementEvent,
    EngagementStatus,
    Notification,
    Offer,
    OfferStatus,
    Placement,
    ProjectStatus,
    Rung,
)
from marketplace.placements import completion

from .conftest import shared_world
from .helpers import school_today

TODAY = school_today()


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


def build_world(make):
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


world = shared_world(build_world, name="world")  # built once; each test rolled back


def climb_one(world, rung, student):
    e, employer, teacher = world["engagement"], world["employer"], world["teacher"]
    # From job shadowing up an offer names its students: Ava's alone.
    named = [student.id] if rung.is_workplace else []
    offer = ladder.draft_offer(e, employer, rung, terms(), named)
    ladder.propose(offer, employer, TODAY)
    ladder.approve(offer, teacher, TODAY)
    for s in rules.consents_missing(offer, TODAY):
        ladder.record_consent(offer, teacher, s, TODAY, "signed form")
    ladder.accept(offer, student, TODAY)
    return offer


def test_the_whole_climb_from_interest_to_internship(world, make):
    e = ladder.show_interest(world["project"], world["employer"], "Love the check-in idea")
    world["engagement"] = e
    assert e.rung is Rung.INTEREST
    for rung in (Rung.MENTORSHIP, Rung.JOB_SHADOWING, Rung.EXTERNSHIP, Rung.INTERNSHIP):
        offer = climb_one(world, rung, world["ava"])
        assert offer.status is OfferStatus.ACCEPTED
        assert e.rung is rung
        # The engagement keeps when it reached the rung (the funnel reads it).
        assert getattr(e, Engagement.reached_column(rung)) == offer.answered_at
        if rung.is_workplace:  # the rung completes with Ava's placement
            placement = ladder.placements_at(e, rung)[0]
            make.signatures(placement)
            with pytest.raises(ladder.LadderError, match="completes with the students' placements"):
                ladder.mark_complete(e, world["employer"])
            completion.complete(placement, world["teacher"], "Hours and evaluation on paper.")
            assert e.completion is Completion.CONFIRMED
        else:
            ladder.mark_complete(e, world["employer"])
            ladder.confirm_complete(e, world["teacher"])
    assert e.status is EngagementStatus.COMPLETED
    assert e.completion is Completion.CONFIRMED
    actions = [ev.action for ev in db.session.query(EngagementEvent).order_by(EngagementEvent.id)]
    assert actions[0] == "interest"
    assert actions.count("offer accepted") == 4
    assert actions.count("placement completed") == 3
    completed = [
        story.sentence(ev, world["teacher"])
        for ev in db.session.query(EngagementEvent).order_by(EngagementEvent.id)
        if ev.action == "rung completed"
    ]
    assert completed == [  # each names the rung it completed, not where the engagement is now
        f"{world['teacher'].full_name} confirmed the {rung} is complete"
        for rung in ("mentorship", "job shadowing", "externship", "internship")
    ]
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
    offer = ladder.draft_offer(e, world["employer"], Rung.EXTERNSHIP, terms(), [world["ava"].id])
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


def test_one_students_yes_to_a_team_offer_cannot_commit_a_teammate_without_consent(world, make):
    """A whole-team offer needs every student of it consented, not just the one who answers;
    the teammate may step out of it instead."""
    classroom = make.classroom(teacher=world["teacher"])
    adult = make.student(classroom, age=18, first_name="Sam")
    kid = make.student(classroom, age=13, first_name="Kit")
    team = make.team(classroom, [adult, kid])
    project = make.project(team, status=ProjectStatus.PUBLISHED)
    e = make.engagement(project, world["employer"])
    offer = make.offer(e, status=OfferStatus.APPROVED)
    with pytest.raises(ladder.LadderError, match=r"guardian's consent of Kit"):
        ladder.accept(offer, adult, TODAY)
    assert offer.status is OfferStatus.APPROVED and e.rung is Rung.INTEREST
    ladder.step_out(offer, kid, "I have football on Tuesdays")
    assert rules.participants(offer) == [adult]
    ladder.accept(offer, adult, TODAY)
    assert e.rung is Rung.MENTORSHIP


def test_each_named_student_answers_an_individual_offer_for_themselves(world, make):
    """From job shadowing up, one student's yes commits only them: the underage teammate is
    refused on their own, and each acceptance opens that student's placement."""
    classroom = make.classroom(teacher=world["teacher"])
    adult = make.student(classroom, age=18, first_name="Sam")
    kid = make.student(classroom, age=13, first_name="Kit")
    other = make.student(classroom, age=18, first_name="Ola")
    team = make.team(classroom, [adult, kid, other])
    project = make.project(team, status=ProjectStatus.PUBLISHED)
    e = make.engagement(project, world["employer"], rung=Rung.MENTORSHIP)
    offer = make.offer(e, status=OfferStatus.APPROVED)
    ladder.accept(offer, adult, TODAY)
    assert offer.status is OfferStatus.ACCEPTED and e.rung is Rung.JOB_SHADOWING
    with pytest.raises(ladder.LadderError, match=r"aged 14 and over\."):
        ladder.accept(offer, kid, TODAY)
    ladder.decline(offer, kid, "Next year", TODAY)
    ladder.accept(offer, other, TODAY)  # after a teammate: still their own answer
    with pytest.raises(ladder.AlreadyDone):
        ladder.accept(offer, other, TODAY)
    placed = db.session.scalars(sa.select(Placement).where(Placement.offer_id == offer.id))
    assert sorted(p.student_id for p in placed) == sorted([adult.id, other.id])
    assert offer.status is OfferStatus.ACCEPTED
    assert [a.answer.value for a in sorted(offer.answers, key=lambda a: a.student_id)] == [
        "accepted",
        "declined",
        "accepted",
    ]


def test_an_individual_offer_is_declined_when_every_named_student_declines(world, make):
    e = make.engagement(world["project"], world["employer"], rung=Rung.MENTORSHIP)
    offer = make.offer(e, status=OfferStatus.APPROVED)
    ladder.decline(offer, world["ava"], "", TODAY)
    assert offer.status is OfferStatus.APPROVED
    ladder.decline(offer, world["ben"], "", TODAY)
    assert offer.status is OfferStatus.DECLINED


def test_a_workplace_offer_must_name_its_students(world):
    e = world["engagement"] = ladder.show_interest(world["project"], world["employer"])
    ladder.allow_skip(e, world["teacher"], Rung.JOB_SHADOWING)
    offer = ladder.draft_offer(e, world["employer"], Rung.JOB_SHADOWING, terms())
    with pytest.raises(ladder.LadderError, match="Name the students"):
        ladder.propose(offer, world["employer"], TODAY)


def test_a_confirmation_that_read_the_engagement_before_a_close_does_not_win(world, make):
    e = make.engagement(world["project"], world["employer"], rung=Rung.MENTORSHIP)
    ladder.mark_complete(e, world["employer"])
    # Someone else closes it while this request holds its old copy of the engagement.
    db.session.execute(
        sa.update(Engagement)
        .where(Engagement.id == e.id)
        .values(status=EngagementStatus.CLOSED)
        .execution_options(synchronize_session=False)
    )
    with pytest.raises(ladder.LadderError, match="changed this engagement"):
        ladder.confirm_complete(e, world["teacher"])
    assert e.status is EngagementStatus.CLOSED


def test_two_drafts_for_one_rung_at_once_leave_one(world, make):
    e = make.engagement(world["project"], world["employer"])
    db.session.execute(  # another request drafted a moment ago: the version moved on
        sa.update(Engagement)
        .where(Engagement.id == e.id)
        .values(version=Engagement.version + 1)
        .execution_options(synchronize_session=False)
    )
    with pytest.raises(ladder.LadderError, match="changed this engagement"):
        ladder.draft_offer(e, world["employer"], Rung.MENTORSHIP, terms())
    assert db.session.query(Offer).count() == 0


def test_students_never_read_of_drafts(world, make):
    e = ladder.show_interest(world["project"], world["employer"])
    ladder.draft_offer(e, world["employer"], Rung.MENTORSHIP, terms())
    assert "send" in rules.next_step(e, world["employer"])
    assert rules.next_step(e, world["ava"]) == "The employer can claim to mentor the team."
    assert [ev.action for ev in queries.timeline(e, world["ava"])] == ["interest"]


def test_the_consent_event_names_nobody(world, make):
    e = make.engagement(world["project"], world["employer"])
    offer = make.offer(e, status=OfferStatus.APPROVED)
    ladder.record_consent(offer, world["teacher"], world["ava"], TODAY, "phone call")
    event = db.session.query(EngagementEvent).one()
    assert "Ava" not in event.detail and "phone call" in event.detail
