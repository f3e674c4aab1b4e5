"""Demo engagements for `flask seed-demo`: every rung and every offer state of the ladder.

The stories (`demo_stories`) are generators: each yields when its next step happens (days ago,
hour), then performs that step through the ladder's own transitions, so the timeline and the
outbox rows are real. The steps of all stories run in time order; after each step, the
timestamps it wrote are back-dated to its moment with plain UPDATEs, and at the end the offers'
dates are moved back to the day each was drafted.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, TypedDict

import sqlalchemy as sa

from .. import clock
from ..engagements import ladder, rules
from ..extensions import db
from ..models import (
    OFFER_RUNGS,
    BackgroundCheck,
    Classroom,
    Engagement,
    EngagementEvent,
    Evaluation,
    GuardianConsent,
    HourEntry,
    HourWeek,
    MailState,
    Notification,
    Offer,
    OfferAnswer,
    OutgoingMail,
    Placement,
    PlacementLink,
    Project,
    ProjectStatus,
    Rung,
    Signature,
    Team,
    Touchpoint,
    User,
    utcnow,
)
from ..placements import records
from . import placements
from .engagement_stories import STORIES

Story = Iterator[tuple[int, int]]


class Later(TypedDict):
    """Days from the seeding day to an open offer's start and to its answer deadline."""

    start: int
    respond: int


# Organisation → (workplace address, supervisor).
_SITES = {
    "Harbor Health Clinic": ("410 Bayview Avenue, Riverside", "Dr. Nina Patel, informatics lead"),
    "Bright Circuit Robotics": ("88 Foundry Road, Unit 4, Riverside", "Priya Shah, lead engineer"),
    "Pixel Harbor Studio": ("7 Lakefront Plaza, Lakeview", "Tom Becker, art director"),
    "Keystone Precision Manufacturing": (
        "1200 Industrial Parkway, Riverside",
        "Dana Whitfield, quality manager",
    ),
    "Riverside Community Credit Union": (
        "15 Main Street, Riverside",
        "Marcus Bell, youth programs lead",
    ),
    "Riverside Metro Transit": (
        "Central Operations Center, 300 Depot Street, Riverside",
        "Alicia Romero, service planning",
    ),
}

# The terms of each rung; start and respond are days after the day the offer is drafted.
_PRESETS: dict[Rung, dict[str, Any]] = {
    Rung.MENTORSHIP: {
        "start": 7, "weeks": 3, "days_per_week": 1, "hours_per_week": 1, "remote": True,
        "respond": 7, "may_continue": True,
        "student_needs": "A laptop or phone for a video call each week.",
        "details": "A weekly 45-minute call on your prototype, and feedback on your pitch.",
    },
    Rung.JOB_SHADOWING: {
        "start": 10, "weeks": 0, "days_per_week": 1, "hours_per_week": 6, "respond": 7,
        "student_needs": "Photo ID and closed-toe shoes; a bus pass is provided for the day.",
        "details": "A day beside our team: the morning huddle, the floor, lunch, and Q&A.",
    },
    Rung.EXTERNSHIP: {
        "start": 14, "weeks": 4, "days_per_week": 2, "hours_per_week": 8, "respond": 10,
        "paid": True, "amount": Decimal("150.00"), "amount_unit": "total",
        "paid_by": "Riverside County Workforce Board (stipend)",
        "student_needs": "The school's signed release form; transport to and from the site.",
        "details": "Two afternoons a week on one real task, ending with a short presentation.",
    },
    Rung.INTERNSHIP: {
        "start": 21, "weeks": 8, "days_per_week": 4, "hours_per_week": 24, "respond": 14,
        "paid": True, "amount": Decimal("16.50"), "amount_unit": "hour", "may_continue": True,
        "student_needs": "A work permit (under 18), photo ID and one reference from a teacher.",
        "details": "A place on the team, with a weekly check-in with your supervisor.",
    },
}  # fmt: skip

_CONSENT_METHODS = ("signed form", "e-mail", "phone call", "in person")


class Demo:
    """What the stories share: lookups, the story clock, and the offers to back-date."""

    def __init__(self) -> None:
        self.today = clock.today_in(clock.default_zone())
        self.days = 0  # how many days ago the running step happens
        self._drafted: dict[int, int] = {}  # offer id → days ago it was drafted
        self._consents = 0

    @property
    def date(self) -> date:
        """The day of the running step."""
        return self.today - timedelta(days=self.days)

    def user(self, login: str) -> User:
        return db.session.scalars(
            sa.select(User).where(sa.or_(User.email == login, User.username == login))
        ).one()

    def project(self, classroom: str, team: str, index: int) -> Project:
        """The `index`-th published project of a team, by class and team name."""
        return db.session.scalars(
            sa.select(Project)
            .join(Team, Project.team_id == Team.id)
            .join(Classroom, Team.classroom_id == Classroom.id)
            .where(
                Classroom.name == classroom,
                Team.name == team,
                Project.status == ProjectStatus.PUBLISHED,
            )
            .order_by(Project.id)
            .offset(index)
            .limit(1)
        ).one()

    def offer(
        self, e: Engagement, rung: Rung, title: str, students: tuple[str, ...] = (), **kw: Any
    ) -> Offer:
        """Draft an offer with realistic terms: dated from today (so the ladder accepts them),
        moved back to the step's day by `back_date`."""
        terms = {**_PRESETS[rung], **kw}
        start = self.today + timedelta(days=terms.pop("start"))
        address, supervisor = _SITES[e.organisation.name]
        terms = {
            "title": title,
            "start_date": start,
            "end_date": start + timedelta(weeks=terms.pop("weeks")),
            "respond_by": self.today + timedelta(days=terms.pop("respond")),
            "address": "" if terms.get("remote") else address,
            "supervisor": supervisor,
            **terms,
        }
        if terms.get("paid"):
            terms.setdefault("paid_by", e.organisation.name)
        ids = [self.user(s).id for s in students]
        if rung.is_workplace and not ids:  # named, from job shadowing up: the whole team
            ids = [m.id for m in e.team.members]
        offer = ladder.draft_offer(e, e.opened_by, rung, terms, ids)
        self._drafted[offer.id] = self.days
        return offer

    def consent(self, offer: Offer, student: User) -> None:
        """The teacher records a guardian's consent, given on the step's day."""
        method = _CONSENT_METHODS[self._consents % len(_CONSENT_METHODS)]
        self._consents += 1
        ladder.record_consent(offer, offer.engagement.team.advisor, student, self.date, method)

    def climb(
        self,
        e: Engagement,
        rung: Rung,
        student: User,
        title: str,
        days: tuple[int, int, int],
        done: tuple[int, ...] = (),
        **kw: Any,
    ) -> Story:
        """Offer `rung`: sent on days[0]; approved, with the student's guardian consent, on
        days[1]; accepted by `student` on days[2]. `done`: the days the employer marks the
        rung complete, then the teacher confirms it — from job shadowing up, the days the
        student's placement is worked (signed, hours verified, evaluated) and then completed
        by the teacher."""
        employer, teacher = e.opened_by, e.team.advisor
        yield days[0], 15
        if rung.is_workplace:  # to the student who will accept it, by name
            kw.setdefault("students", (student.username,))
        offer = self.offer(e, rung, title, **kw)
        ladder.propose(offer, employer, self.today)
        yield days[1], 14
        ladder.approve(offer, teacher, self.today)
        for minor in rules.consents_missing(offer, self.today):  # every student the offer is to
            self.consent(offer, minor)
        yield days[2], 20
        ladder.accept(offer, student, self.today)
        if rung.is_workplace:  # its placement's days are past ones: hours are logged on them
            self.back_date(offer)
        if len(done) > 0:
            yield done[0], 16
            if rung.is_workplace:
                placements.work(offer, student, self.date - timedelta(days=1))
            else:
                ladder.mark_complete(e, employer)
        if len(done) > 1:
            yield done[1], 14
            if rung.is_workplace:
                placements.complete(offer, student)
            else:
                ladder.confirm_complete(e, teacher)

    def back_date(self, offer: Offer) -> None:
        """Move the offer's dates back to the day it was drafted (and its placements')."""
        back = timedelta(days=self._drafted.pop(offer.id))
        start, end, respond = offer.start_date, offer.end_date, offer.respond_by
        if start is None or end is None or respond is None:
            raise ValueError(f"demo offer {offer.id} lacks its dates")  # `offer` sets them all
        db.session.execute(
            sa.update(Offer)
            .where(Offer.id == offer.id)
            .values(
                start_date=start - back,
                end_date=end - back,
                respond_by=respond - back,
                updated_at=Offer.updated_at,  # not bumped by this UPDATE
            )
            .execution_options(synchronize_session=False)
        )
        db.session.refresh(offer)
        for placement in records.placements_of(offer):
            records.change_terms(
                placement,
                offer.engagement.team.advisor,
                {
                    "start_date": placement.start_date - back,
                    "end_date": placement.end_date - back if placement.end_date else None,
                },
            )

    def back_date_all(self) -> None:
        for offer_id in list(self._drafted):
            self.back_date(db.session.get_one(Offer, offer_id))


# The timestamps a step writes, by table.
_STAMPED = (
    (Offer.__table__, ("created_at", "approved_at", "answered_at", "updated_at")),
    (
        Engagement.__table__,
        ("created_at", "last_event_at", *(Engagement.reached_column(r) for r in OFFER_RUNGS)),
    ),
    (EngagementEvent.__table__, ("created_at",)),
    (GuardianConsent.__table__, ("recorded_at",)),
    (OfferAnswer.__table__, ("answered_at",)),
    (Placement.__table__, ("created_at", "signed_at", "completed_at")),
    (Signature.__table__, ("signed_at",)),
    (PlacementLink.__table__, ("created_at", "used_at")),
    (HourEntry.__table__, ("created_at",)),
    (HourWeek.__table__, ("requested_at", "verified_at")),
    (Evaluation.__table__, ("submitted_at",)),
    (BackgroundCheck.__table__, ("attested_at",)),
    (Touchpoint.__table__, ("occurred_at",)),  # the partner log's entries of the step
)


def _stamp(when: datetime, started: datetime) -> None:
    """Back-date what the last step wrote (every timestamp since `started`) to `when`. Its
    notifications were mailed then and, unless they are recent, read."""
    connection = db.session.connection()
    for table, names in _STAMPED:
        assert isinstance(table, sa.Table)  # a model's __table__, typed as any FROM clause
        columns = [table.c[name] for name in names]
        connection.execute(
            table.update()
            .where(sa.or_(*(column >= started for column in columns)))
            .values(
                {
                    column.key: sa.case(
                        (column >= started, sa.literal(when, column.type)), else_=column
                    )
                    for column in columns
                }
            )
        )
    old = when < started - timedelta(days=3)
    connection.execute(
        sa.update(Notification)
        .where(Notification.created_at >= started)
        .values(created_at=when, read_at=when + timedelta(hours=3) if old else None)
    )
    # Mail of the past went out then; the last day's is still in the outbox, for the worker.
    mailed = when < started - timedelta(days=1)
    connection.execute(
        sa.update(OutgoingMail)
        .where(OutgoingMail.created_at >= started)
        .values(
            created_at=when,
            next_attempt_at=when,
            **({"state": MailState.SENT.value, "sent_at": when} if mailed else {}),
        )
    )


def seed_engagements() -> None:
    """Create the demo engagements (after the projects); does nothing when there are some."""
    if db.session.scalar(sa.select(sa.func.count(Engagement.id))):
        return
    d = Demo()
    started = utcnow()
    queue: list[tuple[datetime, int, int, Story]] = []

    def advance(index: int, story: Story, after: datetime | None = None) -> None:
        step = next(story, None)
        if step is not None:
            days, hour = step
            when = datetime.combine(d.today - timedelta(days=days), time(hour), tzinfo=UTC)
            if when >= started or (after is not None and when <= after):
                name = STORIES[index].__name__
                raise ValueError(f"{name}: steps must be in the past and in order.")
            heapq.heappush(queue, (when, index, days, story))

    for index, make_story in enumerate(STORIES):
        advance(index, make_story(d))
    while queue:
        when, index, d.days, story = heapq.heappop(queue)
        advance(index, story, when)  # runs the step, and schedules the story's next one
        _stamp(when, started)
    d.back_date_all()
    db.session.flush()
    db.session.expire_all()
