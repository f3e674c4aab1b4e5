"""Messages in a real Chromium: an employer writes, the team sees it arrive without a reload,
the teacher reads the thread; a student's message with a phone number (the clinic's front desk,
as it turns out) is held for the teacher, who releases it, and only then does the employer
see it."""

from __future__ import annotations

import pytest

from marketplace.extensions import db
from marketplace.models import Message, MessageState, ProjectStatus

from .browsing import shot, sqlite_pass_only

pytestmark = [
    pytest.mark.browser,
    sqlite_pass_only,
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]


@pytest.fixture
def people(make):
    school = make.school(name="Riverside High School")
    teacher = make.teacher(school=school, first_name="Maria", last_name="Rivera")
    classroom = make.classroom(teacher=teacher, name="Engineering Design")
    ava = make.student(classroom, first_name="Ava", last_name="Martinez", age=17, username="ava.m")
    team = make.team(classroom, [ava], name="Trailblazers")
    project = make.project(team, status=ProjectStatus.PUBLISHED, title="CheckIn Buddy")
    organisation = make.organisation(verified_by=[school], name="Harbor Health")
    employer = make.employer(organisation, first_name="Jordan", last_name="Lee")
    engagement = make.engagement(project, employer)
    db.session.commit()
    return {"teacher": teacher, "ava": ava, "employer": employer, "engagement": engagement}


def test_a_conversation_lives_and_a_phone_number_waits_for_the_teacher(people, tab):
    engagement = people["engagement"]
    ava = tab("ava.m")
    ava.goto(f"/engagements/{engagement.id}/messages")
    ava.wait_for_selector("text=No messages yet")
    thread_url = ava.url
    loads = []
    ava.on("load", lambda: loads.append(ava.url))

    jordan = tab(people["employer"].email)
    jordan.goto(thread_url)
    jordan.fill(
        "textarea[name=body]", "Hello Trailblazers! Could you show us **the check-in flow**?"
    )
    jordan.click("button:has-text('Send')")
    jordan.wait_for_selector("#messages >> text=the check-in flow")
    assert jordan.input_value("textarea[name=body]") == ""  # the form was cleared

    # Ava's page, left open, gets it from the poll: no reload, no navigation.
    ava.wait_for_selector("#messages >> text=the check-in flow", timeout=10_000)
    assert loads == [] and ava.url == thread_url
    assert not ava.is_visible("#no-messages")
    shot(ava, "messages-1-the-team-sees-it-arrive")

    ava.fill(
        "textarea[name=body]",
        "Sure! We tested it at the clinic's front desk (555-201-7788) last week.",
    )
    ava.click("button:has-text('Send')")
    ava.wait_for_selector("text=Held for your teacher")
    shot(ava, "messages-2-held-for-the-teacher")
    held = db.session.query(Message).filter_by(state=MessageState.HELD).one()

    rivera = tab(people["teacher"].email)
    assert "1 to check" in rivera.get_attribute("a[href='/messages']", "aria-label")
    rivera.goto(thread_url)
    rivera.wait_for_selector("#messages >> text=the check-in flow")
    rivera.wait_for_selector("#messages >> text=555-201-7788")  # the teacher reads everything
    rivera.goto("/messages/held")
    rivera.wait_for_selector("mark >> text=555-201-7788")
    shot(rivera, "messages-3-the-teachers-queue")

    with jordan.expect_response(lambda r: "after=" in r.url, timeout=10_000):
        pass  # a poll has come back: still nothing of the held message
    assert "555-201-7788" not in jordan.inner_text("#messages")

    rivera.click(f"#held-{held.id} button:has-text('Release')")
    rivera.wait_for_selector("text=released", timeout=10_000)
    jordan.wait_for_selector("#messages >> text=555-201-7788", timeout=10_000)
    assert "Ava M." in jordan.inner_text("#messages") and "Martinez" not in jordan.content()
    shot(jordan, "messages-4-released-to-the-employer")
