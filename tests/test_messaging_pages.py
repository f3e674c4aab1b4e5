"""Threads' pages: the inbox, a thread, the htmx poll and post, errors, school channels and
attachments, as each person sees them."""

from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa

from marketplace import events
from marketplace.extensions import db
from marketplace.messaging import rules as msg_rules
from marketplace.messaging import service
from marketplace.models import (
    EngagementStatus,
    Message,
    MessageAttachment,
    MessageState,
    Notification,
    Thread,
    ThreadRead,
)
from marketplace.storage import storage

from .conftest import shared_world
from .helpers import field_errors, flashes, text_of
from .uploads import HTML, PDF, png
from .world import build_world

HX = {"HX-Request": "true"}


w = shared_world(build_world, name="w")  # built once for the module; each test rolled back


def message_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<li id="message-(\d+)"', html)]


# --- inbox -------------------------------------------------------------------------------------


def test_inbox_shows_subjects_and_unread_counts(client, login, w):
    login(w.teammate)
    page = text_of(client.get("/messages"))
    assert w.own_published.title in page
    assert 'aria-label="1 unread"' in page
    client.get(f"/messages/{w.thread.id}")  # opening marks it read
    assert "unread" not in text_of(client.get("/messages")).split("<tbody>")[1]


def test_the_nav_counts_unread_messages_and_for_staff_the_messages_to_check(client, login, w):
    login(w.teammate)
    nav = text_of(client.get("/dashboard")).split("</nav>")[0]
    assert 'aria-label="Messages, 1 unread"' in nav
    assert '<span class="badge badge-count">1 unread</span>' in nav  # said, not only read out
    client.get(f"/messages/{w.thread.id}")
    nav = text_of(client.get("/dashboard")).split("</nav>")[0]
    assert 'aria-label="Messages"' in nav and "badge-count" not in nav.split("Messages")[1][:80]
    login(w.teacher)
    nav = text_of(client.get("/dashboard")).split("</nav>")[0]
    assert '<span class="badge badge-check">1 to check</span>' in nav  # the held message


def test_the_thread_page_that_marks_it_read_shows_it_read_in_the_nav(client, login, w):
    """On a session's later pages the nav's counts come with the user, read before the view;
    a view that changes them (opening a thread reads it) gets them asked again."""
    login(w.teammate)
    client.get("/dashboard")  # the session's first page: later ones read the counts early
    nav = text_of(client.get(f"/messages/{w.thread.id}")).split("</nav>")[0]
    assert 'aria-label="Messages"' in nav and "badge-count" not in nav.split("Messages")[1][:80]


def test_opening_a_thread_reads_its_notifications_under_the_bell(client, login, w):
    from marketplace.models import Notification

    events.announce(events.MessageShown(w.message, tuple(msg_rules.participants(w.thread))))
    db.session.commit()
    unread = db.session.query(Notification).filter_by(user_id=w.teammate.id, read_at=None)
    assert unread.count() == 1
    login(w.teammate)
    client.get(f"/messages/{w.thread.id}")
    assert unread.count() == 0


def test_the_school_channel_is_named_by_school_and_organisation(client, login, w):
    login(w.employer)
    page = text_of(client.get("/messages"))
    assert f"{w.school_a.name} ↔ {w.org.name}" in page.replace("&amp;", "&")


def test_empty_inbox_says_how_threads_begin(client, login, make):
    login(make.employer())
    page = text_of(client.get("/messages"))
    assert "No conversations yet" in page and "Messages" in page


def test_the_site_admins_empty_inbox_does_not_speak_of_their_school(client, login, make):
    login(make.site_admin())
    page = text_of(client.get("/messages"))
    assert "No conversations yet" in page and "your school" not in page


# --- the thread page ---------------------------------------------------------------------------


def test_employer_sees_visible_messages_never_held_ones(client, login, w):
    login(w.employer)
    page = text_of(client.get(f"/messages/{w.thread.id}"))
    assert w.message.id in message_ids(page)
    assert w.held_message.id not in message_ids(page)
    assert "555-123-4567" not in page


def test_times_name_the_readers_zone_like_the_notifications_do(client, login, w):
    login(w.employer)
    for path in ("/messages", f"/messages/{w.thread.id}"):
        page = text_of(client.get(path))
        assert "New York time" in page and "UTC" not in page, path


def test_the_author_sees_their_held_message_marked_and_staff_see_it_highlighted(client, login, w):
    login(w.student)
    page = text_of(client.get(f"/messages/{w.thread.id}"))
    assert w.held_message.id in message_ids(page) and "held for your teacher" in page
    login(w.teacher)
    page = text_of(client.get(f"/messages/{w.thread.id}"))
    assert "message-held" in page and "held: It looks like it contains a phone number." in page


def test_students_are_named_to_employers_by_first_name_and_initial(client, login, w):
    service.post_message(w.thread, w.student, "Our prototype works.")
    login(w.employer)
    page = text_of(client.get(f"/messages/{w.thread.id}"))
    assert f"{w.student.first_name} {w.student.last_name[0]}." in page
    assert w.student.last_name not in page


def test_markdown_is_rendered_and_sanitised(client, login, w):
    service.post_message(w.thread, w.employer, "**bold** <script>alert(1)</script>")
    login(w.student)
    page = text_of(client.get(f"/messages/{w.thread.id}"))
    assert "<strong>bold</strong>" in page and "<script>alert(1)" not in page


@pytest.mark.parametrize("who", ["other_team_student", "student_b", "site_admin"])
def test_outsiders_get_404(client, login, w, who):
    login(getattr(w, who))
    assert client.get(f"/messages/{w.thread.id}").status_code == 404
    assert client.get(f"/messages/{w.thread.id}?after=0", headers=HX).status_code == 404
    assert client.post(f"/messages/{w.thread.id}", data={"body": "hi"}).status_code == 404


def test_a_student_cannot_read_another_schools_thread(client, login, w):
    login(w.student)
    assert client.get(f"/messages/{w.thread_b.id}").status_code == 404
    assert client.get(f"/messages/{w.school_thread.id}").status_code == 404


def test_other_staff_read_but_have_no_form_and_may_not_post(client, login, w):
    login(w.other_teacher)
    page = text_of(client.get(f"/messages/{w.thread.id}"))
    assert 'id="compose"' not in page and "only the people in it write" in page
    assert client.post(f"/messages/{w.thread.id}", data={"body": "hi"}).status_code == 403


# --- the poll ---------------------------------------------------------------------------------


def test_the_poll_returns_only_newer_messages_the_viewer_may_see(client, login, w):
    login(w.employer)
    page = text_of(client.get(f"/messages/{w.thread.id}"))
    assert 'hx-trigger="every 3s"' in page
    newer = service.post_message(w.thread, w.teammate, "Fresh news")
    held = service.post_message(w.thread, w.student, "ring 555-123-4567")
    db.session.commit()
    response = client.get(f"/messages/{w.thread.id}?after={w.message.id}", headers=HX)
    fragment = text_of(response)
    assert message_ids(fragment) == [newer.id]
    assert held.id not in message_ids(fragment)
    assert "<html" not in fragment and 'hx-swap-oob="true"' in fragment
    assert f'name="after" value="{newer.id}"' in fragment
    again = text_of(client.get(f"/messages/{w.thread.id}?after={newer.id}", headers=HX))
    assert message_ids(again) == []
    read = db.session.get(ThreadRead, (w.thread.id, w.employer.id))
    assert read is not None and read.last_read_message_id == newer.id


def test_the_poll_url_without_htmx_is_the_whole_page(client, login, w):
    login(w.employer)
    page = text_of(client.get(f"/messages/{w.thread.id}?after=0"))
    assert "<html" in page and w.message.id in message_ids(page)


# --- posting ---------------------------------------------------------------------------------


def test_posting_without_javascript_redirects_to_the_thread(client, login, w):
    login(w.employer)
    response = client.post(f"/messages/{w.thread.id}", data={"body": "See you Tuesday"})
    assert response.status_code == 303
    assert response.location.endswith(f"/messages/{w.thread.id}#compose")
    page = client.get(response.location)
    assert "See you Tuesday" in text_of(page) and "Sent." in flashes(page)


def test_posting_with_htmx_appends_and_clears_the_form(client, login, w):
    login(w.teammate)
    response = client.post(
        f"/messages/{w.thread.id}",
        data={"body": "Appended please", "after": str(w.message.id)},
        headers=HX,
    )
    fragment = text_of(response)
    assert response.status_code == 200
    new = db.session.scalars(sa.select(Message).order_by(Message.id.desc())).first()
    assert message_ids(fragment) == [new.id] and "Appended please" in fragment
    compose = fragment.split('id="compose"')[1]
    assert re.search(r"<textarea[^>]*>\s*</textarea>", compose)


def test_the_sender_is_told_their_message_is_held(client, login, w):
    login(w.teammate)
    fragment = text_of(
        client.post(
            f"/messages/{w.thread.id}",
            data={"body": "call 555-123-4567", "after": str(w.held_message.id)},
            headers=HX,
        )
    )
    assert "Held for your teacher: it looks like it contains a phone number." in fragment
    response = client.post(f"/messages/{w.thread.id}", data={"body": "call 555-123-9999"})
    page = client.get(response.location)
    assert "Held for your teacher: it looks like it contains a phone number." in flashes(page)


@pytest.mark.parametrize(
    ("body", "error"),
    [("", "Write a message first."), ("y" * 5001, "at most 5,000 characters")],
)
def test_empty_or_oversized_is_a_field_error_keeping_the_text(client, login, w, body, error):
    login(w.employer)
    response = client.post(f"/messages/{w.thread.id}", data={"body": body})
    assert response.status_code == 422
    assert any(error in e for e in field_errors(response))
    if body:
        assert body in text_of(response)
    htmx = client.post(f"/messages/{w.thread.id}", data={"body": body}, headers=HX)
    assert htmx.status_code == 200 and error in text_of(htmx)
    assert db.session.scalar(sa.select(sa.func.count(Message.id))) == 3


def test_a_closed_engagement_refuses_with_a_clear_error(client, login, w):
    w.engagement.status = EngagementStatus.CLOSED
    db.session.commit()
    login(w.employer)
    page = text_of(client.get(f"/messages/{w.thread.id}"))
    assert 'id="compose"' not in page and "This engagement is closed" in page
    response = client.post(f"/messages/{w.thread.id}", data={"body": "Still there?"})
    assert response.status_code == 422
    assert any("This engagement is closed" in e for e in field_errors(response))
    assert "Still there?" in text_of(response)


# --- engagement threads and school channels ---------------------------------------------------


def test_the_engagement_page_links_to_its_thread_made_on_first_use(client, login, w, make):
    engagement = make.engagement(w.published_project, w.employer)
    login(w.employer)
    assert "/messages" in text_of(client.get(f"/engagements/{engagement.id}"))
    first = client.get(f"/engagements/{engagement.id}/messages")
    second = client.get(f"/engagements/{engagement.id}/messages")
    assert first.status_code == 303 and first.location == second.location
    channel = f"engagement-{engagement.id}"
    assert db.session.scalar(sa.select(sa.func.count()).where(Thread.channel == channel)) == 1


def test_staff_write_to_an_organisation_in_the_school_channel(client, login, w, make):
    login(w.other_teacher)
    data = {"organisation": str(w.org.id), "subject": "Autumn", "body": "Shall we talk?"}
    response = client.post("/messages/new", data=data)
    assert response.status_code == 303
    assert response.location.endswith(f"/messages/{w.school_thread.id}")  # it existed: added to
    fresh = make.organisation(verified_by=[w.school_a])
    member = make.employer(fresh)
    response = client.post("/messages/new", data={**data, "organisation": str(fresh.id)})
    thread = db.session.scalar(
        sa.select(Thread).where(Thread.channel == f"school-{w.school_a.id}-org-{fresh.id}")
    )
    assert thread is not None and response.location.endswith(f"/messages/{thread.id}")
    assert thread.team_id is None
    assert member.id in {p.id for p in msg_rules.participants(thread)}


def test_staff_cannot_open_a_channel_with_an_organisation_of_another_school(client, login, w):
    login(w.teacher)
    other = w.engagement_b.organisation_id
    data = {"organisation": str(other), "subject": "Hi", "body": "Hello"}
    response = client.post("/messages/new", data=data)
    assert response.status_code == 422 and field_errors(response)
    assert "Hello" in text_of(response)


# --- attachments -------------------------------------------------------------------------------


def upload(data: bytes, name: str) -> tuple[io.BytesIO, str]:
    return io.BytesIO(data), name


def test_a_good_file_is_stored_and_downloadable_by_readers(client, login, w):
    login(w.employer)
    response = client.post(
        f"/messages/{w.thread.id}",
        data={"body": "The brief", "file": upload(png(), "plan.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    row = db.session.scalars(
        sa.select(MessageAttachment).order_by(MessageAttachment.id.desc())
    ).first()
    assert row.filename == "plan.png" and row.status.value == "stored" and row.sha256
    login(w.student)
    page = text_of(client.get(f"/messages/{w.thread.id}"))
    assert f"/messages/attachments/{row.id}" in page
    link = client.get(f"/messages/attachments/{row.id}")
    assert link.status_code == 303
    served = client.get(link.location)
    assert served.status_code == 200 and served.data[:4] == b"\x89PNG"


@pytest.mark.parametrize(
    ("data", "name"), [(HTML, "notes.pdf"), (b"MZ\x90\x00", "run.exe"), (b"", "empty.pdf")]
)
def test_a_bad_file_leaves_no_row_no_object_and_no_message(client, login, w, data, name):
    login(w.employer)
    before = set(storage().keys("messages/"))
    response = client.post(
        f"/messages/{w.thread.id}",
        data={"body": "Look at this", "file": upload(data, name)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422 and field_errors(response)
    assert "Look at this" in text_of(response)
    assert db.session.scalar(sa.select(sa.func.count(MessageAttachment.id))) == 1
    assert db.session.scalar(sa.select(sa.func.count(Message.id))) == 3
    assert set(storage().keys("messages/")) == before


def test_files_of_held_messages_are_only_for_the_author_and_staff(client, login, w):
    login(w.student)
    response = client.post(
        f"/messages/{w.thread.id}",
        data={"body": "my number 555-123-4567", "file": upload(PDF, "cv.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    row = db.session.scalars(
        sa.select(MessageAttachment).order_by(MessageAttachment.id.desc())
    ).first()
    assert row.message.state is MessageState.HELD
    assert client.get(f"/messages/attachments/{row.id}").status_code == 303
    for reader, status in ((w.employer, 404), (w.teammate, 404), (w.teacher, 303)):
        login(reader)
        assert client.get(f"/messages/attachments/{row.id}").status_code == status
    login(w.student_b)
    assert client.get(f"/messages/attachments/{w.attachment.id}").status_code == 404


def test_dashboards_say_what_waits_in_messages(client, login, w):
    login(w.teammate)
    assert "1 unread message</a>" in text_of(client.get("/dashboard"))
    login(w.teacher)
    assert "1 message waits for you to check</a>" in text_of(client.get("/dashboard"))


def test_only_threads_with_students_say_contact_details_are_held(client, login, w):
    login(w.teacher)
    assert "held for the teacher" in text_of(client.get(f"/messages/{w.thread.id}"))
    for path in (f"/messages/{w.school_thread.id}", "/messages/new"):
        page = text_of(client.get(path))
        assert "Markdown works" in page and "held for the teacher" not in page, path


# --- a flood ----------------------------------------------------------------------------------


def test_a_burst_of_messages_is_one_notice_and_one_mail(client, login, w, outbox):
    """Five messages in a row reach the team as one notice that counts them, mailed once."""
    login(w.employer)
    for n in range(5):
        response = client.post(f"/messages/{w.thread.id}", data={"body": f"Update {n}."})
        assert response.status_code in (302, 303), n
    notes = (
        db.session.query(Notification)
        .filter_by(user_id=w.student.id, kind="message", read_at=None)
        .filter(Notification.link.like(f"/messages/{w.thread.id}#%"))
        .all()
    )
    assert len(notes) == 1
    assert notes[0].subject.startswith("5 new messages in")
    assert "Update 4." in notes[0].body
    mails = [m for m in outbox.to(w.student.email or "") if "message" in m["Subject"].lower()]
    assert len(mails) <= 1


def test_a_flood_of_messages_is_stopped(app, client, login, w):
    app.config["MESSAGE_LIMIT_PER_THREAD"] = "3 per minute"
    login(w.employer)
    answers = [
        client.post(f"/messages/{w.thread.id}", data={"body": f"Spam {n}"}).status_code
        for n in range(4)
    ]
    assert all(answer in (302, 303) for answer in answers[:3]), answers
    assert answers[3] == 429
    assert db.session.query(Message).filter(Message.body.like("Spam %")).count() == 3


def test_writing_to_a_prospect_nobody_can_read_is_not_called_sent(client, login, w, make):
    """A prospect has no member with an account: the message is kept in the school's channel
    for when they join, and the teacher is told nobody reads it yet (it said "Sent.")."""
    prospect = make.organisation(verified_by=[w.school_a], name="Ortiz Logistics")
    login(w.other_teacher)
    form = client.get("/messages/new").get_data(as_text=True)
    assert "Ortiz Logistics (nobody there has an account yet)" in form
    data = {"organisation": str(prospect.id), "subject": "Hello", "body": "Shall we talk?"}
    response = client.post("/messages/new", data=data, follow_redirects=True)
    assert flashes(response) == [
        "Saved in your school's conversation with Ortiz Logistics, but nobody there can read "
        "it yet: no one at Ortiz Logistics has an account. E-mail its contacts from its record "
        "in the partner network (the mail reaches them, and is logged); they read this here "
        "once they join."
    ]
    make.employer(prospect)  # someone joins: it reads as sent from now on
    again = client.post("/messages/new", data=data, follow_redirects=True)
    assert flashes(again) == ["Sent."]
