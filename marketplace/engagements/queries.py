"""Reads for the ladder's pages, in a fixed number of statements whatever the number of rows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from ..built import Built
from ..extensions import db
from ..models import (
    LADDER,
    OPEN_OFFER_STATES,
    Engagement,
    EngagementEvent,
    EngagementStatus,
    Offer,
    OfferStatus,
    Project,
    Team,
    User,
)
from ..projects import rules as project_rules
from . import rules

BOARD_COLUMN_LIMIT = 50


def _card_options() -> list:
    return [
        joinedload(Engagement.project).joinedload(Project.challenge),
        joinedload(Engagement.school),
        joinedload(Engagement.team).joinedload(Team.classroom),
    ]


def last_events(
    engagements: Sequence[Engagement], hide_drafts: bool = False
) -> dict[int, EngagementEvent]:
    """The latest event of each engagement, in one statement (for a student, the latest they
    may see: not a draft's)."""
    ids = [e.id for e in engagements]
    if not ids:
        return {}
    latest = sa.select(sa.func.max(EngagementEvent.id)).where(
        EngagementEvent.engagement_id.in_(ids)
    )
    if hide_drafts:  # the SQL form of rules.is_draft_event
        draft, withdrawn = OfferStatus.DRAFT.value, OfferStatus.WITHDRAWN.value
        latest = latest.where(
            EngagementEvent.to_state != draft,
            sa.not_(
                sa.and_(EngagementEvent.from_state == draft, EngagementEvent.to_state == withdrawn)
            ),
        )
    events = db.session.scalars(
        sa.select(EngagementEvent)
        .where(EngagementEvent.id.in_(latest.group_by(EngagementEvent.engagement_id)))
        .options(joinedload(EngagementEvent.actor))
    )
    return {event.engagement_id: event for event in events}


def load_extras(engagements: Sequence[Engagement]) -> tuple[dict, dict]:
    """The last event and the open offer of each engagement, in two statements."""
    ids = [e.id for e in engagements]
    if not ids:
        return {}, {}
    last = last_events(engagements)
    open_offers: dict[int, Offer] = {}
    for offer in db.session.scalars(
        sa.select(Offer)
        .where(Offer.engagement_id.in_(ids), Offer.status.in_(list(OPEN_OFFER_STATES)))
        .order_by(Offer.created_at)
    ):
        open_offers[offer.engagement_id] = offer
    return last, open_offers


@dataclass
class Column:
    key: str
    label: str
    count: int = 0
    cards: list[Engagement] = field(default_factory=list)


@dataclass
class Board:
    columns: list[Column]
    last: dict[int, EngagementEvent]
    open_offers: dict[int, Offer]
    stalled: int = 0


def _column_key(engagement: Engagement) -> str:
    return (
        engagement.rung.value
        if engagement.status is EngagementStatus.ACTIVE
        else (engagement.status.value)
    )


def pipeline(organisation_id: int, limit: int = BOARD_COLUMN_LIMIT) -> Board:
    """The organisation's engagements as columns by rung (active ones), then completed and
    closed; each column shows its most recently moved cards, stalled or not."""
    columns = {r.value: Column(r.value, r.label) for r in LADDER}
    columns["completed"] = Column("completed", "completed")
    columns["closed"] = Column("closed", "closed")
    counts = db.session.execute(
        sa.select(Engagement.status, Engagement.rung, sa.func.count())
        .where(Engagement.organisation_id == organisation_id)
        .group_by(Engagement.status, Engagement.rung)
    )
    for status, rung, count in counts:
        key = rung.value if status is EngagementStatus.ACTIVE else status.value
        columns[key].count += count
    for column in columns.values():
        if not column.count:
            continue
        query = sa.select(Engagement).where(Engagement.organisation_id == organisation_id)
        if column.key in ("completed", "closed"):
            query = query.where(Engagement.status == column.key)
        else:
            query = query.where(
                Engagement.status == EngagementStatus.ACTIVE, Engagement.rung == column.key
            )
        column.cards = list(
            db.session.scalars(
                query.options(*_card_options())
                .order_by(Engagement.last_event_at.desc())
                .limit(limit)
            ).unique()
        )
    cards = [card for column in columns.values() for card in column.cards]
    last, open_offers = load_extras(cards)
    board = Board(list(columns.values()), last, open_offers)
    board.stalled = sum(rules.is_stalled(card) for card in cards)
    return board


def card(engagement_id: int) -> tuple[Engagement, dict, dict]:
    """One card of the board, with its extras (for htmx updates)."""
    engagement = db.session.scalars(
        sa.select(Engagement).where(Engagement.id == engagement_id).options(*_card_options())
    ).one()
    last, open_offers = load_extras([engagement])
    return engagement, last, open_offers


def _for_project_statement(of_one_organisation: bool) -> sa.Select:
    query = sa.select(Engagement).where(Engagement.project_id == sa.bindparam("project"))
    if of_one_organisation:
        query = query.where(Engagement.organisation_id == sa.bindparam("organisation"))
    return query.options(
        joinedload(Engagement.organisation),
        joinedload(Engagement.offers),
        joinedload(Engagement.school),
    ).order_by(Engagement.created_at)


# Asked on every project page: built once for each of its two shapes (see `built`).
_FOR_PROJECT: Built[sa.Select] = Built(limit=2)


def for_project(project: Project, user: User) -> list[Engagement]:
    """The engagements on a project that `user` may see: the employer's own organisation's, or
    all of them for the team and its school's staff."""
    if not (
        user.is_employer
        or project_rules.is_member(project, user)
        or project_rules.can_review(project, user)
        or user.is_site_admin
    ):
        return []
    if project.any_engagement_seen is False:  # asked with the project by its page
        return []
    employer = bool(user.is_employer)
    statement = _FOR_PROJECT.get(employer, lambda: _for_project_statement(employer))
    values = {"project": project.id, "organisation": user.organisation_id}
    return list(db.session.scalars(statement, values).unique())


def timeline(engagement: Engagement, viewer: User) -> list[EngagementEvent]:
    """Every event of the engagement `viewer` may see, oldest first, with who and which offer."""
    events = db.session.scalars(
        sa.select(EngagementEvent)
        .where(EngagementEvent.engagement_id == engagement.id)
        .options(joinedload(EngagementEvent.actor), joinedload(EngagementEvent.offer))
        .order_by(EngagementEvent.id)
    )
    return [event for event in events if rules.sees_event(event, viewer)]
