"""Writing to a partner's contact: a real e-mail through the outbox, from the school (its name
as the sender, replies to the member of staff), made from a template with merge fields, with an
unsubscribe link that works without an account and is honoured for that contact from then on
(anti-spam law applies to cold outreach). Every mail sent is logged on the partner's record."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, replace
from email.utils import formataddr, parseaddr

import sqlalchemy as sa
from flask import current_app

from .. import mail, signed_links
from ..extensions import db
from ..models import (
    OutreachTemplate,
    PartnerContact,
    Partnership,
    PartnerStage,
    School,
    TouchpointKind,
    User,
    utcnow,
)
from ..web import absolute_url
from . import log, rules

UNSUBSCRIBE = "partner.unsubscribe"
MERGE_FIELD = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")
FIELDS = {
    "first_name": "the contact's first name",
    "name": "the contact's full name",
    "organisation": "their organisation",
    "school": "your school",
    "sender": "your name",
}


class OutreachError(Exception):
    """The mail cannot be sent as written, or to this person; the message is shown."""


@dataclass(frozen=True)
class Template:
    """A template to start from: built in (no id) or the school's own."""

    key: str
    name: str
    subject: str
    body: str


BUILT_IN = (
    Template(
        "introduction",
        "Introduction",
        "{{ school }} students would like to work on a challenge with {{ organisation }}",
        "Dear {{ first_name }},\n\nI coordinate work-based learning at {{ school }}. Our "
        "students build real projects for local employers' challenges, and I think "
        "{{ organisation }} could give them one worth solving.\n\nIt can start small: a "
        "15-minute call, a guest talk, or looking at what a team has already built. Would you "
        "have time for a short call in the next two weeks?\n\nWith thanks,\n{{ sender }}",
    ),
    Template(
        "thanks",
        "Thank you after an activity",
        "Thank you from {{ school }}",
        "Dear {{ first_name }},\n\nThank you for giving our students your time. They are still "
        "talking about it. If {{ organisation }} would like to go further — mentoring a team, "
        "a job shadow day — I would be glad to set it up.\n\nWith thanks,\n{{ sender }}",
    ),
    Template(
        "event",
        "Invitation to a pitch event",
        "Come and see our students pitch",
        "Dear {{ first_name }},\n\nOur student teams will pitch what they built for local "
        "employers' challenges at our next demo day, and we would love {{ organisation }} to be "
        "there, as a guest or as a judge: reply to this e-mail and I will send you an "
        "invitation.\n\nWith thanks,\n{{ sender }}",
    ),
    Template(
        "check-in",
        "Checking in",
        "How are things at {{ organisation }}?",
        "Dear {{ first_name }},\n\nIt has been a while since we spoke, and I wanted to ask how "
        "things are at {{ organisation }}. Our students have new projects this term; if one "
        "of them could be useful to you, I would be happy to show you.\n\nBest wishes,\n"
        "{{ sender }}",
    ),
)


def templates_for(school_id: int) -> list[Template]:
    """The built-in templates, then the school's own by name."""
    own = db.session.scalars(
        sa.select(OutreachTemplate)
        .where(OutreachTemplate.school_id == school_id)
        .order_by(OutreachTemplate.name)
    )
    return [*BUILT_IN, *(Template(str(t.id), t.name, t.subject, t.body) for t in own)]


def template(school_id: int, key: str) -> Template | None:
    return next((t for t in templates_for(school_id) if t.key == key), None)


def unknown_fields(text: str) -> list[str]:
    """The merge fields in `text` that are not known (a typo would reach the reader as is)."""
    return sorted({name for name in MERGE_FIELD.findall(text) if name not in FIELDS})


def merge_problem(text: str) -> str:
    """What is wrong with the merge fields of `text` ("" if nothing), as the form says it."""
    unknown = unknown_fields(text)
    return (
        "Unknown merge field: " + ", ".join(f"{{{{ {u} }}}}" for u in unknown) + "."
        if unknown
        else ""
    )


def merge(text: str, contact: PartnerContact, sender: User | None) -> str:
    """`text` with its merge fields filled in for `contact`."""
    values = {
        "first_name": contact.name.split()[0] if contact.name.split() else contact.name,
        "name": contact.name,
        "organisation": contact.partnership.organisation.name,
        "school": contact.partnership.school.name,
        "sender": sender.full_name if sender else contact.partnership.school.name,
    }
    return MERGE_FIELD.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def unsubscribe_token(contact: PartnerContact) -> str:
    """An unsubscribe link never expires and is never revoked: it can only stop mail."""
    return signed_links.sign(UNSUBSCRIBE, contact.id, "")


def unsubscribe_url(contact: PartnerContact) -> str:
    return absolute_url("partners.unsubscribe", token=unsubscribe_token(contact))


def contact_from(token: str) -> PartnerContact | None:
    """The contact an unsubscribe link names."""
    return signed_links.load(UNSUBSCRIBE, token, PartnerContact, nonce=lambda contact: "")


def sender_headers(
    school: School, sender: User | None, contact: PartnerContact
) -> tuple[tuple[str, str], ...]:
    """From: the school's name at the deployment's address; Reply-To: the member of staff;
    List-Unsubscribe with one click (RFC 8058)."""
    address = parseaddr(current_app.config["MAIL_FROM"])[1]
    headers = [("From", formataddr((school.name, address)))]
    if sender is not None and sender.email:
        headers.append(("Reply-To", formataddr((sender.full_name, sender.email))))
    link = unsubscribe_url(contact)
    headers += [
        ("List-Unsubscribe", f"<{link}>"),
        ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
    ]
    return tuple(headers)


def _unsubscribed(school_id: int) -> sa.Select[str]:
    """The addresses that unsubscribed from the school's mail, on any of its records."""
    return (
        sa.select(PartnerContact.email)
        .join(Partnership, Partnership.id == PartnerContact.partnership_id)
        .where(Partnership.school_id == school_id, PartnerContact.unsubscribed_at.is_not(None))
    )


def suppressed(school_id: int, email: str) -> bool:
    """Someone at this address unsubscribed from the school's mail, on any of its records: the
    school never mails the address again (anti-spam law), whatever row it is typed in."""
    query = _unsubscribed(school_id).where(sa.func.lower(PartnerContact.email) == email.lower())
    return bool(email) and db.session.scalar(query.limit(1)) is not None


def suppressed_addresses(school_id: int) -> set[str]:
    """Every address (lower case) that unsubscribed from the school's mail."""
    return {email.lower() for email in db.session.scalars(_unsubscribed(school_id))}


def require_reachable(contact: PartnerContact) -> None:
    if not contact.reachable_by_mail:
        raise OutreachError(f"{contact.name} cannot be e-mailed: {contact.why_not_mailed}.")
    if suppressed(contact.partnership.school_id, contact.email):
        raise OutreachError(f"{contact.name} cannot be e-mailed: unsubscribed.")


def send(
    contact: PartnerContact,
    sender: User | None,
    subject: str,
    body: str,
    *,
    key: str | None = None,
    extra: dict[str, object] | None = None,
    template_name: str = "partner_outreach",
) -> bool:
    """Send one mail to the contact and log it; `key` makes it once only (False: already sent).
    `sender` None: an automated message of the school."""
    record = contact.partnership
    if sender is not None and not rules.can_see_partner(record, sender):
        raise PermissionError
    require_reachable(contact)
    problem = merge_problem(subject + body)
    if problem:
        raise OutreachError(problem)
    subject, body = merge(subject, contact, sender), merge(body, contact, sender)
    key = key or f"outreach-{contact.id}-{secrets.token_hex(8)}"
    entry = log.write(
        record,
        TouchpointKind.EMAIL,
        f"E-mail “{subject}”: {' '.join(body.split())[:300]}",
        owner=sender,
        contacts=[contact],
        key=key,
        automatic=sender is None,
    )
    if entry is None:
        return False
    message = mail.compose(
        contact.email,
        subject,
        template_name,
        body=body,
        school=record.school,
        contact=contact,
        unsubscribe_link=unsubscribe_url(contact),
        **(extra or {}),
    )
    message = replace(message, headers=sender_headers(record.school, sender, contact))
    mail.enqueue(message, key=key, kind="partner")
    log.raise_stage(record, PartnerStage.CONTACTED)
    return True


def unsubscribe(contact: PartnerContact) -> bool:
    """The contact asked for no more e-mail from the school (False: they had already)."""
    if contact.unsubscribed_at is not None:
        return False
    contact.unsubscribed_at = utcnow()
    log.write(
        contact.partnership,
        TouchpointKind.NOTE,
        f"{contact.name} unsubscribed from the school's e-mail.",
        contacts=[contact],
        automatic=True,
    )
    return True


def save_template(
    school_id: int, user: User, name: str, subject: str, body: str
) -> OutreachTemplate:
    """Save (or replace, by name) one of the school's templates."""
    if not user.is_staff_of(school_id):
        raise PermissionError
    problem = merge_problem(subject + body)
    if problem:
        raise OutreachError(problem)
    row = db.session.scalar(
        sa.select(OutreachTemplate).filter_by(school_id=school_id, name=name)
    ) or OutreachTemplate(school_id=school_id, name=name)
    row.subject, row.body, row.updated_by_id, row.updated_at = subject, body, user.id, utcnow()
    db.session.add(row)
    db.session.flush()
    return row
