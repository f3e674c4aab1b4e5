"""Guests and judges of a pitch event: invited by e-mail with a calendar entry that updates when
the time changes, answering by a personal link (no account needed), and checked in at the door
by the QR code of their pass or by the organiser ticking a list.

A personal link is signed (itsdangerous) with the guest's id and `nonce`: revoking a guest
changes the nonce, so every link sent before stops working. It is purpose-bound (its salt) and
lasts until a day after the event ends.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from email.utils import parseaddr

import icalendar
import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.orm import contains_eager, selectinload

from .. import clock, events, mail
from ..events import GuestsInvited
from ..extensions import db
from ..models import (
    EventGuest,
    EventStatus,
    GuestRole,
    Organisation,
    Partnership,
    PitchEvent,
    Role,
    Rsvp,
    User,
    VerificationStatus,
    utcnow,
)
from ..web import absolute_url
from ..workflow import update_if
from . import rules

INVITING = frozenset({EventStatus.PUBLISHED, EventStatus.LIVE})
MAX_PER_INVITE = 100  # people in one invitation form
MAX_GUESTS = 500  # guests and judges of one event


class GuestError(Exception):
    """The invitation cannot be sent or answered now; the message is shown."""


@dataclass(frozen=True)
class Invitee:
    """Someone to invite: an e-mail address and a name (and their organisation, if known)."""

    email: str
    name: str
    organisation_id: int | None = None
    user_id: int | None = None


# Each link has one purpose, named by its salt: the guest's own page (answer, pass), and the
# pass shown at the door, which only lets the organisers check them in: a photo of a pass
# answers nothing for its guest.
INVITATION, PASS = "pitch-event.guest", "pitch-event.pass"


def _signer(purpose: str = INVITATION) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=purpose)


def token_for(guest: EventGuest, purpose: str = INVITATION) -> str:
    """The guest's personal link token (their invitation page, or their pass)."""
    return str(_signer(purpose).dumps({"g": guest.id, "n": guest.nonce}))


# How long after the event a link still works: the invitation a month (a guest may still say
# "I'd like to work with this team"), the pass and the judging link a day.
FOLLOW_UP = timedelta(days=30)


def guest_from(token: str, purpose: str = INVITATION) -> EventGuest | None:
    """The guest a personal link names, if it is still theirs: not forged, for this purpose,
    not revoked, and not more than a day (the invitation: a month) after the event ended."""
    try:
        data = _signer(purpose).loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    guest = db.session.get(EventGuest, data.get("g"))
    if guest is None or guest.revoked_at is not None or guest.nonce != data.get("n"):
        return None
    if utcnow() > guest.event.ends_at + (FOLLOW_UP if purpose == INVITATION else timedelta(days=1)):
        return None
    return guest


def invitable_members(event: PitchEvent) -> list[User]:
    """The members of organisations a school of the event verified, not yet invited."""
    schools = event.school_ids
    invited = set(
        db.session.scalars(sa.select(EventGuest.email).where(EventGuest.event_id == event.id))
    )
    verified = sa.exists().where(
        Partnership.organisation_id == Organisation.id,
        Partnership.school_id.in_(schools),
        Partnership.status == VerificationStatus.VERIFIED,
    )
    members = db.session.scalars(
        sa.select(User)
        .join(Organisation, User.organisation_id == Organisation.id)
        .where(verified, User.role == Role.EMPLOYER, User.active.is_(True))
        .options(contains_eager(User.organisation))
        .order_by(Organisation.name, User.last_name, User.first_name, User.id)
    )
    return [m for m in members if m.email and m.email.lower() not in invited]


def guests_of(event: PitchEvent) -> list[EventGuest]:
    return list(
        db.session.scalars(
            sa.select(EventGuest)
            .where(EventGuest.event_id == event.id)
            .options(selectinload(EventGuest.organisation))
            .order_by(EventGuest.role.desc(), EventGuest.name, EventGuest.email)
        )
    )


def parse_people(text: str) -> tuple[list[Invitee], list[str]]:
    """People typed one per line, "Name <address>" or just an address; those understood, and
    the lines that were not (to be shown back)."""
    people, unread = [], []
    for line in (raw.strip() for raw in text.splitlines()):
        if not line:
            continue
        name, address = parseaddr(line)
        address = address.strip().lower()
        local, at, domain = address.partition("@")
        if not (local and at and "." in domain) or " " in address:
            unread.append(line)
            continue
        people.append(Invitee(address, " ".join(name.split())[:160]))
    return people, unread


def calendar_entry(event: PitchEvent, guest: EventGuest, method: str = "REQUEST") -> str:
    """The event as an iCalendar REQUEST (or CANCEL) for one guest; its UID stays, its SEQUENCE
    grows with each update, so a calendar moves the entry instead of adding another. Answers go
    through the guest's link, not the calendar's buttons (the organiser's address takes no
    mail): RSVP is false."""
    domain = parseaddr(current_app.config["MAIL_FROM"])[1].rpartition("@")[2] or "marketplace"
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//WBL Marketplace//Pitch events//EN")
    calendar.add("version", "2.0")
    calendar.add("method", method)
    entry = icalendar.Event()
    entry.add("uid", f"pitch-event-{event.id}@{domain}")
    entry.add("sequence", guest.sequence)
    entry.add("dtstamp", utcnow())
    entry.add("dtstart", event.starts_at)
    entry.add("dtend", event.ends_at)
    entry.add("summary", event.title)
    if method == "CANCEL":
        entry.add("status", "CANCELLED")
    where = ", ".join(part for part in (event.place, event.online_url) if part)
    if where:
        entry.add("location", where)
    link = absolute_url("pitch_events.invitation", token=token_for(guest))
    entry.add("description", f"{event.description}\n\nYour invitation: {link}".strip())
    entry.add("url", link)
    organizer = icalendar.vCalAddress(f"mailto:{parseaddr(current_app.config['MAIL_FROM'])[1]}")
    organizer.params["cn"] = event.school.name
    entry.add("organizer", organizer)
    attendee = icalendar.vCalAddress(f"mailto:{guest.email}")
    attendee.params["cn"] = guest.name or guest.email
    attendee.params["role"] = "REQ-PARTICIPANT"
    attendee.params["rsvp"] = "FALSE"
    attendee.params["partstat"] = {
        Rsvp.YES: "ACCEPTED",
        Rsvp.NO: "DECLINED",
        Rsvp.WAITING: "NEEDS-ACTION",
    }[guest.rsvp]
    entry.add("attendee", attendee)
    calendar.add_component(entry)
    return calendar.to_ical().decode()


def when_at_school(event: PitchEvent) -> str:
    """The event's time as the school's clock shows it, said with its zone (a guest has no
    zone of their own here): "Monday 14 December 2026, 17:30–19:30, Chicago time"."""
    where = clock.zone(event.school.timezone)
    seen, ends = clock.local(event.starts_at, where), clock.local(event.ends_at, where)
    day = f"{seen:%A} {seen.day} {seen:%B %Y}"
    return f"{day}, {seen:%H:%M}–{ends:%H:%M}, {clock.place_name(where)}"


def _mail(guest: EventGuest, *, update: bool, cancel: bool = False) -> None:
    event = guest.event
    seen = clock.local(event.starts_at, clock.zone(event.school.timezone))
    when = when_at_school(event)
    day = f"{seen.day} {seen:%b}"
    if cancel:
        subject = f"Withdrawn: your invitation to {event.title}, {day}"
    elif update:
        subject = f"Changed: {event.title}, {day}"
    else:
        subject = f"You are invited to {'judge ' if guest.judge else ''}{event.title}, {day}"
    message = mail.compose(
        guest.email,
        subject,
        "event_invitation",
        event=event,
        guest=guest,
        when=when,
        update=update,
        cancel=cancel,
        link=absolute_url("pitch_events.invitation", token=token_for(guest)),
    )
    message = mail.Mail(
        message.to, message.subject, message.text, message.html, message.headers,
        calendar_entry(event, guest, "CANCEL" if cancel else "REQUEST"),
    )  # fmt: skip
    mail.enqueue(message, key=f"event-{event.id}-guest-{guest.id}-v{guest.sequence}", kind="event")


def invite(
    event: PitchEvent, user: User, people: list[Invitee], role: GuestRole
) -> list[EventGuest]:
    """Invite people who are not invited yet; each gets a mail with the calendar entry and
    their personal link. Returns those invited now."""
    if not rules.can_organise(event, user):
        raise PermissionError
    if event.status not in INVITING:
        raise GuestError("Publish the event before inviting guests: they need a date that holds.")
    if len(people) > MAX_PER_INVITE:
        raise GuestError(f"Invite at most {MAX_PER_INVITE} people at a time.")
    existing = {g.email: g for g in guests_of(event)}
    if len(existing) + len(people) > MAX_GUESTS:
        raise GuestError(f"An event may have at most {MAX_GUESTS} guests and judges.")
    invited = []
    for person in people:
        known = existing.get(person.email)
        if known is not None and known.revoked_at is not None:  # invited again: a new link
            known.revoked_at, known.nonce, known.role = None, secrets.token_hex(16), role
            known.rsvp, known.rsvp_at = Rsvp.WAITING, None
            _bump(known)
            _mail(known, update=False)
            invited.append(known)
            continue
        if known is not None:
            continue
        guest = EventGuest(
            event=event,
            email=person.email,
            name=person.name,
            organisation_id=person.organisation_id,
            user_id=person.user_id,
            role=role,
            invited_by_id=user.id,
            nonce=secrets.token_hex(16),
        )
        db.session.add(guest)
        db.session.flush()
        existing[guest.email] = guest
        _mail(guest, update=False)
        invited.append(guest)
    if invited:
        events.announce(GuestsInvited(event, tuple(invited), user))
    return invited


def _bump(guest: EventGuest) -> None:
    """The guest's calendar entry's next version, counted in the database (two edits at once
    each get their own, so neither update mail is lost)."""
    db.session.flush()
    guest.sequence = db.session.execute(
        sa.update(EventGuest)
        .where(EventGuest.id == guest.id)
        .values(sequence=EventGuest.sequence + 1)
        .returning(EventGuest.sequence)
        .execution_options(synchronize_session=False)
    ).scalar_one()


def members_as_invitees(event: PitchEvent, user_ids: list[int]) -> list[Invitee]:
    """The chosen members of partner organisations (only those the event may invite)."""
    allowed = {m.id: m for m in invitable_members(event)}
    return [
        Invitee((m.email or "").lower(), m.full_name, m.organisation_id, m.id)
        for i in user_ids
        if (m := allowed.get(i)) is not None
    ]


def send_updates(event: PitchEvent) -> int:
    """After the time or place changed: every guest gets the updated calendar entry (the next
    SEQUENCE); how many."""
    if event.status not in INVITING:
        return 0
    told = 0
    for guest in guests_of(event):  # those who said no too: their calendar may hold it still
        if guest.revoked_at is not None:
            continue
        _bump(guest)
        _mail(guest, update=True)
        told += 1
    return told


def answer(guest: EventGuest, coming: bool) -> None:
    """The guest says yes or no (again, if they change their mind)."""
    event = guest.event
    if event.status not in INVITING:
        raise GuestError("This event is over; thank you.")
    if coming and guest.rsvp is not Rsvp.YES and not guest.judge and event.capacity:
        # The seats are counted with the event's row locked (PostgreSQL), so two guests
        # answering at once cannot both take the last one. Judges always have a seat.
        db.session.execute(
            sa.select(PitchEvent.id).where(PitchEvent.id == event.id).with_for_update()
        )
        taken = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(EventGuest)
            .where(
                EventGuest.event_id == event.id,
                EventGuest.rsvp == Rsvp.YES,
                EventGuest.role == GuestRole.GUEST,
                EventGuest.revoked_at.is_(None),
            )
        )
        if (taken or 0) >= event.capacity:
            raise GuestError(
                f"Sorry: every seat for guests is taken ({event.capacity}). If one frees up, "
                f"you can say yes here again."
            )
    guest.rsvp = Rsvp.YES if coming else Rsvp.NO
    guest.rsvp_at = utcnow()
    db.session.flush()


def check_in(guest: EventGuest, user: User) -> bool:
    """At the door: whether this was the first check-in (a second scan changes nothing)."""
    if not rules.can_organise(guest.event, user):
        raise PermissionError
    if guest.revoked_at is not None:
        raise GuestError(f"{guest.label}'s invitation was withdrawn.")
    return update_if(
        guest,
        EventGuest.checked_in_at.is_(None),
        checked_in_at=utcnow(),
        checked_in_by_id=user.id,
    )


def revoke(guest: EventGuest, user: User) -> None:
    """Withdraw an invitation: every link sent to the guest stops working, and their calendar
    is told to cancel the entry."""
    if not rules.can_organise(guest.event, user):
        raise PermissionError
    guest.revoked_at = utcnow()
    guest.nonce = secrets.token_hex(16)
    _bump(guest)
    if guest.event.status in INVITING:
        _mail(guest, update=False, cancel=True)  # their calendar drops the entry
