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
from . import outreach

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


def due(rule: AutomationRule, now: datetime | None = None, most: int | None = None) -> list[Due]:
    """What the rule would send on a run now (the first `most` of it), the cap for today
    applied; in a few statements, however many partners there are."""
    now = now or utcnow()
    school = db.session.get_one(School, rule.school_id)
    room = max(0, rule.daily_cap - _sent_today(rule, school, now))
    if most is not None:
        room = min(room, most)
    if room == 0:
        return []
    candidates = list(_candidates(rule, school, now))
    sent = _already_sent([key for _, key, _ in candidates])
    unsubscribed = outreach.suppressed_addresses(school.id)
    found: list[Due] = []
    for contact, key, extra in candidates:
        if len(found) >= room:
            break
        if key in sent or contact.email.lower() in unsubscribed:
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


def _already_sent(keys: list[str]) -> set[str]:
    """The keys among `keys` whose message was sent (logged) already."""
    sent: set[str] = set()
    for start in range(0, len(keys), 500):
        sent.update(
            db.session.scalars(
                sa.select(Touchpoint.source_key).where(
                    Touchpoint.source_key.in_(keys[start : start + 500])
                )
            ).all()  # type: ignore[arg-type]
        )
    return sent


def _candidates(
    rule: AutomationRule, school: School, now: datetime
) -> Iterator[tuple[PartnerContact, str, str]]:
    if rule.kind is AutomationKind.THANKS:
        today = clock.today_in(clock.zone(school.timezone), now)
        activities = db.session.execute(
            sa.select(Activity, Partnership)
            .join(Partnership, Partnership.id == Activity.partnership_id)
            .where(
                Partnership.school_id == school.id,
                Activity.held_on >= today - THANKS_WITHIN,
                Activity.held_on <= today,
            )
            .options(selectinload(Partnership.contacts), selectinload(Partnership.organisation))
            .order_by(Activity.held_on, Activity.id)
        )
        for activity, record in activities:
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
        # Silent since its last contact, or (never logged) since it reached its stage.
        silent_since = sa.func.coalesce(Partnership.last_contact_at, Partnership.stage_changed_at)
        query = _records(school).where(
            silent_since < quiet_since,
            Partnership.stage.in_(
                [PartnerStage.ENGAGED, PartnerStage.PARTNER, PartnerStage.ADVISORY]
            ),
        )
        for record in db.session.scalars(query):
            contact = _first_reachable(record)
            last = record.last_contact_at or record.stage_changed_at
            if contact is not None:
                yield contact, f"auto-check-in-{record.id}-{last:%Y%m%d}", ""


def run(now: datetime | None = None) -> int:
    """Send what every switched-on rule has due (the job of the scheduled runs)."""
    now = now or utcnow()
    sent = 0
    for rule in db.session.scalars(
        sa.select(AutomationRule).where(AutomationRule.enabled.is_(True))
    ).all():
        for message in due(rule, now):
            try:
                sent += outreach.send(
                    message.contact, None, message.subject, message.body, key=message.key
                )
            except outreach.OutreachError:
                continue  # unreachable since it was chosen: nothing sent, nothing logged
    return sent
