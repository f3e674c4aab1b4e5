"""The log written by what happens in the product: a partner's interest, offers and rungs on the
ladder, its verification, messages in the school's channel with it, event invitations, judging
and leads. Each subscriber finds the school's partner record and writes one keyed entry, so the
same happening is logged once. Links are paths: a subscriber also runs outside a request (a
scheduled job, the worker)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from .. import clock
from ..engagements.story import sentence
from ..events import (
    EngagementMoved,
    EventLead,
    GuestsInvited,
    MessageShown,
    PartnershipDecided,
    ResultsReleased,
    subscribe,
)
from ..extensions import db
from ..models import (
    ActivityKind,
    EventGuest,
    GuestRole,
    Judgement,
    Partnership,
    PartnerSource,
    PartnerStage,
    School,
    ThreadKind,
    TouchpointKind,
)
from ..organisations.services import email_domain
from . import log, project_links, records, tasks

# Which ladder steps the partner log keeps, and as what (drafts and edits stay the employer's).
LADDER_KINDS = {
    "interest": TouchpointKind.INTEREST,
    "offer proposed": TouchpointKind.OFFER,
    "offer approved": TouchpointKind.OFFER,
    "offer accepted": TouchpointKind.OFFER,
    "offer declined": TouchpointKind.OFFER,
    "offer withdrawn": TouchpointKind.OFFER,
    "offer expired": TouchpointKind.OFFER,
    "rung completed": TouchpointKind.RUNG,
    "engagement closed": TouchpointKind.NOTE,
    "engagement closed by the school": TouchpointKind.NOTE,
}
LEAD_DUE_DAYS = 2  # a lead is followed up within two days


def engagement_moved(moved: EngagementMoved) -> None:
    """A ladder step of the partner's engagement with one of the school's teams."""
    step = moved.timeline
    kind = LADDER_KINDS.get(step.action)
    engagement = moved.engagement
    record = records.record_of(engagement.school_id, engagement.organisation_id)
    if kind is None or record is None:
        return
    log.write(
        record,
        kind,
        f"{sentence(step, None)} ({engagement.project.title}).",
        owner=moved.actor if moved.actor is not None and moved.actor.is_staff else None,
        link=f"/engagements/{engagement.id}",
        key=f"engagement-step-{step.id}",
        automatic=True,
    )
    if step.action == "offer accepted":
        log.raise_stage(record, PartnerStage.PARTNER)


def partnership_decided(decided: PartnershipDecided) -> None:
    """The school verified (or declined) the organisation."""
    record = decided.partnership
    verb = "verified" if decided.verified else "declined"
    note = f" {decided.note}" if decided.note else ""
    decider = record.decided_by
    log.write(
        record,
        TouchpointKind.NOTE,
        f"The school {verb} the organisation.{note}",
        owner=decider,
        key=f"partnership-{record.id}-{verb}-{record.decided_at:%Y%m%d%H%M%S}",
        automatic=True,
    )
    if decided.verified:
        log.raise_stage(record, PartnerStage.CONTACTED)
        project_links.convert(record)


def message_shown(shown: MessageShown) -> None:
    """A message in the school's own channel with the organisation (no students there)."""
    message = shown.message
    thread = message.thread
    if thread.kind is not ThreadKind.SCHOOL:
        return
    record = records.record_of(thread.school_id, thread.organisation_id)
    if record is None:
        return
    author = message.author
    by_staff = author.is_staff
    excerpt = " ".join(message.body.split())[:200]
    log.write(
        record,
        TouchpointKind.MESSAGE if not by_staff else TouchpointKind.EMAIL,
        f"{author.full_name} wrote in “{thread.subject}”: {excerpt}",
        owner=author if by_staff else None,
        link=f"/messages/{thread.id}",
        key=f"message-{message.id}",
        automatic=True,
    )


def guests_invited(invited: GuestsInvited) -> None:
    """Guests and judges from partner organisations were invited to a pitch event."""
    event = invited.event
    for guest in invited.guests:
        if guest.organisation_id is None:
            continue
        record = records.record_of(event.school_id, guest.organisation_id)
        if record is None:
            continue
        role = "judge" if guest.role is GuestRole.JUDGE else "come to"
        log.write(
            record,
            TouchpointKind.INVITATION,
            f"{guest.name or guest.email} was invited to {role} {event.title}.",
            owner=invited.by,
            link=f"/events/{event.id}",
            key=f"event-guest-{guest.id}-invited-{guest.sequence}",
            automatic=True,
        )


def results_released(released: ResultsReleased) -> None:
    """Judges who scored at the event: a demo-day-judge activity for their organisation."""
    event = released.event
    judges = db.session.scalars(
        sa.select(EventGuest).where(
            EventGuest.event_id == event.id,
            EventGuest.organisation_id.is_not(None),
            sa.exists().where(Judgement.guest_id == EventGuest.id),
        )
    )
    day = clock.local(event.starts_at, clock.zone(event.school.timezone)).date()
    for judge in judges:
        record = records.record_of(event.school_id, judge.organisation_id or 0)
        if record is None or log.logged(f"event-{event.id}-judge-{judge.id}"):
            continue
        log.write(
            record,
            TouchpointKind.JUDGING,
            f"{judge.name or judge.email} judged the pitches at {event.title}.",
            link=f"/events/{event.id}",
            key=f"event-{event.id}-judge-{judge.id}",
            automatic=True,
        )
        log.add_activity(record, None, ActivityKind.DEMO_DAY_JUDGE, day, note=event.title)


def event_lead(lead: EventLead) -> None:
    """A guest whose organisation the school does not work with yet would like to work with a
    team: a lead on the partner record (a new prospect, with the guest as its contact, when the
    school had none), and a follow-up for the team's teacher."""
    interest = lead.interest
    guest = interest.guest
    event = guest.event
    project = interest.presenter.project
    school = event.school
    record = _record_for_guest(school, guest)
    who = f"{guest.name or guest.email} ({guest.email})"
    if record is not None:
        log.write(
            record,
            TouchpointKind.LEAD,
            f"At {event.title}, {who} would like to work with {project.team.name} on "
            f"“{project.title}”. {interest.note}".strip(),
            link=f"/events/{event.id}",
            key=f"event-interest-{interest.id}",
            automatic=True,
        )
    teacher = next((t for t in lead.teachers if t.is_staff_of(school.id)), None)
    if teacher is None:
        return
    tasks.make_task(
        school,
        f"Follow up {who}, interested in “{project.title}” at {event.title}",
        clock.school_today(school) + timedelta(days=LEAD_DUE_DAYS),
        teacher.id,
        record,
        key=f"event-interest-{interest.id}",
    )


def _record_for_guest(school: School, guest: EventGuest) -> Partnership | None:
    """The school's record of the guest's organisation; for a guest of no known organisation,
    the one of their e-mail domain, else a new prospect named after it, the guest its contact.
    None for an address at a free-mail provider: it names no organisation."""
    record = None
    if guest.organisation_id is not None:
        record = records.record_of(school.id, guest.organisation_id)
    if record is None:
        domain = email_domain(guest.email)
        if domain is None:
            return None
        record, _ = records.add_partner(
            school,
            None,
            name=domain,
            website=domain,
            source=PartnerSource.PITCH_EVENT.value,
            recommended_by=f"{guest.event.title}",
        )
    if not any(c.email == guest.email for c in record.contacts):
        records.add_contact(record, None, name=guest.name or guest.email, email=guest.email)
    return record


def subscribe_all() -> None:
    """Connect the partner log to the events the features announce."""
    subscribe(EngagementMoved, engagement_moved)
    subscribe(PartnershipDecided, partnership_decided)
    subscribe(MessageShown, message_shown)
    subscribe(GuestsInvited, guests_invited)
    subscribe(ResultsReleased, results_released)
    subscribe(EventLead, event_lead)
