"""A whole small demo day in a real Chromium: the teacher creates the event, enters two teams
and invites a partner's member as a judge (the calendar entry parsed back); the judge opens
their link on a 390×844 phone and scores both pitches, saying they would like to work with one
team; the organiser's coverage board updates by itself; the results are released; a team reads
its feedback; the judge's interest is on their organisation's pipeline."""

from __future__ import annotations

import re
from datetime import timedelta

import icalendar
import pytest
from playwright.sync_api import expect

from marketplace.extensions import db
from marketplace.models import Engagement, ProjectStatus, utcnow

from .browsing import shot, sideways_px, sqlite_pass_only

pytestmark = [
    pytest.mark.browser,
    sqlite_pass_only,
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]


def test_a_small_demo_day_from_invitation_to_feedback_and_an_engagement(
    browser, live_server, tab, make, outbox
):
    school = make.school(timezone="America/Chicago")
    teacher = make.teacher(school=school, email="rivera@school.example")
    classroom = make.classroom(teacher)
    challenge = make.challenge(school, author=teacher)
    ava = make.student(classroom, username="ava.m", first_name="Ava", last_name="Martinez")
    first = make.project(
        make.team(classroom, [ava], name="Trailblazers"), challenge, ProjectStatus.PUBLISHED,
        title="CheckIn Buddy",
    )  # fmt: skip
    make.project(
        make.team(classroom, [make.student(classroom)], name="Night Owls"), challenge,
        ProjectStatus.PUBLISHED, title="Dock Sentinel",
    )  # fmt: skip
    partner = make.organisation(verified_by=[school], name="Harbor Health")
    jordan = make.employer(
        partner, first_name="Jordan", last_name="Reyes", email="jordan@harbor.example"
    )
    db.session.commit()

    # The teacher creates the event, enters both teams, publishes it and invites a judge.
    organiser = tab(teacher.email)
    organiser.goto("/events/new")
    day = (utcnow() + timedelta(days=20)).date()
    organiser.fill("input[name=title]", "Spring Demo Day")
    organiser.fill("input[name=day]", day.isoformat())
    organiser.fill("input[name=starts]", "17:00")
    organiser.fill("input[name=ends]", "19:00")
    organiser.fill("input[name=place]", "The library")
    organiser.fill("input[name=min_judges]", "1")
    organiser.click("button:has-text('Save as draft')")
    organiser.wait_for_url(re.compile(r"/events/\d+$"))
    event_path = organiser.url.split(live_server)[1]
    for title in ("CheckIn Buddy", "Dock Sentinel"):
        organiser.select_option(
            "select[name=project_id]",
            label=f"{title} — team "
            + ("Trailblazers" if title == "CheckIn Buddy" else "Night Owls"),
        )
        organiser.click("button:has-text('Enter it')")
        expect(organiser.locator(".flash")).to_contain_text("is entered")
    organiser.click("button:has-text('Publish to the schools taking part')")
    expect(organiser.locator(".flash")).to_contain_text("published")
    organiser.locator("details:has(summary:has-text('Invite guests and judges'))").evaluate(
        "d => d.open = true"
    )
    organiser.get_by_label("Jordan Reyes — Harbor Health").check()
    organiser.select_option("select[name=role]", "judge")
    organiser.click("button:has-text('Send the invitations')")
    expect(organiser.locator(".flash")).to_contain_text("1 invitation sent")

    [mail] = outbox.to("jordan@harbor.example")
    [part] = [p for p in mail.iter_attachments() if p.get_content_type() == "text/calendar"]
    [entry] = icalendar.Calendar.from_ical(part.get_content()).walk("VEVENT")
    assert entry.decoded("dtstart").astimezone().date() == day
    assert str(entry["summary"]) == "Spring Demo Day"
    assert "The library" in str(entry["location"])
    invitation = outbox.last_link("jordan@harbor.example", "/events/invitation/")

    organiser.click("button:has-text('Start the event (live)')")
    expect(organiser.locator(".flash")).to_contain_text("is live")
    organiser.goto(event_path + "/coverage")
    expect(organiser.locator("#coverage")).to_contain_text("0 scored")

    # The judge, on a phone, with no account needed: the invitation, then the judging page.
    phone = browser.new_context(base_url=live_server, viewport={"width": 390, "height": 844})
    judge = phone.new_page()
    errors: list[str] = []
    judge.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    judge.goto(invitation)
    judge.click("text=Open my judging page")
    expect(judge.locator("h1")).to_have_text("Judging")
    for title, score, comment in (
        ("CheckIn Buddy", "4", "Show us the clinic's own numbers."),
        ("Dock Sentinel", "3", ""),
    ):
        judge.click(f"a.judge-item:has-text('{title}')")
        expect(judge.locator("h1")).to_have_text(title)
        judge.wait_for_load_state("load")  # every criterion parsed, before .all() counts them
        for fieldset in judge.locator("fieldset.score-criterion").all():
            fieldset.locator(f"input[value='{score}']").check()
        if comment:
            judge.fill("textarea[name=comment]", comment)
        if title == "CheckIn Buddy":
            shot(judge, "pitch-event-judge-phone")
            assert sideways_px(judge) == 0
        judge.click("button:has-text('Save my scores')")
        expect(judge.locator(".flash")).to_contain_text(f"your scores for “{title}”")
    expect(judge.locator(".judge-item.judged")).to_have_count(2)
    judge.click("a.judge-item:has-text('CheckIn Buddy')")
    judge.click('summary:has-text("I\'d like to work with this team")')
    judge.fill("input[name=note]", "We could mentor them.")
    judge.click("details.interest button:has-text('Send')")
    expect(judge.locator(".flash")).to_contain_text("will hear from you through the marketplace")
    phone.close()
    assert errors == [], errors

    # The coverage board updated without a reload (htmx, every 5 s).
    expect(organiser.locator("#coverage")).to_contain_text("2 scored", timeout=12_000)
    organiser.goto(event_path)
    organiser.click("button:has-text('Close the event')")
    organiser.click("button:has-text('Release the results to the teams')")
    expect(organiser.locator(".flash")).to_contain_text("results are released")

    # A team reads its feedback.
    student = tab("ava.m")
    student.goto(event_path)
    student.click("text=Read your feedback")
    expect(student.locator("main")).to_contain_text("1 judge scored your pitch.")
    expect(student.locator("main")).to_contain_text("Show us the clinic's own numbers.")
    expect(student.locator("main")).not_to_contain_text("Reyes")

    # The judge's interest is an engagement on their organisation's pipeline.
    engagement = db.session.query(Engagement).filter_by(project_id=first.id).one()
    assert engagement.organisation_id == partner.id and engagement.source_event_id is not None
    employer = tab(jordan.email)
    employer.goto("/pipeline")
    expect(employer.locator("main")).to_contain_text("CheckIn Buddy")
