"""What the site admin's dashboard reads across the deployment: schools with their admins,
open invitations, organisations waiting and messages to check; people per role;
organisations by where they stand; mail the outbox gave up on. Every figure is aggregated in
SQL (GROUP BY, window counts), so the page runs the same few statements for any number of
schools."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import QueryableAttribute, joinedload

from ..extensions import db
from ..models import (
    Invitation,
    MailState,
    Message,
    MessageFlag,
    MessageState,
    Organisation,
    OrganisationStatus,
    OutgoingMail,
    Partnership,
    Role,
    School,
    Thread,
    User,
    VerificationStatus,
    utcnow,
)

LIST_LIMIT = 5
CANCELLED = "cancelled:"  # how the outbox notes a mail called back before it was sent


@dataclass
class SchoolRow:
    school: School
    admin_count: int = 0
    invitations: int = 0  # open: neither accepted, withdrawn nor expired
    waiting: int = 0  # organisations waiting for the school's check
    held: int = 0  # messages held for the school's staff
    reported: int = 0  # messages with an open report
    admins: list[User] = field(default_factory=list)


@dataclass
class MailFailure:
    id: int
    to_address: str
    subject: str
    last_error: str
    attempts: int
    created_at: datetime


@dataclass
class SiteOverview:
    schools: list[SchoolRow]  # the first few: those without an admin first
    school_count: int
    without_admin: int
    invitations: int
    held: int
    reported: int
    roles: dict[Role, int]
    organisations: dict[str, int]  # verified, awaiting, not_verified, prospect
    waiting: list[Partnership]  # the longest-waiting checks, oldest first
    mail_failures: list[MailFailure]
    mail_failure_count: int


def _per_school(query: sa.Select, school_id: QueryableAttribute, name: str) -> sa.Subquery:
    """A count per school (`query` selects the counted column), as a subquery to join."""
    return query.add_columns(school_id.label("school_id")).group_by(school_id).subquery(name)


def _schools(now: datetime) -> list[SchoolRow]:
    """Every school with its counts, in one statement: a grouped count per figure, joined."""
    admins = _per_school(
        sa.select(sa.func.count(User.id).label("n")).where(
            User.role == Role.SCHOOL_ADMIN, User.active.is_(True)
        ),
        User.school_id,
        "admins",
    )
    invitations = _per_school(
        sa.select(sa.func.count(Invitation.id).label("n")).where(
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > now,
        ),
        Invitation.school_id,
        "invitations",
    )
    waiting = _per_school(
        sa.select(sa.func.count(Partnership.id).label("n"))
        .join(Organisation, Partnership.organisation_id == Organisation.id)
        .where(
            Partnership.status == VerificationStatus.PENDING,
            Organisation.status == OrganisationStatus.ACTIVE,
        ),
        Partnership.school_id,
        "waiting",
    )
    held = _per_school(
        sa.select(sa.func.count(Message.id).label("n"))
        .join(Thread, Message.thread_id == Thread.id)
        .where(Message.state == MessageState.HELD),
        Thread.school_id,
        "held",
    )
    reported = _per_school(
        sa.select(sa.func.count(sa.distinct(MessageFlag.message_id)).label("n"))
        .join(Message, MessageFlag.message_id == Message.id)
        .join(Thread, Message.thread_id == Thread.id)
        .where(MessageFlag.resolved_at.is_(None)),
        Thread.school_id,
        "reported",
    )
    figures = (admins, invitations, waiting, held, reported)
    query = sa.select(School, *(sa.func.coalesce(f.c.n, 0) for f in figures))
    for figure in figures:
        query = query.outerjoin(figure, figure.c.school_id == School.id)
    query = query.order_by(sa.func.coalesce(admins.c.n, 0) > 0, School.name, School.id)
    return [SchoolRow(school, *counts) for school, *counts in db.session.execute(query)]


def _admins_of(rows: list[SchoolRow]) -> None:
    """The admins of the schools shown, by name (one statement)."""
    by_school = {row.school.id: row for row in rows}
    if not by_school:
        return
    for admin in db.session.scalars(
        sa.select(User)
        .where(
            User.school_id.in_(list(by_school)),
            User.role == Role.SCHOOL_ADMIN,
            User.active.is_(True),
        )
        .order_by(User.last_name, User.first_name)
    ):
        by_school[admin.school_id or 0].admins.append(admin)


def _roles() -> dict[Role, int]:
    """Active accounts per role, in the roles' order."""
    rows = db.session.execute(
        sa.select(User.role, sa.func.count(User.id))
        .where(User.active.is_(True))
        .group_by(User.role)
    )
    counts = {role: count for role, count in rows}
    return {role: counts.get(role, 0) for role in Role}


def _organisations() -> dict[str, int]:
    """Organisations by where they stand across schools: verified by at least one, awaiting a
    first check, not verified (declined, or never asked), and prospects without accounts."""
    per_organisation = (
        sa.select(
            Organisation.status.label("status"),
            sa.func.max(
                sa.case((Partnership.status == VerificationStatus.VERIFIED, 1), else_=0)
            ).label("verified"),
            sa.func.max(
                sa.case((Partnership.status == VerificationStatus.PENDING, 1), else_=0)
            ).label("pending"),
        )
        .outerjoin(Partnership, Partnership.organisation_id == Organisation.id)
        .group_by(Organisation.id, Organisation.status)
        .subquery()
    )
    counts = {"verified": 0, "awaiting": 0, "not_verified": 0, "prospect": 0}
    for status, verified, pending, count in db.session.execute(
        sa.select(
            per_organisation.c.status,
            per_organisation.c.verified,
            per_organisation.c.pending,
            sa.func.count(),
        ).group_by(
            per_organisation.c.status, per_organisation.c.verified, per_organisation.c.pending
        )
    ):
        if status is OrganisationStatus.PROSPECT:
            counts["prospect"] += count
        elif verified:
            counts["verified"] += count
        elif pending:
            counts["awaiting"] += count
        else:
            counts["not_verified"] += count
    return counts


def _longest_waiting() -> list[Partnership]:
    """The checks organisations have waited longest for, with the organisation and school."""
    return list(
        db.session.scalars(
            sa.select(Partnership)
            .join(Organisation, Partnership.organisation_id == Organisation.id)
            .where(
                Partnership.status == VerificationStatus.PENDING,
                Organisation.status == OrganisationStatus.ACTIVE,
            )
            .options(joinedload(Partnership.organisation), joinedload(Partnership.school))
            .order_by(Partnership.requested_at, Partnership.id)
            .limit(LIST_LIMIT)
        )
    )


def _mail_failures() -> tuple[list[MailFailure], int]:
    """The latest mail the outbox gave up on after its last attempt, and how many (one
    statement, bodies left out)."""
    rows = db.session.execute(
        sa.select(
            OutgoingMail.id,
            OutgoingMail.to_address,
            OutgoingMail.subject,
            OutgoingMail.last_error,
            OutgoingMail.attempts,
            OutgoingMail.created_at,
            sa.func.count().over(),
        )
        .where(
            OutgoingMail.state == MailState.FAILED.value,
            # Mail of a message the school removed is marked failed too, but was called back
            # on purpose (notifications.subscribers): nothing to deal with.
            sa.not_(OutgoingMail.last_error.startswith(CANCELLED)),
        )
        .order_by(OutgoingMail.id.desc())
        .limit(LIST_LIMIT)
    ).all()
    return [MailFailure(*row[:-1]) for row in rows], (rows[0][-1] if rows else 0)


def overview() -> SiteOverview:
    """Everything the site admin's dashboard shows."""
    schools = _schools(utcnow())
    shown = schools[:LIST_LIMIT]
    _admins_of(shown)
    failures, failure_count = _mail_failures()
    return SiteOverview(
        schools=shown,
        school_count=len(schools),
        without_admin=sum(not row.admin_count for row in schools),
        invitations=sum(row.invitations for row in schools),
        held=sum(row.held for row in schools),
        reported=sum(row.reported for row in schools),
        roles=_roles(),
        organisations=_organisations(),
        waiting=_longest_waiting(),
        mail_failures=failures,
        mail_failure_count=failure_count,
    )
