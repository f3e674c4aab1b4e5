"""Importing an existing spreadsheet of partners (CSV): read and checked first (`read`, the
preview: what would be added, each broken row with its reason, the duplicates), then applied
(`apply`). Duplicates are found by name and by web domain, within the file and against the
school's network; a row already there adds only what is new (a contact), so importing the same
file twice changes nothing the second time."""

from __future__ import annotations

import csv
import io
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from sqlalchemy.orm import selectinload

from ..clusters import CAREER_CLUSTERS
from ..extensions import db
from ..models import (
    Organisation,
    OrganisationStatus,
    PartnerContact,
    PartnerLabel,
    Partnership,
    PartnerSource,
    PartnerStage,
    School,
    Touchpoint,
    TouchpointKind,
    User,
    VerificationStatus,
)
from . import records, rules

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
# The column names understood (lower case), each with the spellings spreadsheets use.
COLUMNS = {
    "name": ("organisation", "organization", "name", "company", "business", "employer"),
    "website": ("website", "web site", "url", "web", "domain"),
    "contact": ("contact", "contact name", "person", "first and last name"),
    "title": ("title", "job title", "position", "role"),
    "email": ("email", "e-mail", "email address", "e-mail address", "contact email"),
    "phone": ("phone", "telephone", "phone number", "tel"),
    "source": ("source", "how they came", "came from"),
    "recommended_by": ("recommended by", "referred by", "referral"),
    "clusters": ("career cluster", "career clusters", "cluster", "clusters"),
    "tags": ("tags", "tag", "labels"),
    "stage": ("stage", "status"),
    "owner": ("owner", "owner email", "relationship owner"),
    "notes": ("notes", "note", "comments"),
}
_CLUSTERS = {c.lower(): c for c in CAREER_CLUSTERS}
_STAGES = {**{s.value: s for s in PartnerStage}, "advisory council": PartnerStage.ADVISORY}
_SOURCES = {s.value: s.value for s in PartnerSource}


class ImportError_(Exception):
    """The file cannot be read at all; the message is shown."""


@dataclass
class Row:
    """One line of the file, checked."""

    number: int  # as the spreadsheet numbers it (the header is row 1)
    values: dict[str, str]
    problems: list[str] = field(default_factory=list)
    duplicate_of: int | None = None  # an earlier row of the file naming the same partner
    existing: Partnership | None = None  # already in the school's network
    organisation: Organisation | None = None  # known to the deployment (another school's)
    clusters: list[str] = field(default_factory=list)
    owner_id: int | None = None

    @property
    def name(self) -> str:
        return self.values.get("name", "")

    @property
    def domain(self) -> str:
        return records.web_domain(self.values.get("website", ""))


@dataclass
class Preview:
    """What importing the file would do."""

    rows: list[Row]
    unknown_columns: list[str]

    @property
    def broken(self) -> list[Row]:
        return [r for r in self.rows if r.problems]

    @property
    def duplicates(self) -> list[Row]:
        return [r for r in self.rows if not r.problems and r.duplicate_of is not None]

    @property
    def already(self) -> list[Row]:
        return [r for r in self.rows if self._usable(r) and r.existing is not None]

    @property
    def new(self) -> list[Row]:
        return [r for r in self.rows if self._usable(r) and r.existing is None]

    @staticmethod
    def _usable(row: Row) -> bool:
        return not row.problems and row.duplicate_of is None


def decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise ImportError_("The file is larger than 2 MB: split it, or leave out long notes.")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportError_("The file is not text: save the spreadsheet as CSV.")


def _header_map(header: list[str]) -> tuple[dict[int, str], list[str]]:
    by_spelling = {spelling: key for key, spellings in COLUMNS.items() for spelling in spellings}
    mapping: dict[int, str] = {}
    unknown: list[str] = []
    for index, title in enumerate(header):
        key = by_spelling.get(" ".join(title.strip().lower().replace("_", " ").split()))
        if key is not None and key not in mapping.values():
            mapping[index] = key
        elif title.strip():
            unknown.append(title.strip())
    return mapping, unknown


def read(data: bytes, school: School) -> Preview:
    """Read and check the file against the school's network (nothing is written)."""
    return read_text(decode(data), school)


def read_text(text: str, school: School) -> Preview:
    """`read`, for a file already decoded."""
    try:
        lines = list(csv.reader(io.StringIO(text)))
    except csv.Error as error:
        raise ImportError_(f"The file is not a readable CSV file ({error}).") from error
    if not lines:
        raise ImportError_("The file is empty.")
    mapping, unknown = _header_map(lines[0])
    if "name" not in mapping.values():
        raise ImportError_(
            "No column names the organisation: call it “Organisation” (or “Name”, “Company”)."
        )
    body = [line for line in lines[1:] if any(cell.strip() for cell in line)]
    if len(body) > MAX_ROWS:
        raise ImportError_(f"At most {MAX_ROWS} rows at a time: split the file.")
    rows = [
        Row(n, {key: " ".join(line[i].split()) for i, key in mapping.items() if i < len(line)})
        for n, line in enumerate(lines[1:], start=2)
        if any(cell.strip() for cell in line)
    ]
    staff = {u.email.lower(): u.id for u in rules.staff_of(school.id) if u.email}
    for row in rows:
        _check(row, staff)
    _find_duplicates(rows, school)
    return Preview(rows, unknown)


def _check(row: Row, staff: dict[str, int]) -> None:
    values, problems = row.values, row.problems
    if not row.name:
        problems.append("No organisation name.")
    elif len(row.name) > 160:
        problems.append("The organisation name is longer than 160 characters.")
    website = values.get("website", "")
    if website and ("." not in row.domain or " " in website):
        problems.append(f"“{website}” is not a web address.")
    email = values.get("email", "")
    if email:
        try:
            values["email"] = validate_email(email, check_deliverability=False).normalized.lower()
        except EmailNotValidError:
            problems.append(f"“{email}” is not an e-mail address.")
    if (email or values.get("phone")) and not values.get("contact"):
        values["contact"] = values.get("email") or values.get("phone", "")
    stage = values.get("stage", "").lower()
    if stage and stage not in _STAGES:
        problems.append(f"Unknown stage “{values['stage']}”: use " + ", ".join(_STAGES) + ".")
    source = values.get("source", "").lower()
    if source and source not in _SOURCES:
        problems.append(f"Unknown source “{values['source']}”.")
    for name in _split(values.get("clusters", "")):
        if name.lower() in _CLUSTERS:
            row.clusters.append(_CLUSTERS[name.lower()])
        else:
            problems.append(f"Unknown career cluster “{name}”.")
    owner = values.get("owner", "").lower()
    if owner:
        row.owner_id = staff.get(owner)
        if row.owner_id is None:
            problems.append(f"The owner “{values['owner']}” is not on the school's staff.")


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]


def _find_duplicates(rows: list[Row], school: School) -> None:
    """Mark rows naming a partner an earlier row named, and rows the deployment already knows
    (in this school's network, or another school's organisation to share)."""
    seen_names: dict[str, int] = {}
    seen_domains: dict[str, int] = {}
    for row in rows:
        if row.problems:
            continue
        earlier = seen_names.get(row.name.lower()) or (
            seen_domains.get(row.domain) if row.domain else None
        )
        if earlier is not None:
            row.duplicate_of = earlier
            continue
        seen_names[row.name.lower()] = row.number
        if row.domain:
            seen_domains[row.domain] = row.number
    names = list(seen_names)
    domains = list(seen_domains)
    sites = [
        f"{scheme}://{www}{domain}{slash}"
        for domain in domains
        for scheme in ("https", "http")
        for www in ("", "www.")
        for slash in ("", "/")
    ]
    known = db.session.scalars(
        sa.select(Organisation).where(
            sa.or_(
                sa.func.lower(Organisation.name).in_(names),
                Organisation.email_domain.in_(domains),
                sa.func.lower(Organisation.website).in_(sites),
            )
        )
    ).all()
    by_name = {o.name.lower(): o for o in sorted(known, key=lambda o: o.id, reverse=True)}
    by_domain = {
        records.web_domain(o.website or o.email_domain): o
        for o in sorted(known, key=lambda o: o.id, reverse=True)
    }
    mine = {
        p.organisation_id: p
        for p in db.session.scalars(
            sa.select(Partnership)
            .where(
                Partnership.school_id == school.id,
                Partnership.organisation_id.in_([o.id for o in known]),
            )
            .options(selectinload(Partnership.contacts))
        )
    }
    resolved: dict[int, int] = {}  # organisation id → the first row naming it
    for row in rows:
        if row.problems or row.duplicate_of is not None:
            continue
        found = by_domain.get(row.domain) if row.domain else None
        if found is None:
            named = by_name.get(row.name.lower())
            # the same name with another web domain is another business
            if named is not None and (
                not row.domain or records.same_site(named) in ("", row.domain)
            ):
                found = named
        if found is not None and found.id in resolved:
            row.duplicate_of = resolved[found.id]  # by name on one row, by domain on another
            continue
        if found is not None:
            resolved[found.id] = row.number
        row.organisation = found
        row.existing = mine.get(found.id) if found is not None else None


@dataclass(frozen=True)
class Outcome:
    added: int
    contacts_added: int
    unchanged: int


def apply(preview: Preview, school: School, user: User) -> Outcome:
    """Add the new partners, and the new contacts of those already there."""
    if not user.is_staff_of(school.id):
        raise PermissionError
    created = [(row, _new_record(row, school, user)) for row in preview.new]
    db.session.flush()  # once for them all: their ids, for the log
    contacts = unchanged = 0
    for row, record in created:
        db.session.add(
            Touchpoint(
                partnership_id=record.id,
                kind=TouchpointKind.NOTE,
                owner_id=user.id,
                summary="Imported from a spreadsheet.",
            )
        )
        contacts += _add_contact(record, row, known=())
    for row in preview.already:
        assert row.existing is not None
        new_contact = _add_contact(row.existing, row, known=row.existing.contacts)
        contacts += new_contact
        unchanged += not new_contact
    db.session.flush()
    return Outcome(len(created), contacts, unchanged)


def _new_record(row: Row, school: School, user: User) -> Partnership:
    values = row.values
    organisation = row.organisation or Organisation(
        name=row.name,
        website=values.get("website", "") and f"https://{row.domain}",
        email_domain=row.domain or None,
        status=OrganisationStatus.PROSPECT,
    )
    stage = _STAGES.get(values.get("stage", "").lower(), PartnerStage.PROSPECT)
    record = Partnership(
        organisation=organisation,
        school_id=school.id,
        status=VerificationStatus.NOT_ASKED,
        owner_id=row.owner_id or user.id,
        stage=stage,
        source=_SOURCES.get(values.get("source", "").lower(), ""),
        recommended_by=values.get("recommended_by", "")[:160],
        notes=values.get("notes", ""),
        labels=[PartnerLabel(kind="cluster", value=c) for c in dict.fromkeys(row.clusters)]
        + [PartnerLabel(kind="tag", value=t) for t in records.parse_tags(values.get("tags", ""))],
    )
    db.session.add(record)
    return record


def _add_contact(record: Partnership, row: Row, known: Iterable[PartnerContact]) -> int:
    """The row's contact, unless `known` has them already (by e-mail, else by name)."""
    values = row.values
    name = values.get("contact", "")[:120]
    if not name:
        return 0
    email = values.get("email", "")
    for contact in known:
        if (email and contact.email == email) or (not email and contact.name == name):
            return 0
    db.session.add(
        PartnerContact(
            partnership_id=record.id,
            name=name,
            title=values.get("title", "")[:120],
            email=email,
            phone=values.get("phone", "")[:40],
            nonce=secrets.token_hex(8),
        )
    )
    return 1
