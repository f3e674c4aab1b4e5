"""What the team's and the school's ladder pages read: the team's engagements and the offers
awaiting a student, the staff's approval queue, and the school-wide ladder.

Read-only. Each function loads its rows and what the pages ask of them (organisation, project,
team, offers…) eagerly, in a fixed number of statements whatever the number of rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from ..extensions import db
from ..models import (
    LADDER,
    Answer,
    Challenge,
    Classroom,
    Completion,
    Engagement,
    EngagementEvent,
    EngagementStatus,
    GuardianConsent,
    Offer,
    OfferAnswer,
    OfferRecipient,
    OfferStatus,
    Organisation,
    Project,
    School,
    Team,
    TeamMembership,
    User,
    utcnow,
)
from ..pagination import Pagination, page_of
from . import rules
from .queries import last_events

LADDER_PAGE_SIZE = 50
AWAITING_STATES = (OfferStatus.PROPOSED, OfferStatus.APPROVED)


def _engagement_options(gates: bool = True) -> list:
    """What the pages show of an engagement; with `gates`, what the rules read to explain
    a blocked offer too (the organisation's verifications, the team's students)."""
    options = [
        joinedload(Engagement.project).joinedload(Project.challenge),
        joinedload(Engagement.school),
        selectinload(Engagement.offers),
    ]
    if not gates:
        return [
            *options,
            joinedload(Engagement.organisation),
            joinedload(Engagement.team).joinedload(Team.classroom),
        ]
    return [
        *options,
        joinedload(Engagement.organisation).selectinload(Organisation.partnerships),
        joinedload(Engagement.team).options(
            joinedload(Team.classroom),
            selectinload(Team.memberships).joinedload(TeamMembership.student),
        ),
    ]


def _offer_options() -> list:
    return [
        joinedload(Offer.engagement).options(*_engagement_options()),
        selectinload(Offer.recipients).joinedload(OfferRecipient.student),
        selectinload(Offer.consents),
        selectinload(Offer.answers),
        joinedload(Offer.created_by).selectinload(User.background_checks),
    ]


# --- the team ----------------------------------------------------------------------------------


def _teams_of(student: User) -> sa.Select:
    return sa.select(TeamMembership.team_id).where(TeamMembership.student_id == student.id)


def team_engagements(student: User) -> tuple[list[Engagement], dict[int, EngagementEvent]]:
    """The engagements on the student's teams' projects, most recently moved first, with the
    last event of each."""
    engagements = list(
        db.session.scalars(
            sa.select(Engagement)
            .where(Engagement.team_id.in_(_teams_of(student)))
            .options(*_engagement_options(gates=False))
            .order_by(Engagement.last_event_at.desc())
        ).unique()
    )
    return engagements, last_events(engagements, hide_drafts=True)


def offers_awaiting(student: User) -> list[Offer]:
    """Offers sent to the student's teams (waiting for the teacher, or for an answer) that are
    addressed to this student: by name, or to the whole team."""
    offers = db.session.scalars(
        sa.select(Offer)
        .join(Engagement, Offer.engagement_id == Engagement.id)
        .where(
            Engagement.team_id.in_(_teams_of(student)),
            Engagement.status == EngagementStatus.ACTIVE,
            Offer.status.in_(AWAITING_STATES),
        )
        .options(*_offer_options())
        .order_by(Offer.respond_by, Offer.id)
    ).unique()
    return [o for o in offers if student.id in {p.id for p in rules.participants(o)}]


# --- the approval queue -----------------------------------------------------------------------


def in_scope_of(staff: User) -> sa.ColumnElement[bool]:
    """The engagements a member of staff answers for: a teacher's classes, an admin's school."""
    if staff.is_teacher:
        taught = sa.select(Team.id).join(Classroom).where(Classroom.teacher_id == staff.id)
        return Engagement.team_id.in_(taught)
    return Engagement.school_id == staff.school_id


@dataclass
class ApprovalQueue:
    """What waits for a teacher: offers to approve, consents to record, skips to allow and
    completions to confirm."""

    to_approve: list[Offer] = field(default_factory=list)
    consents: list[tuple[Offer, list[User]]] = field(default_factory=list)
    skips: list[Offer] = field(default_factory=list)
    completions: list[Engagement] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.to_approve) + len(self.consents) + len(self.skips) + len(self.completions)


def _queued_offers(staff: User, *columns: Any) -> sa.Select:
    return (
        sa.select(*columns)
        .join(Engagement, Offer.engagement_id == Engagement.id)
        .where(
            in_scope_of(staff),
            Engagement.status == EngagementStatus.ACTIVE,
            Offer.status.in_([OfferStatus.DRAFT, *AWAITING_STATES]),
        )
    )


def _marked_completions(staff: User, *columns: Any) -> sa.Select:
    return sa.select(*columns).where(
        in_scope_of(staff),
        Engagement.status == EngagementStatus.ACTIVE,
        Engagement.completion == Completion.MARKED,
    )


def approval_queue(staff: User, today: date) -> ApprovalQueue:
    """The teacher's (or school admin's) queue, oldest first."""
    queue = ApprovalQueue()
    offers = db.session.scalars(
        _queued_offers(staff, Offer).options(*_offer_options()).order_by(Offer.created_at, Offer.id)
    ).unique()
    for offer in offers:
        if offer.status is OfferStatus.PROPOSED:
            queue.to_approve.append(offer)
        if offer.status in AWAITING_STATES:
            missing = rules.consents_missing(offer, today)
            if missing:
                queue.consents.append((offer, missing))
        if rules.needs_skip(offer.engagement, offer.rung):
            queue.skips.append(offer)
    queue.completions = list(
        db.session.scalars(
            _marked_completions(staff, Engagement)
            .options(*_engagement_options(gates=False))
            .order_by(Engagement.last_event_at)
        ).unique()
    )
    return queue


def completions_waiting(staff: User) -> sa.ScalarSelect[int]:
    """How many completions wait for this member of staff's confirmation, as a subquery."""
    return _marked_completions(staff, sa.func.count(Engagement.id)).scalar_subquery()


def _consent_missing(today: date) -> sa.ColumnElement[bool]:
    """Whether a minor the offer is to has no guardian's consent recorded: `consents_missing`
    asked of the offer's row (the students named, or the team less those who stepped out)."""
    member = TeamMembership.student_id
    named = sa.exists().where(OfferRecipient.offer_id == Offer.id)
    is_named = sa.exists().where(
        OfferRecipient.offer_id == Offer.id, OfferRecipient.student_id == member
    )
    stepped_out = sa.exists().where(
        OfferAnswer.offer_id == Offer.id,
        OfferAnswer.student_id == member,
        OfferAnswer.answer == Answer.STEPPED_OUT,
    )
    consented = sa.exists().where(
        GuardianConsent.offer_id == Offer.id, GuardianConsent.student_id == member
    )
    return (
        sa.select(member)
        .join(User, User.id == member)
        .where(
            TeamMembership.team_id == Engagement.team_id,
            sa.or_(sa.and_(named, is_named), sa.and_(~named, ~stepped_out)),
            sa.or_(User.date_of_birth.is_(None), User.date_of_birth > rules.adult_born_by(today)),
            ~consented,
        )
        .exists()
    )


def offers_waiting(staff: User, today: date) -> int:
    """What the queue's offers add to its total (offers to approve, consents to record, skips
    to allow), in one statement: the dashboard's count without loading the offers."""
    rows = db.session.execute(
        _queued_offers(
            staff,
            Offer.status,
            Offer.rung,
            Engagement.rung,
            Engagement.skip_allowed_to,
            _consent_missing(today),
        )
    )
    return sum(
        (status is OfferStatus.PROPOSED)
        + (status in AWAITING_STATES and bool(missing))
        + rules.skip_needed(at, allowed, rung)
        for status, rung, at, allowed, missing in rows
    )


# --- the school-wide ladder -------------------------------------------------------------------


@dataclass(frozen=True)
class LadderFilters:
    """The school ladder's filters; values not offered by the page are dropped."""

    classroom_id: int | None = None
    cluster: str = ""
    organisation_id: int | None = None

    def apply(self, query: sa.Select) -> sa.Select:
        if self.classroom_id is not None:
            teams = sa.select(Team.id).where(Team.classroom_id == self.classroom_id)
            query = query.where(Engagement.team_id.in_(teams))
        if self.cluster:
            projects = (
                sa.select(Project.id)
                .join(Challenge, Project.challenge_id == Challenge.id)
                .where(Challenge.career_cluster == self.cluster)
            )
            query = query.where(Engagement.project_id.in_(projects))
        if self.organisation_id is not None:
            query = query.where(Engagement.organisation_id == self.organisation_id)
        return query

    @property
    def active(self) -> bool:
        return bool(self.classroom_id or self.cluster or self.organisation_id)


def filter_choices(school: School) -> tuple[list[Classroom], list[Organisation]]:
    """The school's classes, and the organisations engaged with its teams."""
    classrooms = db.session.scalars(
        sa.select(Classroom).where(Classroom.school_id == school.id).order_by(Classroom.name)
    )
    engaged = sa.select(Engagement.organisation_id).where(Engagement.school_id == school.id)
    organisations = db.session.scalars(
        sa.select(Organisation).where(Organisation.id.in_(engaged)).order_by(Organisation.name)
    )
    return list(classrooms), list(organisations)


@dataclass
class SchoolLadder:
    """How many engagements sit on each rung, and one page of them, stalled ones first."""

    counts: dict[str, int]
    listing: Pagination  # one page of the engagements
    last: dict[int, EngagementEvent]

    @property
    def engagements(self) -> list[Engagement]:
        return self.listing.items

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _counts(school: School, filters: LadderFilters) -> dict[str, int]:
    counts = {r.value: 0 for r in LADDER} | {"completed": 0, "closed": 0}
    rows = db.session.execute(
        filters.apply(
            sa.select(Engagement.status, Engagement.rung, sa.func.count()).where(
                Engagement.school_id == school.id
            )
        ).group_by(Engagement.status, Engagement.rung)
    )
    for status, rung, count in rows:
        counts[rung.value if status is EngagementStatus.ACTIVE else status.value] += count
    return counts


def school_ladder(school: School, filters: LadderFilters, page: int = 1) -> SchoolLadder:
    """The school's engagements: stalled ones first (longest silent first), then the other
    active ones and the ended ones, most recently moved first."""
    counts = _counts(school, filters)
    stalled = sa.and_(
        Engagement.status == EngagementStatus.ACTIVE,
        Engagement.last_event_at < utcnow() - timedelta(days=school.stall_days),
    )
    group = sa.case((stalled, 0), (Engagement.status == EngagementStatus.ACTIVE, 1), else_=2)
    query = (
        filters.apply(sa.select(Engagement).where(Engagement.school_id == school.id))
        .options(*_engagement_options(gates=False))
        .order_by(
            group,
            sa.case((stalled, Engagement.last_event_at), else_=None),
            Engagement.last_event_at.desc(),
            Engagement.id,
        )
    )
    listing = page_of(query, page, LADDER_PAGE_SIZE, sum(counts.values()))
    return SchoolLadder(counts, listing, last_events(listing.items))
