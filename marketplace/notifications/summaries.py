"""The teachers' weekly summary: what waits for them (the approval queue), stalled
engagements, and messages held or reported in their school's threads. One mail per ISO week per
person, only when something needs them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from .. import clock
from ..engagements import queues, rules
from ..extensions import db
from ..messaging import moderation_queries
from ..models import (
    Engagement,
    EngagementStatus,
    Role,
    User,
)
from .digests import Line, absolute, compose_for, iso_week, mail_once, wants_mail

MODERATION_PATH = "/messages/held"  # the held queue and the open reports


# --- the teachers' weekly summary -------------------------------------------------------------


@dataclass
class TeacherSummary:
    """What waits for one member of staff this week."""

    approvals: list[Line]
    waiting: int  # everything the approval queue holds (approvals, consents, skips, completions)
    waiting_detail: str  # "1 offer to approve, 2 guardian consents to record"
    stalled: list[Line]
    held: int
    flagged: int

    @property
    def empty(self) -> bool:
        return not (self.waiting or self.stalled or self.held or self.flagged)


def stalled_in_scope(staff: User, now: datetime) -> list[Engagement]:
    """The active engagements `staff` answers for (a teacher's classes, an admin's school)
    that are stalled by the ladder's rule, longest silent first."""
    engagements = db.session.scalars(
        sa.select(Engagement)
        .where(queues.in_scope_of(staff), Engagement.status == EngagementStatus.ACTIVE)
        .options(joinedload(Engagement.school), joinedload(Engagement.organisation))
        .order_by(Engagement.last_event_at, Engagement.id)
    ).unique()
    return [e for e in engagements if rules.is_stalled(e, now)]


def teacher_summary(staff: User, now: datetime) -> TeacherSummary:
    """What needs `staff` this week: the approval queue, stalled engagements, messages held
    for review and unresolved reports in the school's threads."""
    queue = queues.approval_queue(staff, clock.today_for(staff, now))
    approvals = [
        Line(
            f"{o.engagement.organisation.name} offers {o.rung.a} to {o.engagement.team.name}",
            absolute(f"/offers/{o.id}"),
        )
        for o in queue.to_approve
    ]
    stalled = [
        Line(
            f"{e.team.name} and {e.organisation.name} ({e.project.title}): quiet since "
            f"{e.last_event_at:%d %b}. {rules.next_step(e, staff)}",
            absolute(f"/engagements/{e.id}"),
        )
        for e in stalled_in_scope(staff, now)
    ]
    held, reported = moderation_queries.held_queue(staff), moderation_queries.open_reports(staff)
    return TeacherSummary(
        approvals, queue.total, _queue_detail(queue), stalled, len(held), len(reported)
    )


def _queue_detail(queue: queues.ApprovalQueue) -> str:
    parts = [
        (len(queue.to_approve), "offer to approve", "offers to approve"),
        (len(queue.consents), "guardian consent to record", "guardian consents to record"),
        (len(queue.skips), "rung skip to allow", "rung skips to allow"),
        (len(queue.completions), "completion to confirm", "completions to confirm"),
    ]
    return ", ".join(f"{n} {one if n == 1 else many}" for n, one, many in parts if n)


def teacher_weekly_summary(now: datetime) -> int:
    """Each teacher and school admin with a school: one mail per ISO week, only when
    something needs them."""
    week = iso_week(now)
    staff = db.session.scalars(
        sa.select(User)
        .where(
            User.role.in_([Role.TEACHER, Role.SCHOOL_ADMIN]),
            User.active.is_(True),
            User.school_id.is_not(None),
        )
        .order_by(User.id)
    )
    sent = 0
    for person in list(staff):
        if not wants_mail(person):
            continue
        summary = teacher_summary(person, now)
        if summary.empty:
            continue
        mail = compose_for(
            person,
            f"Your week on the marketplace: {_headline(summary)}",
            "teacher_summary",
            summary=summary,
            approvals_link=absolute("/approvals"),
            ladder_link=absolute("/ladder"),
            moderation_link=absolute(MODERATION_PATH),
        )
        sent += mail_once(
            person, mail, key=f"teacher-summary-{week}-user-{person.id}", kind="weekly"
        )
    return sent


def _headline(summary: TeacherSummary) -> str:
    parts = [
        f"{summary.waiting} waiting for you" if summary.waiting else "",
        f"{len(summary.stalled)} stalled" if summary.stalled else "",
        f"{summary.held} held message{'s' if summary.held != 1 else ''}" if summary.held else "",
        f"{summary.flagged} reported" if summary.flagged else "",
    ]
    return ", ".join(p for p in parts if p)
