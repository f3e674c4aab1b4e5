"""The climb in a real Chromium: interest → mentorship (marked complete and confirmed) → a job
shadowing offered to a named student, approved and accepted, which opens her placement. A
workplace rung completes with its placements: `test_browser_internship` takes one to its end."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from marketplace.extensions import db
from marketplace.models import Engagement, EngagementStatus, Offer, ProjectStatus, Rung

from .browsing import shot, sqlite_pass_only
from .helpers import school_today

pytestmark = [
    pytest.mark.browser,
    sqlite_pass_only,
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]

TODAY = school_today()


@pytest.fixture
def climb(make):
    school = make.school(name="Riverside High School")
    teacher = make.teacher(school=school, first_name="Maria", last_name="Rivera")
    classroom = make.classroom(teacher=teacher, name="Engineering Design")
    ava = make.student(classroom, first_name="Ava", last_name="Martinez", age=17, username="ava.m")
    team = make.team(classroom, [ava], name="Trailblazers")
    project = make.project(team, status=ProjectStatus.PUBLISHED, title="CheckIn Buddy")
    organisation = make.organisation(verified_by=[school], name="Harbor Health")
    employer = make.employer(organisation, first_name="Jordan", last_name="Lee")
    make.background_check(employer, school)
    db.session.commit()
    return {"teacher": teacher, "ava": ava, "project": project, "employer": employer}


def fill_terms(page, rung: Rung) -> None:
    start = TODAY + timedelta(days=14 + 30 * rung.level)
    page.fill("input[name=start_date]", start.isoformat())
    page.fill("input[name=end_date]", (start + timedelta(days=28)).isoformat())
    page.fill("input[name=respond_by]", (TODAY + timedelta(days=7)).isoformat())
    page.fill("input[name=days_per_week]", "1" if rung is Rung.MENTORSHIP else "3")
    page.fill("input[name=hours_per_week]", "2" if rung is Rung.MENTORSHIP else "12")
    page.fill("input[name=supervisor]", "Dr. Priya Patel")
    if rung is Rung.MENTORSHIP:
        page.check("input[name=remote]")
    else:
        page.fill("input[name=address]", "Harbor Health, 100 Bay St, Riverside")
        page.fill(
            "textarea[name=student_needs]",
            "A photo ID and closed-toe shoes; bus route 7 stops outside.",
        )
    if rung is Rung.INTERNSHIP:
        page.fill("input[name=title]", "Clinical informatics intern")
        page.check("input[name=paid]")
        page.fill("input[name=amount]", "16.50")
        page.fill("input[name=paid_by]", "Harbor Health")
    if rung.level >= Rung.JOB_SHADOWING.level:
        page.check("input[name=students] >> nth=0")  # a workplace offer names its students


def approve_and_accept(tab, climb, offer_id: int, rung: Rung) -> None:
    page = tab(climb["teacher"].email)
    page.goto(f"/offers/{offer_id}")
    page.click("button:has-text('Approve the offer')")
    page.wait_for_selector("text=Approved: the students can now answer it.")
    page.select_option("select[name=method]", "signed form")
    page.click("button:has-text('Record consent')")
    page.wait_for_selector("text=Consent recorded for Ava.")
    if rung is Rung.MENTORSHIP:
        shot(page, "ladder-3-teacher-approved-and-consent")
    page = tab("ava.m")
    page.goto(f"/offers/{offer_id}")
    if rung is Rung.MENTORSHIP:
        shot(page, "ladder-4-student-reads-the-offer")
    page.check("input[name=confirm]")
    page.click(f"button:has-text('Accept the {rung.label}')")
    if rung is Rung.MENTORSHIP:
        page.wait_for_selector(f"text=your team is now at {rung.label}")
    else:
        page.wait_for_selector(f"text=your {rung.label} placement is open")


def complete_rung(tab, climb, engagement_id: int, rung: Rung) -> None:
    page = tab(climb["employer"].email)
    page.goto(f"/engagements/{engagement_id}")
    page.click(f"button:has-text('Mark the {rung.label} complete')")
    page.wait_for_selector("text=Marked complete. The teacher is asked to confirm.")
    page = tab(climb["teacher"].email)
    page.goto(f"/engagements/{engagement_id}")
    page.click(f"button:has-text('Confirm the {rung.label} is complete')")
    page.wait_for_selector("text=Confirmed complete.")


def test_the_climb_from_interest_to_a_placement(tab, climb):
    page = tab(climb["employer"].email)
    page.goto(f"/projects/{climb['project'].id}")
    page.fill("textarea[name=note]", "Our clinic has exactly this problem on Monday mornings.")
    shot(page, "ladder-1-employer-on-the-project")
    page.click('button:has-text("I\'m interested")')
    page.wait_for_selector("text=the team and their teacher are told of your interest")
    engagement = db.session.query(Engagement).one()

    # The board: "Claim to mentor" opens the offer form in place (htmx), sending updates the card.
    page.goto("/pipeline")
    page.click(f"#card-{engagement.id} >> text=Claim to mentor")
    page.wait_for_selector("#offer-panel form")
    page.click("#offer-panel >> text=Cancel")  # changed their mind: the panel empties in place
    page.wait_for_selector("#offer-panel form", state="detached")
    assert page.url.endswith("/pipeline")
    page.click(f"#card-{engagement.id} >> text=Claim to mentor")
    page.wait_for_selector("#offer-panel form")
    fill_terms(page, Rung.MENTORSHIP)
    page.click("#offer-panel button:has-text('Send to the teacher')")
    page.wait_for_selector("#offer-panel >> text=Sent to the teacher for approval.")
    assert page.url.endswith("/pipeline")  # no page load
    assert "waiting for teacher approval" in page.inner_text(f"#card-{engagement.id}")
    shot(page, "ladder-2-pipeline-after-claiming-to-mentor")

    offer = db.session.query(Offer).filter_by(rung=Rung.MENTORSHIP).one()
    approve_and_accept(tab, climb, offer.id, Rung.MENTORSHIP)
    complete_rung(tab, climb, engagement.id, Rung.MENTORSHIP)

    page = tab(climb["employer"].email)
    page.goto(f"/engagements/{engagement.id}")
    page.click("a[role=button]:has-text('Offer job shadowing')")
    fill_terms(page, Rung.JOB_SHADOWING)
    page.click("button:has-text('Send to the teacher')")
    page.wait_for_selector("text=Sent to the teacher for approval.")
    offer = db.session.query(Offer).filter_by(rung=Rung.JOB_SHADOWING).one()
    approve_and_accept(tab, climb, offer.id, Rung.JOB_SHADOWING)

    db.session.expire_all()
    engagement = db.session.get(Engagement, engagement.id)
    assert engagement.rung is Rung.JOB_SHADOWING
    assert engagement.status is EngagementStatus.ACTIVE
    page = tab(climb["teacher"].email)
    page.goto(f"/engagements/{engagement.id}")
    expect(page.locator("#placements-title + ul")).to_contain_text("Ava Martinez: job shadowing")
    expect(page.locator(".next-step")).to_contain_text("completes with the students' placements")
    expect(page.locator("button:has-text('Confirm the job shadowing')")).to_have_count(0)
    shot(page, "ladder-5-teacher-sees-the-timeline-and-the-placement")
    page = tab(climb["employer"].email)
    page.goto(f"/engagements/{engagement.id}")
    expect(page.locator("#placements-title + ul")).to_contain_text("Ava M.: job shadowing")
    expect(page.locator("button:has-text('Mark the job shadowing complete')")).to_have_count(0)
    page.goto("/pipeline")
    shot(page, "ladder-6-pipeline-at-a-shadow-day")
    assert "Martinez" not in page.content()
