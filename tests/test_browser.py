"""End-to-end journeys in a real headless Chromium (Debian's), driven by Playwright.

With SCREENSHOTS=1 each step worth seeing is saved in tests/screenshots/. Without Chromium these
tests are skipped loudly, unless REQUIRE_BROWSER=1 (set by .ci/run), in which case they fail.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from marketplace.extensions import db
from marketplace.models import ProjectStatus

from . import uploads
from .browsing import log_in, shot, sqlite_pass_only
from .helpers import Outbox

pytestmark = [
    pytest.mark.browser,
    sqlite_pass_only,
    # When Chromium navigates away mid-download, werkzeug's development server leaves that
    # static file for the garbage collector; that is the test server's, not the app's, doing.
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]


def test_student_joins_with_class_code_and_sees_dashboard(page, make):
    """A student types the class code, makes an account and lands on a dashboard with the class."""
    classroom = make.classroom(name="Engineering Design", join_code="ENGR3DSN")
    db.session.commit()
    page.goto("/")
    page.click("text=Join a class")
    page.fill("input[name=class_code]", "engr-3dsn")
    page.fill("input[name=first_name]", "Ava")
    page.fill("input[name=last_name]", "Martinez")
    page.fill("input[name=date_of_birth]", "2010-03-14")
    page.fill("input[name=username]", "ava.m")
    page.fill("input[name=password]", "my project is robots")
    page.fill("input[name=confirm]", "my project is robots")
    page.click("button:has-text('Join the class')")
    page.wait_for_url("**/dashboard")
    assert page.locator("h1").inner_text() == "Hi Ava!"
    assert page.locator(f"text={classroom.name}").first.is_visible()
    assert page.locator("text=Form or join a team").is_visible()
    shot(page, "student-dashboard")
    # and logs in again later with the username
    page.click("summary:has-text('Ava')")
    page.click("button:has-text('Log out')")
    log_in(page, "ava.m", "my project is robots")
    page.wait_for_url("**/dashboard")


def test_employer_signs_up_confirms_and_waits_for_verification_then_teacher_verifies(
    page, make, app, live_server
):
    """Sign up, confirm from the outbox, create the organisation, and get verified by a teacher."""
    school = make.school("Riverside High School")
    teacher = make.teacher(school=school, email="rivera@riverside.example")
    db.session.commit()
    outbox = Outbox(Path(app.config["MAIL_OUTBOX_DIR"]))

    page.goto("/auth/signup")
    page.fill("input[name=first_name]", "Jordan")
    page.fill("input[name=last_name]", "Reyes")
    page.fill("input[name=email]", "jordan@harborhealth.example")
    page.fill("input[name=password]", "clinics need robots")
    page.fill("input[name=confirm]", "clinics need robots")
    page.click("button:has-text('Create account')")
    page.wait_for_url("**/auth/login")
    assert page.locator("text=open it to confirm your address, then log in").is_visible()
    log_in(page, "jordan@harborhealth.example", "clinics need robots")
    page.wait_for_url("**/dashboard")
    assert page.locator("text=confirm your e-mail address").is_visible()
    shot(page, "employer-confirm-email")

    page.goto(outbox.last_link("jordan@harborhealth.example", "/auth/confirm/"))
    page.wait_for_url("**/dashboard")
    page.click("text=Set up your organisation")
    page.fill("input[name=name]", "Harbor Health Clinic")
    page.fill("input[name=website]", "https://harborhealth.example")
    page.select_option("select[name=career_cluster]", "Healthcare & Human Services")
    page.check("text=Riverside High School")
    page.click("button:has-text('Create organisation')")
    page.wait_for_url("**/organisation")
    page.goto("/dashboard")
    assert page.locator("text=awaiting verification").first.is_visible()
    shot(page, "employer-awaiting-verification")
    page.click("summary:has-text('Jordan')")
    page.click("button:has-text('Log out')")

    log_in(page, teacher.email)
    page.wait_for_url("**/dashboard")
    page.click("nav >> text=Partners")
    page.wait_for_url("**/partners")
    page.click("text=Verify employers")
    page.wait_for_url("**/partners/verification")
    assert page.locator("text=Harbor Health Clinic").first.is_visible()
    shot(page, "teacher-verification-queue")
    page.click("button:has-text('Verify for Riverside High School')")
    assert (
        page.locator(".flash-success").inner_text().startswith("Harbor Health Clinic is verified")
    )
    shot(page, "teacher-verified")
    page.click("summary:has-text('First')")
    page.click("button:has-text('Log out')")

    log_in(page, "jordan@harborhealth.example", "clinics need robots")
    page.wait_for_url("**/dashboard")
    assert page.locator("text=Verified by: Riverside High School").is_visible()
    assert outbox.to("jordan@harborhealth.example")[-1]["Subject"].startswith(
        "Riverside High School verified"
    )


def test_teacher_rotates_class_code_without_reload(page, make):
    """The "New code" button swaps the code in place with htmx (same page, new code)."""
    classroom = make.classroom(name="Digital Media", join_code="DMA7ARTS")
    teacher = classroom.teacher
    db.session.commit()
    log_in(page, teacher.email)
    page.wait_for_url("**/dashboard")
    page.goto(f"/classes/{classroom.id}")
    page.evaluate("window.__sameDocument = true")
    page.click("button:has-text('New code')")
    expect(page.locator(".join-code")).not_to_have_text("DMA7ARTS")
    assert page.evaluate("window.__sameDocument") is True
    shot(page, "teacher-class-page")


def test_team_uploads_a_file_and_sees_the_progress_bar_finish(page, make, tmp_path):
    """The uploader sends the bytes with a progress bar, and the file joins the list."""
    project = make.project(title="CheckIn Buddy")
    student = project.team.memberships[0].student
    db.session.commit()
    deck = tmp_path / "pitch deck.pdf"
    deck.write_bytes(uploads.PDF + b"%" + b"x" * 200_000)
    log_in(page, student.username)
    page.wait_for_url("**/dashboard")
    page.goto(f"/projects/{project.id}")
    page.set_input_files("input[type=file]", str(deck))
    page.click("button:has-text('Upload')")
    expect(page.locator("[data-upload-status]")).to_have_text("pitch deck.pdf is added.")
    assert page.eval_on_selector("progress", "bar => bar.value") == 100
    expect(page.locator("#file-list")).to_contain_text("pitch deck.pdf")
    shot(page, "student-upload-finished")
    page.reload()
    expect(page.locator("#file-list a")).to_have_text("pitch deck.pdf")


def test_teacher_requests_changes_then_publishes(page, make):
    """The teacher sends a submission back with a comment, then publishes the next one."""
    project = make.project(status=ProjectStatus.SUBMITTED, title="Dock Sentinel")
    teacher = project.team.classroom.teacher
    student = project.team.memberships[0].student
    db.session.commit()
    log_in(page, teacher.email)
    page.wait_for_url("**/dashboard")
    page.click("nav >> text=Reviews")
    page.wait_for_url("**/reviews")
    page.click("text=Dock Sentinel")
    page.fill("textarea[name=comment]", "Add the test results from the yard.")
    page.click("button:has-text('Request changes')")
    expect(page.locator(".flash-success")).to_have_text("Sent back to the team.")
    page.click("summary:has-text('First')")
    page.click("button:has-text('Log out')")

    log_in(page, student.username)
    page.wait_for_url("**/dashboard")
    page.goto(f"/projects/{project.id}/edit")
    expect(page.locator(".review-note")).to_contain_text("Add the test results from the yard.")
    page.fill("textarea[name=body]", "We tested it in the yard: 14 of 15 warnings worked.")
    page.click("button:has-text('Save')")
    page.click("button:has-text('Submit for review')")
    expect(page.locator(".flash-success")).to_have_text("Submitted. Your teacher will review it.")
    page.click("summary:has-text('Stu')")
    page.click("button:has-text('Log out')")

    log_in(page, teacher.email)
    page.wait_for_url("**/dashboard")
    page.goto(f"/projects/{project.id}")
    expect(page.locator(".changes .statement ins").first).to_contain_text(
        "tested it in the yard: 14 of 15"
    )
    shot(page, "teacher-sees-what-changed")
    page.click("button:has-text('Publish')")
    expect(page.locator(".flash-success")).to_have_text("Published.")
    expect(page.locator("h1 .badge")).to_have_text("published")


def test_employer_searches_filters_and_opens_a_project(page, make):
    """Typing filters the results live (htmx, same page); the project page shows the team
    by first name and initial, or a pseudonym under 13."""
    school = make.school()
    employer = make.employer(make.organisation(verified_by=[school]))
    classroom = make.classroom(school=school)
    team = make.team(
        classroom,
        [
            make.student(classroom, first_name="Ava", last_name="Martinez"),
            make.student(
                classroom, first_name="Leo", last_name="Adams", age=11, pseudonym="Teal Otter 42"
            ),
        ],
        name="Trailblazers",
    )
    health = make.challenge(school, career_cluster="Healthcare & Human Services")
    build = make.challenge(school, career_cluster="Construction")
    make.project(team, health, ProjectStatus.PUBLISHED, title="CheckIn Buddy",
                 pitch="Tablet check-in for clinics", skills=["figma"])  # fmt: skip
    make.project(team, build, ProjectStatus.PUBLISHED, title="Dock Sentinel",
                 pitch="Forklift warning lights", skills=["arduino"])  # fmt: skip
    db.session.commit()
    log_in(page, employer.email)
    page.wait_for_url("**/dashboard")
    page.click("nav >> text=Projects")
    page.wait_for_url("**/projects")  # loaded: htmx has bound the live filters
    expect(page.locator(".project-card")).to_have_count(2)
    page.evaluate("window.__sameDocument = true")
    page.fill("input[name=q]", "forklift")
    expect(page.locator(".project-card")).to_have_count(1)
    expect(page.locator(".project-card")).to_contain_text("Dock Sentinel")
    assert page.evaluate("window.__sameDocument") is True
    assert "q=forklift" in page.url
    page.fill("input[name=q]", "")
    page.select_option("select[name=cluster]", "Healthcare & Human Services")
    expect(page.locator(".project-card")).to_have_count(1)
    expect(page.locator(".project-card")).to_contain_text("CheckIn Buddy")
    shot(page, "employer-browse-filtered")
    page.click("text=CheckIn Buddy")
    expect(page.locator("h1")).to_contain_text("CheckIn Buddy")
    team_line = page.locator("text=Team Trailblazers").inner_text()
    assert "Ava M." in team_line and "Teal Otter 42" in team_line
    assert "Martinez" not in page.content() and "Adams" not in page.content()
    shot(page, "employer-project-page")
