"""The communication log: entries written by hand in a few seconds, entries written by the
product when something happens with the partner, and the stage that moves with them.

The stage only moves up by itself: a call, an e-mail, a meeting or an event means the partner
was contacted; an activity, an interest, a lead, judging or a message from them means it
engaged; a rung completed, an offer accepted or a third activity in a year makes it a partner.
Staff can set any stage by hand (`records.set_stage`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import selectinload

from .. import clock
from ..extensions import db
from ..models import (
    Activity,
    ActivityKind,
    PartnerContact,
    Partnership,
    PartnerStage,
    Touchpoint,
    TouchpointKind,
    User,
    utcnow,
)
from . import rules

# What each kind of entry says about where the partner stands (at least).
STAGE_OF = {
    TouchpointKind.CALL: PartnerStage.CONTACTED,
    TouchpointKind.EMAIL: PartnerStage.CONTACTED,
    TouchpointKind.MEETING: PartnerStage.CONTACTED,
    TouchpointKind.EVENT: PartnerStage.CONTACTED,
    TouchpointKind.INVITATION: PartnerStage.CONTACTED,
    TouchpointKind.ACTIVITY: PartnerStage.ENGAGED,
    TouchpointKind.INTEREST: PartnerStage.ENGAGED,
    TouchpointKind.LEAD: PartnerStage.ENGAGED,
    TouchpointKind.JUDGING: PartnerStage.ENGAGED,
    TouchpointKind.MESSAGE: PartnerStage.ENGAGED,
    TouchpointKind.OFFER: PartnerStage.ENGAGED,
    TouchpointKind.RUNG: PartnerStage.PARTNER,
}
# Entries that are not a contact with the partner (the list's "last contact" ignores them).
NOT_CONTACT = frozenset({TouchpointKind.NOTE, TouchpointKind.STAGE})
ACTIVITIES_FOR_PARTNER = 3  # in a year: a partner in all but name
PER_PAGE = 30


def raise_stage(record: Partnership, stage: PartnerStage) -> bool:
    """Move the record up to `stage` if it is below it (never down)."""
    if stage.rank <= record.stage.rank:
        return False
    record.stage, record.stage_changed_at = stage, utcnow()
    return True


def write(
    record: Partnership,
    kind: TouchpointKind,
    summary: str,
    *,
    owner: User | None = None,
    at: datetime | None = None,
    contacts: Sequence[PartnerContact] = (),
    link: str = "",
    key: str | None = None,
    automatic: bool = False,
) -> Touchpoint | None:
    """Add an entry to the record's log (`automatic`: written by the product); `key` names what
    it is about, so the same happening is logged once (None is returned the second time)."""
    if key is not None and logged(key):
        return None
    at = at or utcnow()
    entry = Touchpoint(
        partnership_id=record.id,
        kind=kind,
        occurred_at=at,
        owner_id=owner.id if owner else None,
        summary=summary,
        automatic=automatic,
        link=link[:255],
        source_key=key,
        contacts=list(contacts),
    )
    db.session.add(entry)
    if kind not in NOT_CONTACT and (record.last_contact_at is None or at > record.last_contact_at):
        record.last_contact_at = at
    if kind in STAGE_OF:
        raise_stage(record, STAGE_OF[kind])
    db.session.flush()
    return entry


def logged(key: str) -> bool:
    """Whether the happening `key` names is in a log already."""
    return (
        db.session.scalar(sa.select(Touchpoint.id).where(Touchpoint.source_key == key)) is not None
    )


def moment_on(day: date, record: Partnership) -> datetime:
    """When an entry dated `day` happened: now if today at the school, else midday there."""
    where = clock.zone(record.school.timezone)
    if day >= clock.today_in(where):
        return utcnow()
    return datetime.combine(day, time(12), tzinfo=where).astimezone(UTC)


def log_by_hand(
    record: Partnership,
    user: User,
    kind: TouchpointKind,
    day: date,
    summary: str,
    contacts: Iterable[PartnerContact] = (),
) -> Touchpoint:
    """Staff note a call, e-mail, meeting, event or note with the partner."""
    if not rules.can_see_partner(record, user) or not kind.by_hand:
        raise PermissionError
    chosen = [c for c in contacts if c.partnership_id == record.id]
    entry = write(record, kind, summary, owner=user, at=moment_on(day, record), contacts=chosen)
    assert entry is not None  # only keyed entries are skipped
    return entry


def add_activity(
    record: Partnership,
    user: User | None,
    kind: ActivityKind,
    day: date,
    students_reached: int = 0,
    hours: float = 0.0,
    note: str = "",
) -> Activity:
    """Record an activity (`user` None: the product records it, a judge's demo day): it appears
    in the log and counts toward the partner's stage."""
    if user is not None and not rules.can_see_partner(record, user):
        raise PermissionError
    activity = Activity(
        partnership_id=record.id,
        kind=kind,
        held_on=day,
        students_reached=students_reached,
        hours=hours,
        note=note,
        created_by_id=user.id if user else None,
    )
    db.session.add(activity)
    db.session.flush()
    reached = f", {students_reached} students" if students_reached else ""
    given = f", {hours:g} h" if hours else ""
    write(
        record,
        TouchpointKind.ACTIVITY,
        f"{kind.value.capitalize()}{reached}{given}. {note}".strip(),
        owner=user,
        at=moment_on(day, record),
        key=f"activity-{activity.id}",
        automatic=user is None,
    )
    year_ago = day - timedelta(days=365)
    count = db.session.scalar(
        sa.select(sa.func.count(Activity.id)).where(
            Activity.partnership_id == record.id, Activity.held_on > year_ago
        )
    )
    if (count or 0) >= ACTIVITIES_FOR_PARTNER:
        raise_stage(record, PartnerStage.PARTNER)
    return activity


def timeline(
    record: Partnership, kinds: Iterable[TouchpointKind] = (), page: int = 1
) -> Pagination:
    """The record's log, newest first, one page, optionally only some kinds."""
    query = (
        sa.select(Touchpoint)
        .where(Touchpoint.partnership_id == record.id)
        .options(selectinload(Touchpoint.owner), selectinload(Touchpoint.contacts))
        .order_by(Touchpoint.occurred_at.desc(), Touchpoint.id.desc())
    )
    kinds = list(kinds)
    if kinds:
        query = query.where(Touchpoint.kind.in_(kinds))
    return db.paginate(query, page=page, per_page=PER_PAGE, error_out=False)


def activities_of(record: Partnership) -> list[Activity]:
    return list(
        db.session.scalars(
            sa.select(Activity)
            .where(Activity.partnership_id == record.id)
            .order_by(Activity.held_on.desc(), Activity.id.desc())
        )
    )
