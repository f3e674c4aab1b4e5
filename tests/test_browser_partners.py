"""A coordinator's morning in a real Chromium: the dashboard shows the overdue follow-up; she
opens the partner, logs the call she just made, sets the next follow-up, offers a published
project to the prospect's contact; the contact opens the link from the e-mail (no account) and
says they are interested; both show on the partner's timeline."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from marketplace import clock
from marketplace.extensions import db
from marketplace.models import ProjectStatus

from .browsing import shot, sqlite_pass_only

pytestmark = [
    pytest.mark.browser,
    sqlite_pass_only,
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]


def test_a_coordinators_morning(browser, live_server, tab, make, outbox):
    school = make.school("Riverside High", timezone="America/Los_Angeles")
    rivera = make.teacher(school=school, first_name="Maria", last_name="Rivera")
    classroom = make.classroom(rivera)
    make.project(
        make.team(classroom, [make.student(classroom)], name="Night Owls"),
        make.challenge(school, author=rivera),
        ProjectStatus.PUBLISHED,
        title="Site safety checklist",
    )
    record = make.prospect(school, "Summit Construction")
    make.partner_contact(record, name="Gail Summers", email="gail@summitbuild.example")
    today = clock.school_today(school)
    make.follow_up(
        record, rivera, title="Call Gail about the site visit", due_on=today - timedelta(days=2)
    )
    db.session.commit()

    page = tab(rivera.email)
    page.goto("/dashboard")
    overdue = page.locator("#follow-ups li.overdue")
    expect(overdue).to_contain_text("Call Gail about the site visit")
    expect(overdue).to_contain_text("overdue since")
    overdue.get_by_role("link", name="Summit Construction").click()
    page.wait_for_url(re.compile(r"/partners/\d+$"))

    # The call, logged in a few seconds.
    page.get_by_role("radio", name="Call").check()
    page.fill("textarea[name=summary]", "Gail can host a site visit on 14 January.")
    page.get_by_label("Gail Summers").check()
    page.click("button:has-text('Log it')")
    expect(page.locator(".flash-success")).to_contain_text("Logged.")
    expect(page.locator(".partner-log li").first).to_contain_text("site visit on 14 January")
    expect(page.locator("h1 .badge")).to_have_text("contacted")

    # The old follow-up done, the next one set.
    page.get_by_role("button", name="Done: Call Gail about the site visit").click()
    page.locator("summary:has-text('Set a follow-up')").click()
    page.fill("input[name=title]", "Confirm the bus for the site visit")
    page.fill("input[name=due_on]", (today + timedelta(days=7)).isoformat())
    page.click("button:has-text('Set it')")
    expect(page.locator(".flash-success")).to_contain_text("Follow-up set for")
    expect(page.locator("#tasks")).to_contain_text("Confirm the bus for the site visit")
    shot(page, "partner-record")

    # A published project, offered to the prospect who never said yes.
    page.get_by_role("link", name="Offer a project").click()
    page.select_option("select[name=project]", label="Site safety checklist — Night Owls")
    page.click("button:has-text('Send the link')")
    expect(page.locator("#links")).to_contain_text("Site safety checklist")
    expect(page.locator("#links .badge")).to_have_text("sent")
    partner_page = page.url.split("#")[0]

    # Gail opens the mail's link in her own browser: no account.
    link = outbox.last_link("gail@summitbuild.example", "/partners/project/")
    context = browser.new_context(base_url=live_server, viewport={"width": 390, "height": 844})
    gail = context.new_page()
    gail.goto(link)
    expect(gail.locator("h1")).to_have_text("Site safety checklist")
    gail.fill("textarea[name=note]", "We could host the team in January.")
    gail.click('button:has-text("I\'m interested")')
    expect(gail.locator("#interest")).to_contain_text("knows you are interested")
    shot(gail, "prospect-project-link")
    context.close()

    page.goto(partner_page)
    timeline = page.locator(".partner-log")
    expect(timeline).to_contain_text("Gail Summers is interested in “Site safety checklist”")
    expect(timeline).to_contain_text("Gail Summers opened the link")
    expect(page.locator("#links .badge")).to_have_text("interested")
    expect(page.locator("#tasks")).to_contain_text("Gail Summers is interested")
    expect(page.locator("h1 .badge")).to_have_text("engaged")
