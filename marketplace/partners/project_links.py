"""Offering a project to a business that never said yes: the teacher picks a published project and
a prospect's contact; the contact receives a signed link to that one project (no account; it
expires, it can be revoked) and sees what an employer may see of it, nothing more. "I'm
interested" records a lead, logs it, tasks the teacher and invites the contact to sign up; once
their organisation has an account and the school verifies it, the lead becomes an engagement at
interest on the ladder (`convert`), with what happened before kept in the partner log."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from .. import clock, signed_links
from ..engagements import ladder
from ..extensions import db
from ..models import (
    PartnerContact,
    Partnership,
    PartnerStage,
    Project,
    ProjectLink,
    ProjectStatus,
    TouchpointKind,
    User,
    utcnow,
)
from ..web import absolute_url
from ..workflow import update_if
from . import log, outreach, rules, tasks

PURPOSE = "partner.project-link"
DEFAULT_DAYS, MAX_DAYS = 30, 90
FOLLOW_UP_DAYS = 2


class LinkError(Exception):
    """The link cannot be sent or used as asked; the message is shown."""


def offerable_projects(school_id: int) -> list[Project]:
    """The school's published projects, newest first: what may be offered."""
    return list(
        db.session.scalars(
            sa.select(Project)
            .where(Project.school_id == school_id, Project.status == ProjectStatus.PUBLISHED)
            .options(joinedload(Project.team))
            .order_by(Project.published_at.desc(), Project.id.desc())
        )
    )


def url_of(link: ProjectLink) -> str:
    return absolute_url(
        "partners.project_link", token=signed_links.sign(PURPOSE, link.id, link.nonce)
    )


def offer(
    contact: PartnerContact,
    sender: User,
    project: Project,
    message: str = "",
    days: int = DEFAULT_DAYS,
) -> ProjectLink:
    """Send the contact a link to one published project of the school, logged on the record."""
    record = contact.partnership
    if not rules.can_see_partner(record, sender):
        raise PermissionError
    if project.school_id != record.school_id or project.status is not ProjectStatus.PUBLISHED:
        raise LinkError("Only your school's published projects can be offered.")
    outreach.require_reachable(contact)
    link = ProjectLink(
        school_id=record.school_id,
        partnership_id=record.id,
        contact_id=contact.id,
        project_id=project.id,
        sent_by_id=sender.id,
        message=message,
        nonce=secrets.token_hex(16),
        expires_at=utcnow() + timedelta(days=max(1, min(days, MAX_DAYS))),
    )
    db.session.add(link)
    db.session.flush()
    school = record.school
    outreach.send(
        contact,
        sender,
        f"A project by {school.name} students: {project.title}",
        message or outreach.BUILT_IN[0].body,
        key=f"project-link-{link.id}",
        extra={"project": project, "project_link": url_of(link), "expires": link.expires_at},
        template_name="partner_project_link",
    )
    return link


def link_from(token: str) -> ProjectLink | None:
    """The link a token names, whatever its state (the page says why it no longer opens)."""
    return signed_links.load(PURPOSE, token, ProjectLink)


def problem(link: ProjectLink, now: datetime | None = None) -> str:
    """Why the link no longer shows its project ("" while it does)."""
    now = now or utcnow()
    if link.revoked_at is not None:
        return "The school has withdrawn this link."
    if now >= link.expires_at:
        return "This link has expired."
    if link.project.status is not ProjectStatus.PUBLISHED:
        return "The team has taken this project down."
    return ""


def opened(link: ProjectLink) -> None:
    """Count an opening; the first one is logged on the partner's record."""
    first = link.first_opened_at is None
    db.session.execute(
        sa.update(ProjectLink)
        .where(ProjectLink.id == link.id)
        .values(opens=ProjectLink.opens + 1, first_opened_at=sa.func.coalesce(
            ProjectLink.first_opened_at, utcnow()
        ))
        .execution_options(synchronize_session=False)
    )  # fmt: skip
    db.session.expire(link, ["opens", "first_opened_at"])
    if first:
        log.write(  # a note, not interest: a mail scanner may open a link too
            link.partnership,
            TouchpointKind.NOTE,
            f"{link.contact.name} opened the link to “{link.project.title}”.",
            contacts=[link.contact],
            key=f"project-link-{link.id}-opened",
            automatic=True,
        )


def interested(link: ProjectLink, note: str = "") -> bool:
    """ "I'm interested": a lead on the record, a follow-up for the teacher who sent the link,
    and an invitation to sign up (False: said already)."""
    if problem(link):
        raise LinkError(problem(link))
    if not update_if(
        link, ProjectLink.interested_at.is_(None), interested_at=utcnow(), interest_note=note
    ):
        return False
    db.session.expire(link, ["interested_at", "interest_note"])
    record, contact, project = link.partnership, link.contact, link.project
    said = f" They wrote: “{note}”" if note else ""
    log.write(
        record,
        TouchpointKind.LEAD,
        f"{contact.name} is interested in “{project.title}” ({project.team.name}).{said}",
        contacts=[contact],
        key=f"project-link-{link.id}-interested",
        automatic=True,
    )
    log.raise_stage(record, PartnerStage.ENGAGED)
    school = record.school
    tasks.make_task(
        school,
        f"{contact.name} is interested in “{project.title}”: call them",
        clock.school_today(school) + timedelta(days=FOLLOW_UP_DAYS),
        _follower(link).id,
        record,
        key=f"project-link-{link.id}-interested",
    )
    if contact.reachable_by_mail and not outreach.suppressed(school.id, contact.email):
        outreach.send(
            contact,
            None,
            f"Thank you for your interest in {project.title}",
            "Dear {{ first_name }},\n\nThank you! {{ school }} will be in touch soon.",
            key=f"project-link-{link.id}-welcome",
            extra={"signup_link": absolute_url("auth.signup"), "project": project},
            template_name="partner_interest_thanks",
        )
    return True


def _follower(link: ProjectLink) -> User:
    """Who follows the lead up: the sender while at the school, else the record's owner, else
    any member of staff."""
    staff = rules.staff_of(link.school_id)
    ids = {s.id: s for s in staff}
    for candidate in (link.sent_by_id, link.partnership.owner_id):
        if candidate in ids:
            return ids[candidate]
    if not staff:
        raise LinkError("The school has no staff to follow this up.")
    return staff[0]


def revoke(link: ProjectLink, user: User) -> None:
    """Withdraw the link: it stops opening at once."""
    if not rules.can_see_partner(link.partnership, user):
        raise PermissionError
    if link.revoked_at is None:
        link.revoked_at = utcnow()
        log.write(
            link.partnership,
            TouchpointKind.NOTE,
            f"Link to “{link.project.title}” for {link.contact.name} withdrawn.",
            owner=user,
        )


def links_of(record: Partnership) -> list[ProjectLink]:
    return list(
        db.session.scalars(
            sa.select(ProjectLink)
            .where(ProjectLink.partnership_id == record.id)
            .options(joinedload(ProjectLink.project), joinedload(ProjectLink.contact))
            .order_by(ProjectLink.created_at.desc())
        )
    )


def convert(record: Partnership) -> int:
    """The organisation is verified and has members: each interest from a link becomes an
    engagement at interest on the ladder (its note kept). How many did."""
    members = [m for m in record.organisation.members if m.active and m.is_employer]
    if not members:
        return 0
    pending = db.session.scalars(
        sa.select(ProjectLink).where(
            ProjectLink.partnership_id == record.id,
            ProjectLink.interested_at.is_not(None),
            ProjectLink.engagement_id.is_(None),
        )
    )
    done = 0
    for link in pending:
        member = next((m for m in members if m.email == link.contact.email), members[0])
        note = link.interest_note or f"Interested from the link {link.sent_by.full_name} sent."
        try:
            engagement = ladder.show_interest(link.project, member, note)
        except (ladder.LadderError, PermissionError):
            continue  # the project is no longer open to interest: the lead stays a lead
        link.engagement_id = engagement.id
        done += 1
    return done
