"""Partner records: adding a partner (or finding the organisation another school already knows),
its details, labels, stage and contacts. One school's record never shows another school's."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from urllib.parse import urlsplit

import sqlalchemy as sa

from ..extensions import db
from ..models import (
    Organisation,
    OrganisationStatus,
    PartnerContact,
    PartnerLabel,
    Partnership,
    PartnerStage,
    ProjectLink,
    School,
    TouchpointKind,
    User,
    VerificationStatus,
    utcnow,
)
from . import log, rules


class PartnerError(Exception):
    """A change to the partner network that breaks a rule; the message is shown."""


def web_domain(address: str | None) -> str:
    """The host of a web address without "www.": how two spellings of a site are told equal."""
    if not address:
        return ""
    address = address.strip().lower()
    host = urlsplit(address if "//" in address else f"//{address}").hostname or ""
    return host.removeprefix("www.")


def find_organisation(name: str, website: str = "") -> Organisation | None:
    """An organisation of the deployment with this web domain, or else this name — but never
    one of the same name with another web domain: two businesses may share a name."""
    domain = web_domain(website)
    if domain:
        candidates = db.session.scalars(
            sa.select(Organisation)
            .where(
                sa.or_(
                    Organisation.email_domain == domain,
                    sa.func.lower(Organisation.website).contains(domain, autoescape=True),
                )
            )
            .order_by(Organisation.id)
            .limit(20)
        )
        found = next((o for o in candidates if same_site(o) == domain), None)
        if found is not None:
            return found
    same_name = db.session.scalars(
        sa.select(Organisation)
        .where(sa.func.lower(Organisation.name) == name.strip().lower())
        .order_by(Organisation.id)
    )
    return next(
        (o for o in same_name if not domain or not same_site(o) or same_site(o) == domain), None
    )


def same_site(organisation: Organisation) -> str:
    """The web domain an organisation is known by ("" if none)."""
    return web_domain(organisation.website or organisation.email_domain)


def record_of(school_id: int, organisation_id: int) -> Partnership | None:
    return db.session.scalar(
        sa.select(Partnership).filter_by(school_id=school_id, organisation_id=organisation_id)
    )


def add_partner(
    school: School,
    user: User | None,
    *,
    name: str,
    website: str = "",
    **fields: str,
) -> tuple[Partnership, bool]:
    """Put an organisation in the school's network as a prospect (returns the record and
    whether it is new; `user` None: the product adds it, from a lead). An organisation already
    known to the deployment (same web domain, or else the same name) is shared, never
    duplicated; its other schools' records stay theirs."""
    if user is not None and not user.is_staff_of(school.id):
        raise PermissionError
    organisation = find_organisation(name, website)
    if organisation is None:
        domain = web_domain(website)
        organisation = Organisation(
            name=name.strip(),
            website=website,
            email_domain=domain or None,
            status=OrganisationStatus.PROSPECT,
            industry=fields.get("industry", ""),
            city=fields.get("city", ""),
        )
        db.session.add(organisation)
    else:
        existing = record_of(school.id, organisation.id) if organisation.id else None
        if existing is not None:
            return existing, False
    record = Partnership(
        organisation=organisation,
        school_id=school.id,
        status=VerificationStatus.NOT_ASKED,
        owner_id=user.id if user else None,
        source=fields.get("source", ""),
        recommended_by=fields.get("recommended_by", ""),
    )
    db.session.add(record)
    db.session.flush()
    return record, True


def set_labels(record: Partnership, kind: str, values: Iterable[str]) -> None:
    """Replace the record's career clusters (`kind` "cluster") or tags ("tag")."""
    wanted = list(dict.fromkeys(v.strip()[:80] for v in values if v.strip()))
    keep = [label for label in record.labels if label.kind != kind or label.value in wanted]
    have = {label.value for label in keep if label.kind == kind}
    record.labels = keep + [
        PartnerLabel(kind=kind, value=value) for value in wanted if value not in have
    ]


def parse_tags(text: str) -> list[str]:
    """Tags typed as a comma-separated list: trimmed, lower case, at most 20."""
    return list(dict.fromkeys(t.strip().lower()[:80] for t in text.split(",") if t.strip()))[:20]


def update_record(record: Partnership, user: User, **fields: object) -> None:
    """Change the record's source, recommender, owner, notes, clusters and tags."""
    if not rules.can_see_partner(record, user):
        raise PermissionError
    owner_id = fields.get("owner_id")
    if owner_id is not None and owner_id not in {s.id for s in rules.staff_of(record.school_id)}:
        raise PartnerError("The owner must be a member of the school's staff.")
    record.owner_id = owner_id
    record.source = str(fields.get("source") or "")
    record.recommended_by = str(fields.get("recommended_by") or "")
    record.notes = str(fields.get("notes") or "")
    set_labels(record, "cluster", fields.get("clusters") or ())  # type: ignore[arg-type]
    set_labels(record, "tag", fields.get("tags") or ())  # type: ignore[arg-type]


def set_stage(record: Partnership, user: User, stage: PartnerStage) -> None:
    """Set the stage by hand (up or down), noted in the log."""
    if not rules.can_see_partner(record, user):
        raise PermissionError
    if stage is record.stage:
        return
    before = record.stage
    record.stage, record.stage_changed_at = stage, utcnow()
    log.write(
        record,
        TouchpointKind.STAGE,
        f"Stage set by hand from {before.label} to {stage.label}.",
        owner=user,
    )


def add_contact(record: Partnership, user: User | None, **fields: object) -> PartnerContact:
    """A new contact at the partner (`user` None: the product adds it, from a lead)."""
    if user is not None and not rules.can_see_partner(record, user):
        raise PermissionError
    contact = PartnerContact(partnership=record, nonce=secrets.token_hex(8), **fields)
    db.session.add(contact)
    db.session.flush()
    return contact


def update_contact(contact: PartnerContact, user: User, **fields: object) -> None:
    """Change a contact; a new e-mail address (or "do not contact") withdraws the project links
    sent to them, and an unsubscribe stays (the school may not mail them again by a new row or
    address it typed)."""
    if not rules.can_see_partner(contact.partnership, user):
        raise PermissionError
    moved = fields.get("email", contact.email) != contact.email
    if moved or (fields.get("do_not_contact") and not contact.do_not_contact):
        contact.nonce = secrets.token_hex(8)
        db.session.execute(
            sa.update(ProjectLink)
            .where(ProjectLink.contact_id == contact.id, ProjectLink.revoked_at.is_(None))
            .values(revoked_at=utcnow())
            .execution_options(synchronize_session=False)
        )
    for name, value in fields.items():
        setattr(contact, name, value)
