"""Automated messages a school switches on: thank a partner after an activity, invite the
partners of a cluster to the next pitch event, ask a partner silent for N days how things are.
Each has a preview (who would get what on the next run), a daily cap, and never reaches a
contact marked "do not contact" or unsubscribed. The scheduled jobs run them (`run`); each
message is sent once (its key names what it is about)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from .. import clock
from ..extensions import db
from ..models import (
    Activity,
    AutomationKind,
    AutomationRule,
    EventStatus,
    PartnerContact,
    PartnerLabel,
    Partnership,
    PartnerStage,
    PitchEvent,
    School,
    Touchpoint,
    User,
    VerificationStatus,
    utcnow,
)
from . import log, outreach

THANKS_WITHIN = timedelta(days=7)  # an activity older than this is not thanked any more
TEMPLATES = {t.key: t for t in outreach.BUILT_IN}
DESCRIPTIONS = {
    AutomationKind.THANKS: "Thank a partner by e-mail after an activity (within a week).",
    AutomationKind.EVENT: "Invite the partners of a career cluster to the school's next "
    "published pitch event.",
    AutomationKind.CHECK_IN: "Ask a partner nobody has been in touch with for a while how "
    "things are.",
}


def rules_of(school: School) -> list[AutomationRule]:
    """The school's three rules; one never saved is off (and not saved until it is changed)."""
    rows = {
        r.kind: r
        for r in db.session.scalars(
            sa.select(AutomationRule).where(AutomationRule.school_id == school.id)
        )
    }
    return [
        rows.get(kind)
        or AutomationRule(
            school_id=school.id, kind=kind, enabled=False, daily_cap=20, quiet_days=90, cluster=""
        )
        for kind in AutomationKind
    ]


def update(rule: AutomationRule, user: User, **values: object) -> None:
    """Switch a rule on or off, or change its settings (saving it the first time)."""
    if not user.is_staff_of(rule.school_id):
        raise PermissionError
    db.session.add(rule)
    for name, value in values.items():
        setattr(rule, name, value)
    rule.updated_by_id, rule.updated_at = user.id, utcnow()


@dataclass(frozen=True)
class Due:
    """One message the rule would send now."""

    contact: PartnerContact
    key: str
    subject: str
    body: str


def _first_reachable(record: Partnership) -> PartnerContact | None:
    return next((c for c in record.contacts if c.reachable_by_mail), None)


def _sent_today(rule: AutomationRule, school: School, now: datetime) -> int:
    today = clock.today_in(clock.zone(school.timezone), now)
    start = datetime.combine(today, time(0), tzinfo=clock.zone(school.timezone))
    return (
        db.session.scalar(
            sa.select(sa.func.count(Touchpoint.id))
            .join(Partnership, Partnership.id == Touchpoint.partnership_id)
            .where(
                Partnership.school_id == school.id,
                Touchpoint.source_key.like(f"auto-{rule.kind.value}-%"),
                Touchpoint.occurred_at >= start,
            )
        )
        or 0
    )


def _records(school: School) -> sa.Select[Partnership]:
    return (
        sa.select(Partnership)
        .where(
            Partnership.school_id == school.id,
            Partnership.status != VerificationStatus.DECLINED,
        )
        .options(selectinload(Partnership.contacts), selectinload(Partnership.organisation))
        .order_by(Partnership.id)
    )


def due(rule: AutomationRule, now: datetime | None = None) -> list[Due]:
    """What the rule would send on a run now, the cap for today applied."""
    now = now or utcnow()
    school = db.session.get_one(School, rule.school_id)
    room = max(0, rule.daily_cap - _sent_today(rule, school, now))
    found: list[Due] = []
    for contact, key, extra in _candidates(rule, school, now):
        if len(found) >= room:
            break
        if log.logged(key):
            continue
        template = TEMPLATES[rule.kind.value]
        body = template.body.replace("\n\nWith thanks", f"{extra}\n\nWith thanks", 1)
        found.append(
            Due(
                contact,
                key,
                outreach.merge(template.subject, contact, None),
                outreach.merge(body, contact, None),
            )
        )
    return found


def _candidates(
    rule: AutomationRule, school: School, now: datetime
) -> Iterator[tuple[PartnerContact, str, str]]:
    if rule.kind is AutomationKind.THANKS:
        since = (now - THANKS_WITHIN).date()
        activities = db.session.scalars(
            sa.select(Activity)
            .join(Partnership, Partnership.id == Activity.partnership_id)
            .where(Partnership.school_id == school.id, Activity.held_on >= since)
            .where(Activity.held_on <= clock.today_in(clock.zone(school.timezone), now))
            .order_by(Activity.held_on, Activity.id)
        )
        for activity in activities:
            record = db.session.get_one(Partnership, activity.partnership_id)
            contact = _first_reachable(record)
            if contact is not None:
                yield contact, f"auto-thanks-activity-{activity.id}", ""
    elif rule.kind is AutomationKind.EVENT:
        event = db.session.scalar(
            sa.select(PitchEvent)
            .where(
                PitchEvent.school_id == school.id,
                PitchEvent.status == EventStatus.PUBLISHED,
                PitchEvent.starts_at > now,
            )
            .order_by(PitchEvent.starts_at)
            .limit(1)
        )
        if event is None:
            return
        query = _records(school)
        if rule.cluster:
            query = query.where(
                sa.exists().where(
                    PartnerLabel.partnership_id == Partnership.id,
                    PartnerLabel.kind == "cluster",
                    PartnerLabel.value == rule.cluster,
                )
            )
        when = clock.local(event.starts_at, clock.zone(school.timezone))
        extra = f"\n\n{event.title}: {when:%A} {when.day} {when:%B %Y, %H:%M}."
        for record in db.session.scalars(query):
            contact = _first_reachable(record)
            if contact is not None:
                yield contact, f"auto-event-{event.id}-partner-{record.id}", extra
    else:
        quiet_since = now - timedelta(days=rule.quiet_days)
        query = _records(school).where(
            Partnership.last_contact_at < quiet_since,
            Partnership.stage.in_(
                [PartnerStage.ENGAGED, PartnerStage.PARTNER, PartnerStage.ADVISORY]
            ),
        )
        for record in db.session.scalars(query):
            contact = _first_reachable(record)
            last = record.last_contact_at
            if contact is not None and last is not None:
                yield contact, f"auto-check-in-{record.id}-{last:%Y%m%d}", ""


def run(now: datetime | None = None) -> int:
    """Send what every switched-on rule has due (the job of the scheduled runs)."""
    now = now or utcnow()
    sent = 0
    for rule in db.session.scalars(
        sa.select(AutomationRule).where(AutomationRule.enabled.is_(True))
    ).all():
        for message in due(rule, now):
            sent += outreach.send(
                message.contact, None, message.subject, message.body, key=message.key
            )
    return sent
