"""Guests and judges of a pitch event: invited by e-mail with a calendar entry (parsed back
here) that updates when the time changes, answering by a personal link with no account, and
checked in at the door by their pass's QR code or the organiser's list."""

from __future__ import annotations

import re
from datetime import timedelta

import icalendar
import pytest
import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.models import EventGuest, EventStatus, GuestRole, Rsvp, utcnow
from marketplace.pitch_events import guests

from .helpers import field_errors, flashes, text_of


@pytest.fixture
def scene(make):
    """A published event of a school, its teacher, and a partner organisation's member."""
    school = make.school(timezone="America/Chicago")
    teacher = make.teacher(school=school)
    partner = make.organisation(verified_by=[school], name="Harbor Health")
    jordan = make.employer(partner, first_name="Jordan", last_name="Reyes")
    make.employer(make.organisation(), first_name="Not", last_name="Partner")  # not verified
    event = make.pitch_event(author=teacher, title="Spring Demo Day")
    return school, teacher, jordan, event


def calendar_of(message) -> icalendar.Event:
    [part] = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert part.get_param("method") == "REQUEST"
    assert part.get_filename() == "invitation.ics"
    [entry] = icalendar.Calendar.from_ical(part.get_content()).walk("VEVENT")
    return entry


def invitation_link(message) -> str:
    text = message.get_body(preferencelist=("plain",)).get_content()
    return "/" + re.search(r"https?://\S+(/events/invitation/\S+)", text).group(1).lstrip("/")


def test_partners_and_others_are_invited_with_a_calendar_entry(client, login, scene, outbox):
    _school, teacher, jordan, event = scene
    login(teacher)
    page = text_of(client.get(f"/events/{event.id}"))
    assert "Jordan Reyes — Harbor Health" in page and "Not Partner" not in page
    done = client.post(
        f"/events/{event.id}/guests",
        data={
            "member_ids": [jordan.id],
            "others": "Dana Cole <DANA@chamber.example>\n\n",
            "role": "judge",
        },
        follow_redirects=True,
    )
    assert flashes(done) == ["2 invitations sent."]
    invited = db.session.scalars(sa.select(EventGuest).order_by(EventGuest.email)).all()
    assert [(g.email, g.name, g.role) for g in invited] == [
        ("dana@chamber.example", "Dana Cole", GuestRole.JUDGE),
        (jordan.email, "Jordan Reyes", GuestRole.JUDGE),
    ]
    [mail] = outbox.to("dana@chamber.example")
    assert mail["Subject"].startswith("You are invited to judge Spring Demo Day, ")
    entry = calendar_of(mail)
    assert str(entry["uid"]).startswith(f"pitch-event-{event.id}@")
    assert entry["sequence"] == 0
    assert entry.decoded("dtstart") == event.starts_at
    assert entry.decoded("dtend") == event.ends_at
    assert str(entry["summary"]) == "Spring Demo Day"
    assert str(entry["attendee"]) == "mailto:dana@chamber.example"
    assert entry["attendee"].params["PARTSTAT"] == "NEEDS-ACTION"
    assert "The school library" in str(entry["location"])
    assert "(Chicago time)" not in mail.get_body(preferencelist=("plain",)).get_content()
    assert "Chicago time" in mail.get_body(preferencelist=("plain",)).get_content()
    again = client.post(
        f"/events/{event.id}/guests",
        data={"others": "dana@chamber.example\nnew@example.org", "role": "guest"},
        follow_redirects=True,
    )
    assert flashes(again) == ["1 invitation sent; 1 already invited."]


def test_a_guest_answers_by_their_link_with_no_account_and_gets_a_pass(
    client, login, scene, outbox
):
    _school, teacher, _jordan, event = scene
    login(teacher)
    client.post(
        f"/events/{event.id}/guests", data={"others": "dana@chamber.example", "role": "guest"}
    )
    client.get("/auth/logout")
    link = invitation_link(outbox.to("dana@chamber.example")[0])
    page = client.get(link)
    assert page.status_code == 200
    assert "Will you come?" in text_of(page)
    assert re.search(
        r'<img src="data:image/png;base64,[^"]+" alt="Your pass: a QR code', text_of(page)
    )
    guest = db.session.scalars(sa.select(EventGuest)).one()
    assert guest.rsvp is Rsvp.WAITING  # opening the page changes nothing
    answered = client.post(f"{link}/yes", follow_redirects=True)
    assert flashes(answered) == ["Thank you: we look forward to seeing you."]
    db.session.expire_all()
    assert guest.rsvp is Rsvp.YES and guest.rsvp_at is not None
    changed = client.post(f"{link}/no", follow_redirects=True)
    assert "You said <strong>no</strong>" in text_of(changed)
    assert "Your pass" not in text_of(changed)


def test_inviting_waits_for_the_event_to_be_published(client, login, make, scene):
    _school, teacher, _jordan, _event = scene
    draft = make.pitch_event(author=teacher, status=EventStatus.DRAFT)
    login(teacher)
    refused = client.post(
        f"/events/{draft.id}/guests",
        data={"others": "dana@chamber.example", "role": "guest"},
        follow_redirects=True,
    )
    assert flashes(refused) == [
        "Publish the event before inviting guests: they need a date that holds."
    ]
    assert "Publish the event to invite guests and judges." in text_of(refused)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EventGuest)) == 0


def test_a_line_without_an_address_is_shown_back_and_nobody_is_invited(client, login, scene):
    _school, teacher, jordan, event = scene
    login(teacher)
    refused = client.post(
        f"/events/{event.id}/guests",
        data={"member_ids": [jordan.id], "others": "Dana Cole\nok@example.org", "role": "guest"},
    )
    assert refused.status_code == 422
    assert field_errors(refused) == ["These lines hold no e-mail address: Dana Cole"]
    assert "Dana Cole\nok@example.org" in text_of(refused)  # what was typed stays
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EventGuest)) == 0
    nobody = client.post(f"/events/{event.id}/guests", data={"role": "guest"})
    assert field_errors(nobody) == ["Choose someone, or type an address below."]


def test_a_new_time_updates_every_guests_calendar(client, login, make, scene, outbox):
    _school, teacher, _jordan, event = scene
    coming = make.event_guest(event, email="coming@example.org", rsvp=Rsvp.YES)
    declined = make.event_guest(event, email="no@example.org", rsvp=Rsvp.NO)
    login(teacher)
    form = text_of(client.get(f"/events/{event.id}/edit"))
    data = {
        name: re.search(rf'name="{name}"[^>]*value="([^"]*)"', form).group(1)
        for name in ("title", "day", "starts", "ends", "place", "pitch_minutes",
                     "changeover_minutes", "min_judges")
    }  # fmt: skip
    client.post(f"/events/{event.id}/edit", data={**data, "starts": "09:00", "ends": "11:00"})
    [update] = outbox.to("coming@example.org")
    assert update["Subject"].startswith("Changed: ")
    entry = calendar_of(update)
    assert entry["sequence"] == 1 and entry["attendee"].params["PARTSTAT"] == "ACCEPTED"
    db.session.expire_all()
    assert entry.decoded("dtstart") == event.starts_at
    [told] = outbox.to("no@example.org")  # said no, and may say yes later: kept up to date
    assert calendar_of(told)["attendee"].params["PARTSTAT"] == "DECLINED"
    assert (coming.sequence, declined.sequence) == (1, 1)
    client.post(f"/events/{event.id}/edit", data={**data, "starts": "09:00", "ends": "11:00"})
    assert len(outbox.to("coming@example.org")) == 1  # nothing changed: nothing sent


def test_check_in_by_the_list_or_by_scanning_the_pass_counts_once(client, login, make, scene):
    _school, teacher, _jordan, event = scene
    guest = make.event_guest(event, name="Dana Cole", rsvp=Rsvp.YES)
    login(teacher)
    scanned = client.get(f"/events/check-in/{guests.token_for(guest, guests.PASS)}")
    assert "Check in Dana Cole" in text_of(scanned)
    done = client.post(f"/events/guests/{guest.id}/check-in", follow_redirects=True)
    assert flashes(done) == ["Dana Cole is checked in."]
    again = client.post(f"/events/guests/{guest.id}/check-in", follow_redirects=True)
    assert flashes(again) == ["Dana Cole was checked in already."]
    assert "1 checked in" in text_of(again)
    other = make.teacher()
    login(other)
    assert client.get(f"/events/check-in/{guests.token_for(guest, guests.PASS)}").status_code == 404


def test_a_withdrawn_invitation_and_an_old_one_stop_working(client, login, make, scene):
    _school, teacher, _jordan, event = scene
    guest = make.event_guest(event, name="Dana Cole")
    link = f"/events/invitation/{guests.token_for(guest)}"
    assert client.get(link).status_code == 200
    login(teacher)
    done = client.post(f"/events/guests/{guest.id}/revoke", follow_redirects=True)
    assert flashes(done) == ["Dana Cole's invitation is withdrawn; their links no longer work."]
    assert client.get(link).status_code == 404
    assert client.post(f"{link}/yes").status_code == 404
    later = make.event_guest(event)
    event.ends_at = utcnow() - timedelta(days=2)  # the pass ends a day after the event
    db.session.flush()
    assert guests.guest_from(guests.token_for(later, guests.PASS), guests.PASS) is None
    assert client.get(f"/events/invitation/{guests.token_for(later)}").status_code == 200
    event.ends_at = utcnow() - timedelta(days=31)  # the invitation a month after
    db.session.flush()
    assert client.get(f"/events/invitation/{guests.token_for(later)}").status_code == 404


def test_people_typed_are_read_as_people_write_them():
    people, unread = guests.parse_people(
        "Dana Cole <Dana@Chamber.example>\n  plain@example.org \n\nnot an address\n"
        '"Lee, Morgan" <lee@greenfield.example>\nbad@nodot\n'
    )
    assert [(p.email, p.name) for p in people] == [
        ("dana@chamber.example", "Dana Cole"),
        ("plain@example.org", ""),
        ("lee@greenfield.example", "Lee, Morgan"),
    ]
    assert unread == ["not an address", "bad@nodot"]


def test_the_guests_page_says_the_schools_time_and_its_pass_only_checks_in(
    client, login, make, scene
):
    _school, teacher, _jordan, event = scene
    guest = make.event_guest(event, name="Dana Cole")
    page = text_of(client.get(f"/events/invitation/{guests.token_for(guest)}"))
    assert guests.when_at_school(event) in page
    assert "Chicago time" in page  # the school's zone, said: a guest has none of their own
    pass_token = guests.token_for(guest, guests.PASS)
    assert client.get(f"/events/invitation/{pass_token}").status_code == 404  # not an answer
    assert client.post(f"/events/invitation/{pass_token}/yes").status_code == 404
    login(teacher)
    assert client.get(f"/events/check-in/{guests.token_for(guest)}").status_code == 404
    assert client.get(f"/events/check-in/{pass_token}").status_code == 200


def test_a_withdrawn_guest_gets_a_cancellation_and_can_be_invited_again(
    client, login, make, scene, outbox
):
    _school, teacher, _jordan, event = scene
    login(teacher)
    client.post(f"/events/{event.id}/guests", data={"others": "dana@example.org", "role": "guest"})
    guest = db.session.scalars(sa.select(EventGuest)).one()
    first_uid = str(calendar_of(outbox.to("dana@example.org")[0])["uid"])
    client.post(f"/events/guests/{guest.id}/revoke")
    cancel = outbox.to("dana@example.org")[-1]
    assert cancel["Subject"].startswith("Withdrawn: your invitation to Spring Demo Day")
    [part] = [p for p in cancel.iter_attachments() if p.get_content_type() == "text/calendar"]
    [entry] = icalendar.Calendar.from_ical(part.get_content()).walk("VEVENT")
    assert str(entry["uid"]) == first_uid and entry["sequence"] == 1
    assert str(entry["status"]) == "CANCELLED"
    again = client.post(
        f"/events/{event.id}/guests",
        data={"others": "dana@example.org", "role": "judge"},
        follow_redirects=True,
    )
    assert flashes(again)[-1] == "1 invitation sent."
    db.session.expire_all()
    assert guest.revoked_at is None and guest.role is GuestRole.JUDGE and guest.sequence == 2
    assert client.get(invitation_link(outbox.to("dana@example.org")[-1])).status_code == 200


def test_guests_saying_yes_stop_at_the_events_seats_and_judges_always_have_one(client, make, scene):
    _school, _teacher, _jordan, event = scene
    event.capacity = 1
    first, second = make.event_guest(event), make.event_guest(event)
    judge = make.event_guest(event, GuestRole.JUDGE)
    db.session.commit()
    client.post(f"/events/invitation/{guests.token_for(first)}/yes", follow_redirects=True)
    full = client.post(f"/events/invitation/{guests.token_for(second)}/yes", follow_redirects=True)
    assert flashes(full) == [
        "Sorry: every seat for guests is taken (1). If one frees up, you can say yes here again."
    ]
    client.post(f"/events/invitation/{guests.token_for(judge)}/yes")
    client.post(f"/events/invitation/{guests.token_for(first)}/yes")  # again: still theirs
    db.session.expire_all()
    assert [g.rsvp for g in (first, second, judge)] == [Rsvp.YES, Rsvp.WAITING, Rsvp.YES]
    client.post(f"/events/invitation/{guests.token_for(first)}/no")  # a seat frees up
    client.post(f"/events/invitation/{guests.token_for(second)}/yes")
    db.session.expire_all()
    assert second.rsvp is Rsvp.YES
