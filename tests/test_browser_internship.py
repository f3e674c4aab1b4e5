"""A whole internship in a real Chromium: an offer to one named student; the guardian consents
and signs the agreement on a phone by link; the supervisor signs and verifies two weeks of hours
by link, and gives the final evaluation; the teacher completes it; the student downloads the
certificate, whose text is checked."""

from __future__ import annotations

from datetime import timedelta

import pypdfium2 as pdfium
import pytest
from playwright.sync_api import expect

from marketplace import clock
from marketplace.extensions import db
from marketplace.models import (
    Completion,
    Engagement,
    Offer,
    Placement,
    PlacementStatus,
    ProjectStatus,
    Rung,
)
from marketplace.placements import hours
from marketplace.placements.plans import DEFAULT_RUBRIC

from .browsing import shot, sideways_px, sqlite_pass_only
from .helpers import school_today

pytestmark = [
    pytest.mark.browser,
    sqlite_pass_only,
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]

GUARDIAN = "pat.martinez@family.example"
SUPERVISOR = "sam.ortiz@harborhealth.example"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def world(make):
    school = make.school(name="Riverside High School")
    teacher = make.teacher(school=school, first_name="Maria", last_name="Rivera")
    classroom = make.classroom(teacher=teacher, name="Health Science")
    ava = make.student(classroom, first_name="Ava", last_name="Martinez", age=16, username="ava.m")
    ben = make.student(classroom, first_name="Ben", last_name="Okafor", age=17, username="ben.o")
    team = make.team(classroom, [ava, ben], name="Trailblazers")
    project = make.project(team, status=ProjectStatus.PUBLISHED, title="CheckIn Buddy")
    organisation = make.organisation(verified_by=[school], name="Harbor Health")
    employer = make.employer(organisation, first_name="Jordan", last_name="Lee")
    engagement = make.engagement(
        project, employer, rung=Rung.EXTERNSHIP, completion=Completion.CONFIRMED
    )
    db.session.commit()
    return {"teacher": teacher, "ava": ava, "employer": employer, "engagement": engagement}


def on_phone(browser, live_server):
    """A guardian's or supervisor's own phone: no account, no cookies; console errors kept."""
    context = browser.new_context(base_url=live_server, viewport=PHONE)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    return page, errors


def test_a_whole_internship_from_offer_to_certificate(browser, live_server, tab, world, outbox):
    today = school_today()
    e = world["engagement"]

    # The employer offers the internship to Ava by name.
    employer = tab(world["employer"].email)
    employer.goto(f"/engagements/{e.id}")
    employer.click("a[role=button]:has-text('Offer an internship')")
    start = today + timedelta(days=21)
    employer.fill("input[name=start_date]", start.isoformat())
    employer.fill("input[name=end_date]", (start + timedelta(days=28)).isoformat())
    employer.fill("input[name=respond_by]", (today + timedelta(days=7)).isoformat())
    employer.fill("input[name=days_per_week]", "2")
    employer.fill("input[name=hours_per_week]", "6")
    employer.fill("input[name=address]", "Harbor Health, 100 Bay St, Riverside")
    employer.fill("input[name=supervisor]", "Sam Ortiz")
    employer.fill("input[name=title]", "Front-desk informatics intern")
    employer.check("label:has-text('Ava M.') >> input[name=students]")
    employer.click("button:has-text('Send to the teacher')")
    expect(employer.locator(".flash")).to_contain_text("Sent to the teacher")
    offer = db.session.query(Offer).filter_by(rung=Rung.INTERNSHIP).one()

    # The teacher approves and asks Ava's guardian to consent online.
    teacher = tab(world["teacher"].email)
    teacher.goto(f"/offers/{offer.id}")
    teacher.click("button:has-text('Approve the offer')")
    teacher.click("summary:has-text('Or ask the guardian to consent online')")
    teacher.fill(".ask-consent-form input[name=name]", "Pat Martinez")
    teacher.fill(".ask-consent-form input[name=email]", GUARDIAN)
    teacher.click("button:has-text('Send a consent link')")
    expect(teacher.locator(".flash")).to_contain_text("consent link was sent")

    guardian, guardian_errors = on_phone(browser, live_server)
    guardian.goto(outbox.last_link(GUARDIAN, "/p/consent/"))
    expect(guardian.locator("main")).to_contain_text("Front-desk informatics intern")
    guardian.fill("input[name=typed_name]", "Pat Martinez")
    guardian.check("input[name=agree]")
    guardian.click("button[type=submit]")
    expect(guardian.locator("main")).to_contain_text("Thank you")

    # Ava accepts for herself: her placement opens.
    ava = tab("ava.m")
    ava.goto(f"/offers/{offer.id}")
    ava.check("input[name=confirm]")
    ava.click("button:has-text('Accept the internship for myself')")
    expect(ava.locator(".flash")).to_contain_text("your internship placement is open")
    placement = db.session.query(Placement).one()

    # The teacher settles the agreement: dates two weeks back, 12 hours, the supervisor's
    # address; signs; sends it to the guardian and the supervisor.
    first_monday = hours.monday_of(clock.school_today(placement.school)) - timedelta(days=14)
    teacher.goto(f"/placements/{placement.id}/agreement")
    teacher.fill("input[name=start_date]", first_monday.isoformat())
    teacher.fill("input[name=end_date]", (first_monday + timedelta(days=27)).isoformat())
    teacher.fill("input[name=expected_hours]", "12")
    teacher.fill("input[name=supervisor_title]", "Front-desk lead")
    teacher.fill("input[name=supervisor_email]", SUPERVISOR)
    teacher.click("button:has-text('Save the terms')")
    expect(teacher.locator(".flash")).to_contain_text("Saved")
    teacher.fill("#signatures input[name=typed_name]", "Maria Rivera")
    teacher.check("#signatures input[name=agree]")
    teacher.click("button:has-text('Sign the agreement')")
    teacher.click("button:has-text('Send the agreement for signatures')")
    expect(teacher.locator(".flash")).to_contain_text("Sent.")

    ava.goto(f"/placements/{placement.id}")
    ava.fill("#signatures input[name=typed_name]", "Ava Martinez")
    ava.check("#signatures input[name=agree]")
    ava.click("button:has-text('Sign the agreement')")
    expect(ava.locator(".flash")).to_contain_text("Signed")

    guardian.goto(outbox.last_link(GUARDIAN, "/p/sign/"))
    expect(guardian.locator("main")).to_contain_text("Front-desk lead")
    shot(guardian, "internship-1-guardian-signs-on-a-phone")
    assert sideways_px(guardian) == 0
    guardian.fill("input[name=typed_name]", "Pat Martinez")
    guardian.check("input[name=agree]")
    guardian.click("button:has-text('Sign the agreement')")
    expect(guardian.locator("main")).to_contain_text("Thank you")
    guardian.context.close()
    assert guardian_errors == []

    supervisor, supervisor_errors = on_phone(browser, live_server)
    supervisor.goto(outbox.last_link(SUPERVISOR, "/p/sign/"))
    expect(supervisor.locator("main")).not_to_contain_text("Martinez")  # no surname
    supervisor.fill("input[name=typed_name]", "Sam Ortiz")
    supervisor.check("input[name=agree]")
    supervisor.click("button:has-text('Sign the agreement')")
    expect(supervisor.locator("main")).to_contain_text("Thank you")
    db.session.expire_all()
    assert placement.status is PlacementStatus.ACTIVE

    # Two weeks of hours, each sent to the supervisor and verified by link.
    for week in (first_monday, first_monday + timedelta(days=7)):
        ava.goto(f"/placements/{placement.id}/hours?week={week.isoformat()}")
        for offset in (0, 2):
            ava.fill("input[name=day]", (week + timedelta(days=offset)).isoformat())
            ava.fill("input[name=starts]", "15:00")
            ava.fill("input[name=ends]", "18:00")
            ava.fill("input[name=activity]", "Front desk check-ins and the waiting-room survey")
            ava.click("button:has-text('Log the hours')")
            expect(ava.locator(".flash").first).to_be_visible()
        ava.click("button:has-text('Send this week to my supervisor')")
        expect(ava.locator(".flash")).to_contain_text("Sent to the supervisor")
        supervisor.goto(outbox.last_link(SUPERVISOR, "/p/verify/"))
        expect(supervisor.locator("main")).to_contain_text("6 hours logged")
        supervisor.fill("input[name=verifier]", "Sam Ortiz")
        supervisor.click("button:has-text('Verify the week')")
        expect(supervisor.locator("main")).to_contain_text("Thank you")
    shot(ava, "internship-2-student-hours-week")

    # The final evaluation, asked by the teacher and given by link on the rubric.
    teacher.goto(f"/placements/{placement.id}")
    teacher.click(
        "article.evaluation:has-text('Final evaluation') >> button:has-text('Ask the supervisor')"
    )
    expect(teacher.locator(".flash")).to_contain_text("final evaluation")
    supervisor.goto(outbox.last_link(SUPERVISOR, "/p/evaluate/"))
    for index, row in enumerate(supervisor.locator("fieldset.rubric-row").all()):
        row.locator(f"input[value='{4 if index == 0 else 3}']").check()
    supervisor.fill("textarea[name=strengths]", "Calm and kind with every patient.")
    shot(supervisor, "internship-3-supervisor-evaluates-on-a-phone")
    assert sideways_px(supervisor) == 0
    supervisor.click("button:has-text('Send the evaluation')")
    expect(supervisor.locator("main")).to_contain_text("Thank you")
    supervisor.context.close()
    assert supervisor_errors == []

    # The teacher completes it on its record; the engagement's internship completes with it.
    teacher.goto(f"/placements/{placement.id}")
    expect(teacher.locator("#completion")).to_contain_text("ready to complete")
    teacher.click("button:has-text('Complete the placement')")
    expect(teacher.locator(".flash")).to_contain_text("certificate is in the student's portfolio")
    shot(teacher, "internship-4-teacher-sees-the-completed-placement")
    db.session.expire_all()
    assert db.session.get(Engagement, e.id).status.value == "completed"

    # Ava downloads her certificate from her portfolio.
    ava.goto("/portfolio")
    with ava.expect_download() as download:
        ava.click("a:has-text('certificate (PDF)')")
    pdf = pdfium.PdfDocument(download.value.path())
    text = " ".join(page.get_textpage().get_text_range() for page in pdf)
    for fact in (
        "Ava Martinez",
        "Harbor Health",
        "completed an internship",
        "Sam Ortiz",
        f"{DEFAULT_RUBRIC[0]} — Exceeds expectations",
    ):
        assert fact in text, (fact, text)
    assert "riverside high school" in text.lower()  # the heading is set in capitals
    assert "Verified hours\r\n12" in text
