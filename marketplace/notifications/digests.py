"""The scheduled mails: employers' weekly digest of new projects and the daily digest of
notifications (the teachers' weekly summary is in summaries.py), and what they share.

Each mail has a key unique per period and person ("weekly-projects-2026-W48-user-5"): queued
once, whoever runs the job and however often. Services: they add rows and flush, never commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from itertools import groupby
from urllib.parse import urlencode

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from .. import clock
from ..extensions import db
from ..mail import Mail, compose, enqueue
from ..models import (
    MailFrequency,
    Notification,
    NotificationMail,
    Organisation,
    OutgoingMail,
    Partnership,
    Role,
    User,
    VerificationStatus,
)
from ..projects import search
from ..web import base_url
from .service import mail_headers, preferences_url

DIGEST_LIST_LIMIT = 50  # a digest lists this many notifications, then "and N more"


def absolute(path: str) -> str:
    """The base URL + path: mails link back to the pages."""
    return base_url() + path


def iso_week(now: datetime) -> str:
    """The ISO week of `now`, e.g. "2026-W48" (a weekly job's period)."""
    year, week, _ = now.isocalendar()
    return f"{year}-W{week:02d}"


def wants_mail(person: User) -> bool:
    """An active person with an address who did not turn e-mail off."""
    return bool(person.active and person.email) and person.mail_frequency is not MailFrequency.OFF


def mail_once(person: User, mail: Mail, *, key: str, kind: str) -> bool:
    """Queue `mail` to `person` (with the preferences link headers) unless a mail with `key`
    exists: a job run twice, or by two processes at once, queues it once. True when queued."""
    if db.session.scalar(sa.select(OutgoingMail.id).filter_by(idempotency_key=key)) is not None:
        return False
    try:
        with db.session.begin_nested():
            headed = replace(mail, headers=mail_headers(person))
            enqueue(headed, key=key, user_id=person.id, kind=kind)
            db.session.flush()
    except IntegrityError:
        return False
    return True


def compose_for(person: User, subject: str, template: str, **context: object) -> Mail:
    return compose(
        person.email or "",
        subject,
        template,
        person=person,
        preferences_link=preferences_url(person),
        **context,
    )


@dataclass(frozen=True)
class Line:
    """One thing in a digest or summary: what it is and where to deal with it."""

    text: str
    url: str
    detail: str = ""


# --- the employers' weekly digest of new projects ---------------------------------------------


@dataclass(frozen=True)
class NewProject:
    """One line of the weekly digest: what the employer may see of a published project."""

    title: str
    team: str
    pitch: str
    cluster: str
    url: str


def new_projects(organisation: Organisation, since: datetime, until: datetime) -> list[NewProject]:
    """Projects published in [since, until) that `organisation`'s members may browse (the
    browse page's own query: schools that verified it) in its career cluster."""
    filters = search.Filters(cluster=organisation.career_cluster, sort="recent")
    found: list[NewProject] = []
    page, pages = 1, 1
    while page <= pages:
        results = search.search(
            filters, organisation.verified_school_ids, page=page, with_teams=True
        )
        for project in results.projects:  # newest first: stop at the first older one
            published = project.published_at
            if published is None or published < since:
                return found
            if published < until:
                found.append(_new_project(project))
        page, pages = page + 1, results.pages
    return found


def _new_project(project: search.Card) -> NewProject:
    return NewProject(
        title=project.title,
        team=project.team.name if project.team is not None else "",
        pitch=project.pitch,
        cluster=project.challenge.career_cluster,
        url=absolute(f"/projects/{project.id}"),
    )


def _verified_employers() -> list[User]:
    verified = sa.select(Partnership.organisation_id).where(
        Partnership.status == VerificationStatus.VERIFIED
    )
    return list(
        db.session.scalars(
            sa.select(User)
            .where(
                User.role == Role.EMPLOYER,
                User.active.is_(True),
                User.organisation_id.in_(verified),
            )
            .options(joinedload(User.organisation).selectinload(Organisation.partnerships))
            .order_by(User.organisation_id, User.id)
        )
    )


def weekly_employer_digest(now: datetime) -> int:
    """Each verified employer member: the projects published in the last 7 days that they may
    see, in their organisation's cluster; one mail per person per ISO week, none when empty."""
    week, since = iso_week(now), now - timedelta(days=7)
    sent = 0
    cache: dict[int, list[NewProject]] = {}
    for person in _verified_employers():
        organisation = person.organisation
        if organisation is None or not wants_mail(person):
            continue
        if organisation.id not in cache:
            cache[organisation.id] = new_projects(organisation, since, now)
        projects = cache[organisation.id]
        if not projects:
            continue
        query = {"sort": "recent"} | (
            {"cluster": organisation.career_cluster} if organisation.career_cluster else {}
        )
        count = len(projects)
        mail = compose_for(
            person,
            f"{count} new project{'s' if count != 1 else ''} for {organisation.name} this week",
            "weekly_projects",
            organisation=organisation,
            projects=projects,
            browse_link=absolute(f"/projects?{urlencode(query)}"),
        )
        sent += mail_once(
            person, mail, key=f"weekly-projects-{week}-user-{person.id}", kind="weekly"
        )
    return sent


# --- the daily digest -------------------------------------------------------------------------


def _digest_items(notes: Iterable[Notification]) -> list[Line]:
    return [
        Line(
            n.subject,
            absolute(n.link) if n.link.startswith("/") else n.link,
            n.body if n.body != n.subject else "",
        )
        for n in notes
    ]


def daily_digests(now: datetime) -> int:
    """Notifications waiting for a digest (made before `now`) → one mail per person per day,
    and they become "digested" in the same transaction. A second run that day sends nothing:
    later notifications wait for the next day's digest. The day is the person's own."""
    notes = db.session.scalars(
        sa.select(Notification)
        .where(
            Notification.mail_state == NotificationMail.DIGEST.value,
            Notification.created_at < now,
        )
        .options(joinedload(Notification.user))
        .order_by(Notification.user_id, Notification.created_at, Notification.id)
    )
    sent = 0
    for _, group in groupby(list(notes), key=lambda n: n.user_id):
        batch = list(group)
        person = batch[0].user
        if not wants_mail(person):  # e-mail turned off since: the bell keeps them
            _mark(batch, NotificationMail.NONE)
            continue
        count = len(batch)
        day = clock.today_for(person, now)
        mail = compose_for(
            person,
            f"Your daily digest: {count} update{'s' if count != 1 else ''}",
            "daily_digest",
            items=_digest_items(batch[:DIGEST_LIST_LIMIT]),
            more=max(0, count - DIGEST_LIST_LIMIT),
            day=day,
            bell_link=absolute("/notifications"),
        )
        if mail_once(person, mail, key=f"daily-{day.isoformat()}-user-{person.id}", kind="digest"):
            _mark(batch, NotificationMail.DIGESTED)
            sent += 1
    return sent


def _mark(notes: list[Notification], state: NotificationMail) -> None:
    db.session.execute(
        sa.update(Notification)
        .where(
            Notification.id.in_([n.id for n in notes]),
            Notification.mail_state == NotificationMail.DIGEST.value,
        )
        .values(mail_state=state.value)
        .execution_options(synchronize_session=False)
    )
    for note in notes:
        db.session.expire(note, ["mail_state"])
