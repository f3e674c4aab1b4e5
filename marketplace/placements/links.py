"""The personal links of people without an account — a guardian, a workplace supervisor — one
per purpose and person: signed (`marketplace.signed_links`), checked against their row each time,
expiring, working once, revocable. A new link for the same purpose and person replaces the old."""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from .. import mail, signed_links
from ..extensions import db, rows_matched
from ..models import (
    LinkPurpose,
    Offer,
    Placement,
    PlacementLink,
    SignerRole,
    User,
    utcnow,
)
from ..web import absolute_url
from ..workflow import update_if

DAYS: dict[LinkPurpose, int] = {
    LinkPurpose.CONSENT: 14,
    LinkPurpose.SIGN: 21,
    LinkPurpose.VERIFY: 14,
    LinkPurpose.EVALUATE: 21,
}


def _salt(purpose: LinkPurpose) -> str:
    return f"placement.{purpose.value}"


def create(
    purpose: LinkPurpose,
    role: SignerRole,
    student: User,
    name: str,
    email: str,
    *,
    offer: Offer | None = None,
    placement: Placement | None = None,
    week_start: date | None = None,
    kind: str = "",
    by: User | None = None,
) -> PlacementLink:
    """A new link; the same person's open links for the same act are revoked."""
    same = [
        PlacementLink.purpose == purpose,
        PlacementLink.role == role,
        PlacementLink.student_id == student.id,
        PlacementLink.kind == kind,
        PlacementLink.used_at.is_(None),
        PlacementLink.revoked_at.is_(None),
    ]
    for column, value in (
        (PlacementLink.offer_id, offer.id if offer else None),
        (PlacementLink.placement_id, placement.id if placement else None),
        (PlacementLink.week_start, week_start),
    ):
        same.append(column.is_(None) if value is None else column == value)
    db.session.execute(
        sa.update(PlacementLink)
        .where(*same)
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    link = PlacementLink(
        purpose=purpose,
        role=role,
        student_id=student.id,
        offer_id=offer.id if offer else None,
        placement_id=placement.id if placement else None,
        week_start=week_start,
        kind=kind,
        name=name.strip(),
        email=email.strip().lower(),
        nonce=secrets.token_hex(16),
        created_by_id=by.id if by else None,
        expires_at=utcnow() + timedelta(days=DAYS[purpose]),
    )
    db.session.add(link)
    db.session.flush()
    return link


def revoke_open(
    placement: Placement, purpose: LinkPurpose | None = None, kind: str | None = None
) -> int:
    """Withdraw the open links about the placement — all of them (it completed or ended:
    nothing is signed, verified or evaluated after), or those of one purpose and kind (the act
    was done another way); how many."""
    which = [
        PlacementLink.placement_id == placement.id,
        PlacementLink.used_at.is_(None),
        PlacementLink.revoked_at.is_(None),
    ]
    if purpose is not None:
        which.append(PlacementLink.purpose == purpose)
    if kind is not None:
        which.append(PlacementLink.kind == kind)
    return rows_matched(
        sa.update(PlacementLink)
        .where(*which)
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def url_of(link: PlacementLink) -> str:
    token = signed_links.sign(_salt(link.purpose), link.id, link.nonce)
    return absolute_url("personal_links.open", purpose=link.purpose.value, token=token)


def load(purpose: LinkPurpose, token: str) -> PlacementLink | None:
    """The link a token for `purpose` names (whatever its state), or None if forged."""
    link = signed_links.load(_salt(purpose), token, PlacementLink)
    return link if link is not None and link.purpose is purpose else None


def problem(link: PlacementLink, now: datetime | None = None) -> str:
    """Why the link no longer works ("" while it does)."""
    if link.revoked_at is not None:
        return "This link was replaced or withdrawn by the school."
    if link.used_at is not None:
        return f"This link was used on {link.used_at:%d %B %Y}; it works once."
    if (now or utcnow()) >= link.expires_at:
        return "This link has expired. Ask the school for a new one."
    return ""


def use(link: PlacementLink) -> bool:
    """Mark the link used; False when another request used it first."""
    done = update_if(
        link,
        PlacementLink.used_at.is_(None),
        PlacementLink.revoked_at.is_(None),
        used_at=utcnow(),
    )
    db.session.refresh(link)
    return done


def send(link: PlacementLink, subject: str, lines: list[str], school_name: str) -> None:
    """Mail the link to its holder, in the transaction that made it."""
    mail.enqueue(
        mail.compose(
            link.email,
            subject,
            "placement_link",
            link=link,
            url=url_of(link),
            lines=lines,
            school_name=school_name,
        ),
        key=f"placement-link-{link.id}",
        kind="placement",
    )
