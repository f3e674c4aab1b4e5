"""A school that declines or stops verifying an organisation: its engagements with the school's
teams close, said to be the school's doing, and its members see nothing more of the students."""

from __future__ import annotations

from marketplace.extensions import db
from marketplace.models import (
    EngagementEvent,
    EngagementStatus,
    OfferStatus,
    ProjectStatus,
    VerificationStatus,
)

from .helpers import text_of


def scene(make):
    school = make.school(name="Riverside High")
    teacher = make.teacher(school=school)
    classroom = make.classroom(teacher)
    ava = make.student(classroom, first_name="Avalon", last_name="Martinez")
    team = make.team(classroom, [ava], name="Nightjars")
    project = make.project(team, status=ProjectStatus.PUBLISHED, title="Clinic check-in")
    organisation = make.organisation(verified_by=[school], name="Harbor Health")
    employer = make.employer(organisation)
    engagement = make.engagement(project, employer)
    offer = make.offer(engagement, status=OfferStatus.APPROVED)
    elsewhere = make.engagement(
        make.project(status=ProjectStatus.PUBLISHED, title="Far away"), employer
    )
    partnership = organisation.partnership_with(school.id)
    return locals()


def test_declining_closes_the_schools_engagements_and_hides_the_students(client, login, make):
    s = scene(make)
    login(s["teacher"])
    response = client.post(
        f"/partners/verification/{s['partnership'].id}/decline", data={"note": "No reply."}
    )
    assert response.status_code in (302, 303)
    db.session.expire_all()
    assert s["partnership"].status is VerificationStatus.DECLINED
    assert s["engagement"].status is EngagementStatus.CLOSED
    assert s["offer"].status is OfferStatus.WITHDRAWN
    assert s["elsewhere"].status is EngagementStatus.ACTIVE  # another school's: untouched
    closed = db.session.query(EngagementEvent).filter_by(
        engagement_id=s["engagement"].id, action="engagement closed by the school"
    )
    assert closed.count() == 1

    login(s["employer"])
    page = text_of(client.get(f"/engagements/{s['engagement'].id}"))
    assert "Closed by Riverside High" in page
    assert "Avalon" not in page and "Nightjars" not in page
    assert client.get(f"/offers/{s['offer'].id}").status_code == 404
    board = text_of(client.get("/pipeline"))
    assert "closed by the school" in board and "Nightjars" not in board and "Avalon" not in board


def test_the_team_and_teacher_read_that_the_school_closed_it(client, login, make):
    s = scene(make)
    login(s["teacher"])
    client.post(f"/partners/verification/{s['partnership'].id}/decline", data={"note": ""})
    page = text_of(client.get(f"/engagements/{s['engagement'].id}"))
    assert "closed the engagement for the school" in page
    assert "Riverside High no longer works with Harbor Health." in page


def test_a_declined_employer_gets_no_offer_form_and_no_thread_in_the_inbox(client, login, make):
    from marketplace.messaging import service as messaging

    s = scene(make)
    messaging.engagement_thread(s["engagement"])
    db.session.commit()
    login(s["teacher"])
    client.post(f"/partners/verification/{s['partnership'].id}/decline", data={"note": ""})
    login(s["employer"])
    assert client.get(f"/engagements/{s['engagement'].id}/offers/new").status_code == 404
    inbox = text_of(client.get("/messages"))
    assert "Nightjars" not in inbox and "Avalon" not in inbox
