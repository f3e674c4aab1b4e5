"""The school's business advisory council: members (a partner's contact, with a term and a role:
chair, vice chair, secretary), its meetings (agenda, who came, minutes) whose action items are
follow-up tasks, and the businesses members refer, which become prospects recommended by them
and are counted for the member."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from .. import clock
from ..extensions import db
from ..models import (
    CouncilAttendance,
    CouncilMeeting,
    CouncilMember,
    CouncilRole,
    FollowUpTask,
    PartnerContact,
    Partnership,
    PartnerSource,
    PartnerStage,
    School,
    TouchpointKind,
    User,
)
from . import log, records, tasks


class CouncilError(Exception):
    """A council change that breaks a rule; the message is shown."""


@dataclass(frozen=True)
class MemberRow:
    member: CouncilMember
    referrals: int
    serving: bool


def members(school: School) -> list[MemberRow]:
    """The council's members (serving first, by role), each with their referrals counted."""
    today = clock.school_today(school)
    referrals = (
        sa.select(sa.func.count(Partnership.id))
        .where(Partnership.referred_by_member_id == CouncilMember.id)
        .scalar_subquery()
    )
    rows = db.session.execute(
        sa.select(CouncilMember, referrals)
        .where(CouncilMember.school_id == school.id)
        .options(
            joinedload(CouncilMember.contact)
            .joinedload(PartnerContact.partnership)
            .joinedload(Partnership.organisation)
        )
    ).all()
    order = [CouncilRole.CHAIR, CouncilRole.VICE_CHAIR, CouncilRole.SECRETARY, CouncilRole.MEMBER]
    listed = [MemberRow(m, count, m.serving_on(today)) for m, count in rows]
    return sorted(
        listed, key=lambda r: (not r.serving, order.index(r.member.role), r.member.contact.name)
    )


def appoint(
    school: School,
    user: User,
    contact: PartnerContact,
    role: CouncilRole,
    term_start: date,
    term_end: date | None,
) -> CouncilMember:
    """Put a partner's contact on the council; their partner becomes "advisory council"."""
    record = contact.partnership
    if not user.is_staff_of(school.id) or record.school_id != school.id:
        raise PermissionError
    if term_end is not None and term_end < term_start:
        raise CouncilError("The term cannot end before it starts.")
    existing = db.session.scalar(
        sa.select(CouncilMember).filter_by(school_id=school.id, contact_id=contact.id)
    )
    if existing is not None:
        raise CouncilError(f"{contact.name} is on the council already: change their term.")
    member = CouncilMember(
        school_id=school.id, contact_id=contact.id, role=role,
        term_start=term_start, term_end=term_end,
    )  # fmt: skip
    db.session.add(member)
    db.session.flush()
    log.write(
        record,
        TouchpointKind.NOTE,
        f"{contact.name} joined the advisory council ({role.value}).",
        owner=user,
        contacts=[contact],
    )
    log.raise_stage(record, PartnerStage.ADVISORY)
    return member


def update_member(
    member: CouncilMember, user: User, role: CouncilRole, term_start: date, term_end: date | None
) -> None:
    """Change a member's role or term (ending a term keeps them in the council's history)."""
    if not user.is_staff_of(member.school_id):
        raise PermissionError
    if term_end is not None and term_end < term_start:
        raise CouncilError("The term cannot end before it starts.")
    member.role, member.term_start, member.term_end = role, term_start, term_end


def refer(
    member: CouncilMember,
    user: User,
    *,
    name: str,
    website: str = "",
    contact_name: str = "",
    contact_email: str = "",
    note: str = "",
) -> Partnership:
    """A member refers a business: a prospect recommended by them, counted for them."""
    school = db.session.get_one(School, member.school_id)
    by = f"{member.contact.name} ({member.contact.partnership.organisation.name})"
    record, created = records.add_partner(
        school,
        user,
        name=name,
        website=website,
        source=PartnerSource.ADVISORY_COUNCIL.value,
        recommended_by=by,
    )
    if not created:
        raise CouncilError(
            f"{record.organisation.name} is in the school's network already: a referral is a "
            "business the school did not know."
        )
    record.referred_by_member_id = member.id
    if not record.recommended_by:
        record.recommended_by = by
    people = []
    if contact_name or contact_email:
        people.append(
            records.add_contact(
                record, user, name=contact_name or contact_email, email=contact_email.lower()
            )
        )
    summary = f"Referred by {by}, advisory council." + (f" {note}" if note else "")
    log.write(record, TouchpointKind.NOTE, summary, owner=user, contacts=people)
    return record


def plan_meeting(
    school: School, user: User, held_on: date, place: str = "", agenda: str = ""
) -> CouncilMeeting:
    if not user.is_staff_of(school.id):
        raise PermissionError
    meeting = CouncilMeeting(
        school_id=school.id, held_on=held_on, place=place, agenda=agenda, created_by_id=user.id
    )
    db.session.add(meeting)
    db.session.flush()
    return meeting


def meetings(school: School) -> list[CouncilMeeting]:
    return list(
        db.session.scalars(
            sa.select(CouncilMeeting)
            .where(CouncilMeeting.school_id == school.id)
            .order_by(CouncilMeeting.held_on.desc())
        )
    )


def record_meeting(
    meeting: CouncilMeeting,
    user: User,
    *,
    agenda: str,
    minutes: str,
    present: set[int],
) -> None:
    """Save the agenda, the minutes and who came (`present`: member ids); each member who came
    gets the meeting in their partner's log, once."""
    if not user.is_staff_of(meeting.school_id):
        raise PermissionError
    meeting.agenda, meeting.minutes = agenda, minutes
    school = db.session.get_one(School, meeting.school_id)
    by_id = {row.member.id: row.member for row in members(school)}
    meeting.attendance = [
        CouncilAttendance(meeting_id=meeting.id, member_id=mid, present=mid in present)
        for mid in by_id
        if mid in present or by_id[mid].serving_on(meeting.held_on)
    ]
    for mid in present & by_id.keys():
        contact = by_id[mid].contact
        log.write(
            contact.partnership,
            TouchpointKind.MEETING,
            f"{contact.name} attended the advisory council meeting of {meeting.held_on:%d %b %Y}.",
            contacts=[contact],
            at=clock.end_of(meeting.held_on, clock.zone(school.timezone)),
            key=f"council-{meeting.id}-member-{mid}",
            automatic=True,
        )


def add_action_item(
    meeting: CouncilMeeting, user: User, title: str, due_on: date, assignee_id: int
) -> None:
    """An action item of the meeting: a follow-up task for a member of staff."""
    school = db.session.get_one(School, meeting.school_id)
    task = tasks.add_task(school, user, title, due_on, assignee_id)
    assert task is not None
    task.meeting_id = meeting.id


def action_items(meeting: CouncilMeeting) -> list[FollowUpTask]:
    return list(
        db.session.scalars(
            sa.select(FollowUpTask)
            .where(FollowUpTask.meeting_id == meeting.id)
            .options(joinedload(FollowUpTask.assignee))
            .order_by(FollowUpTask.due_on)
        )
    )
