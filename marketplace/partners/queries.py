"""The partner list: search and filters (stage, cluster, tag, owner, source, quiet for N days),
one page of rows with what a coordinator scans for, in a few statements."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import contains_eager, selectinload

from ..extensions import db
from ..models import (
    FollowUpTask,
    Organisation,
    PartnerLabel,
    Partnership,
    PartnerStage,
    VerificationStatus,
    utcnow,
)

PER_PAGE = 50
SORTS = {
    "name": (sa.func.lower(Organisation.name),),
    "quiet": (Partnership.last_contact_at.is_not(None), Partnership.last_contact_at),
    "recent": (Partnership.last_contact_at.is_(None), Partnership.last_contact_at.desc()),
}


@dataclass
class Filters:
    """What the list is narrowed to (all optional)."""

    q: str = ""
    stage: PartnerStage | None = None
    cluster: str = ""
    tag: str = ""
    owner_id: int | None = None
    source: str = ""
    quiet_days: int | None = None
    sort: str = "name"

    def args(self) -> dict[str, object]:
        """The filters as query-string arguments (for the pager and the export link)."""
        values = {
            "q": self.q,
            "stage": self.stage.value if self.stage else "",
            "cluster": self.cluster,
            "tag": self.tag,
            "owner": self.owner_id or "",
            "source": self.source,
            "quiet": self.quiet_days or "",
            "sort": self.sort if self.sort != "name" else "",
        }
        return {k: v for k, v in values.items() if v}


def _has_label(kind: str, value: str) -> sa.ColumnElement[bool]:
    return sa.exists().where(
        PartnerLabel.partnership_id == Partnership.id,
        PartnerLabel.kind == kind,
        PartnerLabel.value == value,
    )


def partners_query(school_id: int, filters: Filters) -> sa.Select[Partnership]:
    """The school's partner records (declined organisations left out) narrowed by `filters`."""
    query = (
        sa.select(Partnership)
        .join(Partnership.organisation)
        .options(contains_eager(Partnership.organisation))
        .where(
            Partnership.school_id == school_id,
            Partnership.status != VerificationStatus.DECLINED,
        )
    )
    if filters.q:
        query = query.where(Organisation.name.icontains(filters.q, autoescape=True))
    if filters.stage is not None:
        query = query.where(Partnership.stage == filters.stage)
    if filters.cluster:
        query = query.where(_has_label("cluster", filters.cluster))
    if filters.tag:
        query = query.where(_has_label("tag", filters.tag))
    if filters.owner_id:
        query = query.where(Partnership.owner_id == filters.owner_id)
    if filters.source:
        query = query.where(Partnership.source == filters.source)
    if filters.quiet_days:
        since = utcnow() - timedelta(days=filters.quiet_days)
        query = query.where(
            sa.or_(Partnership.last_contact_at.is_(None), Partnership.last_contact_at < since)
        )
    return query.order_by(*SORTS.get(filters.sort, SORTS["name"]), Partnership.id)


@dataclass(frozen=True)
class PartnerRow:
    """One line of the list."""

    record: Partnership
    next_due: date | None
    open_tasks: int


def partner_page(
    school_id: int, filters: Filters, page: int
) -> tuple[Pagination, list[PartnerRow]]:
    """One page of the list, with each partner's next follow-up."""
    query = partners_query(school_id, filters).options(
        selectinload(Partnership.labels), selectinload(Partnership.owner)
    )
    listing = db.paginate(query, page=page, per_page=PER_PAGE, error_out=False)
    ids = [record.id for record in listing.items]
    due: dict[int, tuple[date, int]] = {}
    if ids:
        rows = db.session.execute(
            sa.select(
                FollowUpTask.partnership_id,
                sa.func.min(FollowUpTask.due_on),
                sa.func.count(FollowUpTask.id),
            )
            .where(FollowUpTask.partnership_id.in_(ids), FollowUpTask.done_at.is_(None))
            .group_by(FollowUpTask.partnership_id)
        )
        due = {pid: (first, count) for pid, first, count in rows if pid is not None}
    return listing, [PartnerRow(record, *due.get(record.id, (None, 0))) for record in listing.items]
