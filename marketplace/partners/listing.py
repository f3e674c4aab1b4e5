"""The school's public partner page: partners who agreed to be listed (their consent recorded —
by a member of the organisation in the product, or by staff with the date and how), their logo,
link and a line about what they did with the school, and the titles of the school's open
challenges. No student data. Few statements, and an ETag so a browser or a proxy asks again
cheaply."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from datetime import date, datetime, time

import filetype
import sqlalchemy as sa
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy.orm import contains_eager

from .. import clock
from ..extensions import db
from ..models import (
    Challenge,
    ChallengeStatus,
    Organisation,
    Partnership,
    School,
    User,
    VerificationStatus,
    utcnow,
)
from ..storage import StorageError, storage
from . import rules

LOGO_HEIGHT = 96  # pixels: every logo is shown at the same height
LOGO_MAX_WIDTH = 480
LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_TYPES = {"image/png", "image/jpeg", "image/webp", "image/gif"}


class ListingError(Exception):
    """The listing or the logo cannot be saved as asked; the message is shown."""


def set_listing(
    record: Partnership,
    user: User,
    *,
    listed: bool,
    blurb: str = "",
    consent: str = "",
    consented_on: date | None = None,
) -> None:
    """Staff list (or unlist) a partner, recording the consent: how it was given, and when."""
    if not rules.can_see_partner(record, user):
        raise PermissionError
    if listed and not (consent.strip() or record.listing_consent):
        raise ListingError("Say how the partner agreed to be listed (an e-mail, a form …).")
    record.listed, record.listing_blurb = listed, blurb.strip()[:200]
    if listed and consent.strip():
        when = consented_on or clock.school_today(record.school)
        where = clock.zone(record.school.timezone)
        record.listing_consent = consent.strip()[:300]
        record.listing_consent_at = datetime.combine(when, time(12), tzinfo=where)
        record.listing_consent_by_id = user.id


def consent_by_member(record: Partnership, member: User, agree: bool, blurb: str = "") -> None:
    """A member of the organisation agrees that the school may list it (the school's staff then
    decide to), with a line to show; or withdraws that consent, which unlists it at once."""
    if not rules.can_consent_to_listing(record, member):
        raise PermissionError
    if agree:
        record.listing_consent = f"Agreed in the product by {member.full_name}"
        record.listing_consent_at, record.listing_consent_by_id = utcnow(), member.id
        if blurb.strip():
            record.listing_blurb = blurb.strip()[:200]
    else:
        record.listed, record.listing_consent = False, ""
        record.listing_consent_at = record.listing_consent_by_id = None


def save_logo(record: Partnership, data: bytes) -> str:
    """Check an uploaded logo (a real PNG, JPEG, WebP or GIF by its bytes; SVG refused: it can
    carry scripts) and store it resized to the standard height as a PNG. Returns the key of the
    logo it replaces ("" if none), for the caller to delete once the change is committed."""
    if len(data) > LOGO_MAX_BYTES:
        raise ListingError("The logo is larger than 2 MB.")
    kind = filetype.guess(data[:8192])
    if kind is None or kind.mime not in LOGO_TYPES:
        if data.lstrip()[:5].lower() in (b"<?xml", b"<svg "):
            raise ListingError("SVG logos are not accepted: export it as a PNG.")
        raise ListingError("The logo must be a PNG, JPEG, WebP or GIF image.")
    try:
        with Image.open(io.BytesIO(data)) as opened:
            opened.load()
            picture = ImageOps.exif_transpose(opened).convert("RGBA")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise ListingError("The logo could not be read as an image.") from error
    width = max(1, round(picture.width * LOGO_HEIGHT / max(1, picture.height)))
    picture = picture.resize((min(width, LOGO_MAX_WIDTH), LOGO_HEIGHT), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    picture.save(out, "PNG", optimize=True)
    png = out.getvalue()
    key = f"logos/{record.id}/{hashlib.sha256(png).hexdigest()[:16]}.png"
    try:
        storage().write(key, [png], len(png))
    except StorageError as error:
        raise ListingError(str(error)) from error
    old, record.logo_key = record.logo_key, key
    return old if old != key else ""


@dataclass(frozen=True)
class PublicPage:
    """What the public page shows, and its ETag."""

    school: School
    partners: list[Partnership]
    challenges: list[str]
    etag: str


def public_page(slug: str) -> PublicPage | None:
    """The school's listed partners and open challenge titles, in three statements."""
    school = db.session.scalar(sa.select(School).where(School.slug == slug))
    if school is None:
        return None
    partners = list(
        db.session.scalars(
            sa.select(Partnership)
            .join(Partnership.organisation)
            .options(contains_eager(Partnership.organisation))
            .where(
                Partnership.school_id == school.id,
                Partnership.listed.is_(True),
                Partnership.status != VerificationStatus.DECLINED,
            )
            .order_by(sa.func.lower(Organisation.name))
        )
    )
    challenges = list(
        db.session.scalars(
            sa.select(Challenge.title)
            .where(Challenge.school_id == school.id, Challenge.status == ChallengeStatus.OPEN)
            .order_by(Challenge.title)
        )
    )
    fingerprint = hashlib.sha256()
    for part in (school.name, school.city, *challenges):
        fingerprint.update(part.encode() + b"\0")
    for p in partners:
        o = p.organisation
        for part in (o.name, o.website, p.logo_key, p.listing_blurb):
            fingerprint.update((part or "").encode() + b"\0")
    return PublicPage(school, partners, challenges, fingerprint.hexdigest()[:32])
