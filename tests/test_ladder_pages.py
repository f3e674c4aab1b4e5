"""The engagement and offer pages, clicked through as the employer, the teacher and the team."""

from __future__ import annotations

from datetime import timedelta

import pytest

from marketplace.extensions import db
from marketplace.models import (
    Engagement,
    EngagementEvent,
    Offer,
    OfferStatus,
    ProjectStatus,
    Rung,
)

from .conftest import shared_world
from .helpers import field_errors, field_value, flashes, school_today, text_of

TODAY = school_today()


def offer_form(**change):
    return {
        "rung": "mentorship",
        "title": "",
        "start_date": (TODAY + timedelta(days=14)).isoformat(),
        "end_date": (TODAY + timedelta(days=60)).isoformat(),
        "days_per_week": "1",
        "hours_per_week": "2",
        "remote": "y",
        "address": "",
        "amount": "",
        "amount_unit": "hour",
        "paid_by": "",
        "supervisor": "Dr. Priya Patel",
        "student_needs": "",
        "details": "Video calls every other Tuesday.",
        "respond_by": (TODAY + timedelta(days=7)).isoformat(),
        "action": "propose",
        **change,
    }


def build_scene(make):
    school = make.school(name="Riverside High")
    teacher = make.teacher(school=school)
    classroom = make.classroom(teacher=teacher)
    ava = make.student(classroom, first_name="Ava", last_name="Martinez", age=17)
    team = make.team(classroom, [ava], name="Trailblazers")
    project = make.project(team, status=ProjectStatus.PUBLISHED, title="CheckIn Buddy")
    organisation = make.organisation(verified_by=[school], name="Harbor Health")
    employer = make.employer(organisation)
    make.background_check(employer, school)
    return {"teacher": teacher, "ava": ava, "project": project, "employer": employer}


scene = shared_world(build_scene, name="scene")  # built once; each test rolled back


def test_interest_then_claim_to_mentor_then_approval_and_acceptance(client, login, scene):
    project, employer, teacher, ava = (scene[k] for k in ("project", "employer", "teacher", "ava"))
    login(employer)
    page = client.get(f"/projects/{project.id}")
    assert "I'm interested" in text_of(page) and "Claim to mentor" in text_of(page)

    answer = client.post(f"/projects/{project.id}/interest", data={"note": "Love it"})
    assert answer.status_code == 303
    engagement = db.session.query(Engagement).one()
    assert engagement.rung is Rung.INTEREST and engagement.note == "Love it"
    again = client.post(
        f"/projects/{project.id}/interest", data={"note": "x"}, follow_redirects=True
    )
    assert any("already showed interest" in f for f in flashes(again))
    assert db.session.query(Engagement).count() == 1

    claim = client.post(f"/projects/{project.id}/mentor")
    assert claim.headers["Location"].endswith(
        f"/engagements/{engagement.id}/offers/new?rung=mentorship"
    )
    sent = client.post(f"/engagements/{engagement.id}/offers/new", data=offer_form())
    assert sent.status_code == 303, text_of(sent)
    offer = db.session.query(Offer).one()
    assert offer.status is OfferStatus.PROPOSED

    login(teacher)
    assert "Approve the offer" in text_of(client.get(f"/offers/{offer.id}"))
    client.post(f"/offers/{offer.id}/approve")
    db.session.refresh(offer)
    assert offer.status is OfferStatus.APPROVED
    consent = client.post(
        f"/offers/{offer.id}/consent",
        data={"student_id": ava.id, "given_on": TODAY.isoformat(), "method": "signed form"},
        follow_redirects=True,
    )
    assert "Consent recorded for Ava." in flashes(consent)

    login(ava)
    page = client.get(f"/offers/{offer.id}")
    assert "Accept the mentorship" in text_of(page) and "Dr. Priya Patel" in text_of(page)
    unticked = client.post(f"/offers/{offer.id}/accept", data={}, follow_redirects=True)
    assert any("Tick the box" in f for f in flashes(unticked))
    client.post(f"/offers/{offer.id}/accept", data={"confirm": "y"})
    db.session.refresh(engagement)
    assert engagement.rung is Rung.MENTORSHIP

    timeline = text_of(client.get(f"/engagements/{engagement.id}"))
    org = employer.organisation.name
    for sentence in (  # what happened, in sentences; no state names
        f"of {org} showed interest in the project.",
        f"of {org} sent a mentorship offer to the teacher for approval.",
        "approved the mentorship offer, and it went to the students.",
        "recorded a guardian&#39;s consent to the mentorship offer.",
        "accepted the mentorship offer.",
    ):
        assert sentence in timeline, sentence
    assert "→" not in timeline and "proposed" not in timeline
    assert "Martinez" not in text_of(login(employer).get(f"/engagements/{engagement.id}"))


def test_a_wrong_offer_shows_each_fields_message_and_keeps_what_was_typed(
    client, login, scene, make
):
    engagement = make.engagement(scene["project"], scene["employer"], checked=False)
    login(scene["employer"])
    page = client.post(
        f"/engagements/{engagement.id}/offers/new",
        data=offer_form(
            end_date=(TODAY + timedelta(days=1)).isoformat(),
            hours_per_week="45",
            remote="",
            paid="y",
            respond_by=(TODAY - timedelta(days=1)).isoformat(),
            details="Keep this text",
        ),
    )
    assert page.status_code == 422
    errors = " ".join(field_errors(page))
    assert "end date must be on or after" in errors
    assert "between 1 and 40" in errors
    assert "address, or mark the offer as remote" in errors
    assert "needs the amount" in errors
    assert "today or later" in errors
    assert (
        "Keep this text" in text_of(page) and field_value(page, "supervisor") == "Dr. Priya Patel"
    )
    assert db.session.query(Offer).count() == 0


def test_sending_without_a_background_check_saves_nothing_and_says_why(client, login, scene, make):
    other = make.employer(scene["employer"].organisation)
    engagement = make.engagement(scene["project"], other, checked=False)
    login(other)
    page = client.post(f"/engagements/{engagement.id}/offers/new", data=offer_form())
    assert page.status_code == 422
    assert "background check" in text_of(page)
    assert db.session.query(Offer).count() == 0
    draft = client.post(f"/engagements/{engagement.id}/offers/new", data=offer_form(action="draft"))
    assert draft.status_code == 303
    assert db.session.query(Offer).one().status is OfferStatus.DRAFT


def test_the_pipeline_board_moves_a_card_forward_with_htmx(client, login, scene, make):
    engagement = make.engagement(scene["project"], scene["employer"], checked=False)
    login(scene["employer"])
    board = text_of(client.get("/pipeline"))
    assert "CheckIn Buddy" in board and f'id="card-{engagement.id}"' in board
    assert "Claim to mentor" in board
    form = client.get(
        f"/engagements/{engagement.id}/offers/new?rung=mentorship", headers={"HX-Request": "true"}
    )
    assert "<html" not in text_of(form) and 'hx-post="' in text_of(form)
    answer = client.post(
        f"/engagements/{engagement.id}/offers/new",
        data=offer_form(),
        headers={"HX-Request": "true"},
    )
    assert answer.status_code == 200
    assert "Sent to the teacher for approval." in text_of(answer)
    assert f'id="card-{engagement.id}" hx-swap-oob="true"' in text_of(answer)
    assert "waiting for teacher approval" in text_of(answer)


def test_a_student_sees_why_they_cannot_accept(client, login, scene, make):
    engagement = make.engagement(scene["project"], scene["employer"])
    offer = make.offer(engagement, status=OfferStatus.APPROVED)
    page = text_of(login(scene["ava"]).get(f"/offers/{offer.id}"))
    assert "guardian" in page and "Accept the mentorship" not in page


def test_students_never_see_drafts_and_outsiders_get_404(client, login, scene, make):
    engagement = make.engagement(scene["project"], scene["employer"])
    draft = make.offer(engagement)
    assert login(scene["ava"]).get(f"/offers/{draft.id}").status_code == 404
    stranger = make.employer(make.organisation(verified_by=[engagement.school]))
    login(stranger)
    assert client.get(f"/engagements/{engagement.id}").status_code == 404
    assert client.get(f"/offers/{draft.id}").status_code == 404
    assert client.post(f"/offers/{draft.id}/propose").status_code == 404
    assert db.session.query(EngagementEvent).count() == 0


def test_accepting_after_the_deadline_expires_the_offer_for_good(client, login, scene, make):
    engagement = make.engagement(scene["project"], scene["employer"])
    offer = make.offer(
        engagement, status=OfferStatus.APPROVED, respond_by=TODAY - timedelta(days=1)
    )
    login(scene["ava"])
    page = client.post(f"/offers/{offer.id}/accept", data={"confirm": "y"}, follow_redirects=True)
    assert any("deadline" in f and "expired" in f for f in flashes(page))
    db.session.expire_all()
    assert db.session.get(Offer, offer.id).status is OfferStatus.EXPIRED
    assert db.session.get(Engagement, engagement.id).rung is Rung.INTEREST


@pytest.mark.parametrize(
    "target", ["/\t/evil.example", "//evil.example", "/\n/x", "https://evil.example"]
)
def test_next_never_leaves_the_site(client, login, scene, make, target):
    engagement = make.engagement(scene["project"], scene["employer"])
    offer = make.offer(engagement, status=OfferStatus.PROPOSED)
    login(scene["teacher"])
    answer = client.post(f"/offers/{offer.id}/approve", data={"next": target})
    assert answer.status_code == 303
    assert answer.headers["Location"].endswith(f"/offers/{offer.id}")


def test_the_boards_panel_shows_the_forms_errors(client, login, scene, make):
    """htmx swaps 2xx answers only: the panel's refusals come with a 200."""
    engagement = make.engagement(scene["project"], scene["employer"])
    login(scene["employer"])
    answer = client.post(
        f"/engagements/{engagement.id}/offers/new",
        data=offer_form(hours_per_week="99"),
        headers={"HX-Request": "true"},
    )
    assert answer.status_code == 200
    assert "between 1 and 40" in " ".join(field_errors(answer))
    assert "<html" not in text_of(answer)


def test_claim_to_mentor_keeps_the_note(client, login, scene):
    login(scene["employer"])
    client.post(f"/projects/{scene['project'].id}/mentor", data={"note": "We run a clinic."})
    assert db.session.query(Engagement).one().note == "We run a clinic."


def test_another_teacher_of_the_school_reads_but_cannot_act(client, login, scene, make):
    engagement = make.engagement(scene["project"], scene["employer"])
    offer = make.offer(engagement, status=OfferStatus.PROPOSED)
    colleague = make.teacher(school=engagement.school)
    login(colleague)
    page = client.get(f"/offers/{offer.id}")
    assert page.status_code == 200 and "Approve the offer" not in text_of(page)
    refused = client.post(f"/offers/{offer.id}/approve", follow_redirects=True)
    assert any("no part" in f for f in flashes(refused))
    db.session.refresh(offer)
    assert offer.status is OfferStatus.PROPOSED
