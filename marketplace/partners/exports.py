"""The partner list as a CSV file (the filters of the page kept), streamed row by row."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Partnership
from .queries import Filters, partners_query

HEADER = (
    "organisation", "website", "stage", "source", "recommended_by", "owner",
    "career_clusters", "tags", "last_contact", "contacts", "verified",
)  # fmt: skip
BATCH = 500


def _contacts(record: Partnership) -> str:
    people = []
    for c in record.contacts:
        reach = ", ".join(x for x in (c.title, c.email, c.phone) if x)
        flag = " [do not contact]" if c.do_not_contact else ""
        people.append(f"{c.name} ({reach}){flag}" if reach else f"{c.name}{flag}")
    return "; ".join(people)


def rows(school_id: int, filters: Filters) -> Iterator[tuple[object, ...]]:
    """One tuple per partner, read in batches."""
    query = (
        partners_query(school_id, filters)
        .options(
            selectinload(Partnership.labels),
            selectinload(Partnership.owner),
            selectinload(Partnership.contacts),
        )
        .execution_options(yield_per=BATCH)
    )
    for record in db.session.scalars(query):
        yield (
            record.organisation.name,
            record.organisation.website,
            record.stage.label,
            record.source,
            record.recommended_by,
            record.owner.full_name if record.owner else "",
            "; ".join(record.clusters),
            "; ".join(record.tags),
            record.last_contact_at.date().isoformat() if record.last_contact_at else "",
            _contacts(record),
            "yes" if record.status.value == "verified" else "no",
        )
