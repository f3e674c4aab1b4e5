"""A pitch event: a demo day run by one or more schools, where teams pitch published projects
to an audience of employers (and prospects)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from .base import UTCDateTime, enum_column, utcnow

if TYPE_CHECKING:
    from .organisation import Organisation
    from .project import Project
    from .school import School
    from .user import User


class EventStatus(enum.StrEnum):
    """draft → published → live → closed → results released."""

    DRAFT = "draft"
    PUBLISHED = "published"
    LIVE = "live"
    CLOSED = "closed"
    RELEASED = "released"

    @property
    def label(self) -> str:
        return "results released" if self is EventStatus.RELEASED else self.value


EVENT_TRANSITIONS: dict[EventStatus, frozenset[EventStatus]] = {
    EventStatus.DRAFT: frozenset({EventStatus.PUBLISHED}),
    EventStatus.PUBLISHED: frozenset({EventStatus.DRAFT, EventStatus.LIVE}),
    EventStatus.LIVE: frozenset({EventStatus.CLOSED}),
    EventStatus.CLOSED: frozenset({EventStatus.RELEASED}),
    EventStatus.RELEASED: frozenset(),
}


class JudgingMode(enum.StrEnum):
    """Judges score each pitch on the rubric, or (for a big event) only say which of two
    pitches was better, ranked by Crowd-BT."""

    RUBRIC = "rubric"
    PAIRWISE = "pairwise"


class PitchEvent(Model):
    """A demo day: when and where, who takes part, and the pitches in their order."""

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("school.id"), index=True)  # organiser
    title: Mapped[str] = mapped_column(sa.String(160))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    place: Mapped[str] = mapped_column(sa.String(300), default="")
    online_url: Mapped[str] = mapped_column(sa.String(500), default="")
    capacity: Mapped[int | None] = mapped_column()
    pitch_minutes: Mapped[int] = mapped_column(default=5)  # each pitch's slot, questions included
    changeover_minutes: Mapped[int] = mapped_column(default=1)  # between two pitches
    min_judges: Mapped[int] = mapped_column(default=3)  # judges every pitch should have
    judging_mode: Mapped[JudgingMode] = mapped_column(
        enum_column(JudgingMode, length=10), default=JudgingMode.RUBRIC
    )
    status: Mapped[EventStatus] = mapped_column(
        enum_column(EventStatus, length=12), default=EventStatus.DRAFT, index=True
    )
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    school: Mapped[School] = relationship()
    created_by: Mapped[User] = relationship()
    partners: Mapped[list[EventSchool]] = relationship(
        back_populates="event", cascade="all, delete-orphan"
    )
    presenters: Mapped[list[EventPresenter]] = relationship(
        back_populates="event",
        order_by="(EventPresenter.position, EventPresenter.id)",
        cascade="all, delete-orphan",
    )

    @property
    def school_ids(self) -> set[int]:
        """The organising school and the schools taking part."""
        return {self.school_id, *(p.school_id for p in self.partners)}

    def __repr__(self) -> str:
        return f"<PitchEvent {self.id} {self.status.value}>"


class EventSchool(Model):
    """Another school taking part in an event (a regional demo day spans several)."""

    __table_args__ = (sa.UniqueConstraint("event_id", "school_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("pitch_event.id"), index=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("school.id"), index=True)

    event: Mapped[PitchEvent] = relationship(back_populates="partners")
    school: Mapped[School] = relationship()


class PresenterStatus(enum.StrEnum):
    """Entered by a teacher; the team may decline."""

    ENTERED = "entered"
    DECLINED = "declined"


class EventPresenter(Model):
    """A published project entered in an event, at its place in the run of show. `minutes`
    overrides the event's pitch length for this slot."""

    __table_args__ = (sa.UniqueConstraint("event_id", "project_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("pitch_event.id"), index=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("project.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    minutes: Mapped[int | None] = mapped_column()
    status: Mapped[PresenterStatus] = mapped_column(
        enum_column(PresenterStatus, length=12), default=PresenterStatus.ENTERED
    )
    entered_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    declined_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    declined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decline_reason: Mapped[str] = mapped_column(sa.String(300), default="")
    # Pairwise mode: what is believed of the pitch's quality so far (Crowd-BT), which chooses
    # the pairs judges are sent to; the ranking itself is computed from the comparisons.
    quality_mu: Mapped[float] = mapped_column(default=0.0)
    quality_sigma2: Mapped[float] = mapped_column(default=1.0)

    event: Mapped[PitchEvent] = relationship(back_populates="presenters")
    project: Mapped[Project] = relationship()
    entered_by: Mapped[User] = relationship(foreign_keys=[entered_by_id])
    declined_by: Mapped[User | None] = relationship(foreign_keys=[declined_by_id])

    @property
    def declined(self) -> bool:
        return self.status is PresenterStatus.DECLINED


class GuestRole(enum.StrEnum):
    """A guest watches (and may say "I'd like to work with this team"); a judge also scores."""

    GUEST = "guest"
    JUDGE = "judge"


class Rsvp(enum.StrEnum):
    WAITING = "waiting"
    YES = "yes"
    NO = "no"


class EventGuest(Model):
    """Someone invited to an event by e-mail: a member of a partner organisation or a
    prospect's contact, with no account needed. Their personal link (signed with `nonce`,
    which a revocation changes) answers the invitation and shows their pass at the door."""

    __table_args__ = (sa.UniqueConstraint("event_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("pitch_event.id"), index=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    name: Mapped[str] = mapped_column(sa.String(160), default="")
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisation.id"))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    role: Mapped[GuestRole] = mapped_column(enum_column(GuestRole, length=8))
    rsvp: Mapped[Rsvp] = mapped_column(enum_column(Rsvp, length=8), default=Rsvp.WAITING)
    rsvp_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_in_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    invited_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    nonce: Mapped[str] = mapped_column(sa.String(32))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sequence: Mapped[int] = mapped_column(default=0)  # the calendar entry's last version sent
    # An organiser may set a judge's scores aside (they stay stored, and count again if undone).
    excluded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    excluded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    excluded_reason: Mapped[str] = mapped_column(sa.String(300), default="")
    # Pairwise mode: the pitch the judge was sent to last and the one before it (compared next),
    # how many comparisons they made, and what is believed of their reliability (Crowd-BT).
    visiting_id: Mapped[int | None] = mapped_column(sa.ForeignKey("event_presenter.id"))
    previous_id: Mapped[int | None] = mapped_column(sa.ForeignKey("event_presenter.id"))
    compared: Mapped[int] = mapped_column(default=0)
    reliability_alpha: Mapped[float] = mapped_column(default=3.0)
    reliability_beta: Mapped[float] = mapped_column(default=1.0)

    event: Mapped[PitchEvent] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    visiting: Mapped[EventPresenter | None] = relationship(foreign_keys=[visiting_id])
    previous: Mapped[EventPresenter | None] = relationship(foreign_keys=[previous_id])

    @property
    def judge(self) -> bool:
        return self.role is GuestRole.JUDGE

    @property
    def label(self) -> str:
        """How the organiser's list names them: "Jordan Reyes (Harbor Health)"."""
        who = self.name or self.email
        return f"{who} ({self.organisation.name})" if self.organisation else who


# The default rubric: what a pitch is judged on, how much each counts, and what each score
# means (1 to 5), so two judges read "3" the same way.
DEFAULT_RUBRIC: tuple[tuple[str, int, tuple[str, str, str, str, str]], ...] = (
    ("Problem understanding", 2, (
        "The problem is unclear.",
        "The problem is named, not explained.",
        "The problem is explained; the users are guessed at.",
        "The problem is explained with what users said.",
        "The problem is explained with evidence from the people who have it.",
    )),
    ("Solution", 2, (
        "No clear solution.",
        "A solution, loosely tied to the problem.",
        "A solution that fits the problem.",
        "A fitting solution with thought-out details.",
        "A fitting, original solution; trade-offs explained.",
    )),
    ("Evidence it works", 2, (
        "Not tried.",
        "Tried by the team only.",
        "Tried with a few users.",
        "Tried with users; results measured.",
        "Tried with users; measured; improved from what was learnt.",
    )),
    ("Feasibility", 1, (
        "Could not be built or used as described.",
        "Major gaps to make it real.",
        "Could be made real with help.",
        "Clear next steps to make it real.",
        "Ready to pilot.",
    )),
    ("Presentation", 1, (
        "Hard to follow.",
        "Followable with effort.",
        "Clear.",
        "Clear and engaging.",
        "Clear, engaging, on time, questions answered well.",
    )),
)  # fmt: skip


class RubricCriterion(Model):
    """One thing a pitch is judged on at an event, its weight and the meaning of each score."""

    __table_args__ = (sa.UniqueConstraint("event_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("pitch_event.id"), index=True)
    position: Mapped[int] = mapped_column()
    name: Mapped[str] = mapped_column(sa.String(80))
    weight: Mapped[int] = mapped_column(default=1)
    descriptors: Mapped[list[str]] = mapped_column(sa.JSON, default=list)  # scores 1..5

    event: Mapped[PitchEvent] = relationship()


class CommentStatus(enum.StrEnum):
    SHOWN = "shown"
    HELD = "held"  # waits for the team's teacher
    HIDDEN = "hidden"  # the teacher kept it from the team


class Judgement(Model):
    """A judge's scores for one pitch ({criterion id: 1–5}) and their comment for the team;
    one per judge and pitch, so a second submission replaces the first (never counts twice)."""

    __table_args__ = (sa.UniqueConstraint("guest_id", "presenter_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("pitch_event.id"), index=True)
    guest_id: Mapped[int] = mapped_column(sa.ForeignKey("event_guest.id"), index=True)
    presenter_id: Mapped[int] = mapped_column(sa.ForeignKey("event_presenter.id"), index=True)
    scores: Mapped[dict[str, int]] = mapped_column(sa.JSON, default=dict)
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    # A comment with what looks like a contact detail is held for the team's teacher.
    comment_status: Mapped[CommentStatus] = mapped_column(
        enum_column(CommentStatus, length=8), default=lambda: CommentStatus.SHOWN
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    guest: Mapped[EventGuest] = relationship()
    presenter: Mapped[EventPresenter] = relationship()


class JudgeAssignment(Model):
    """A pitch a judge is asked to score (rubric mode); they may score others too."""

    __table_args__ = (sa.UniqueConstraint("guest_id", "presenter_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("pitch_event.id"), index=True)
    guest_id: Mapped[int] = mapped_column(sa.ForeignKey("event_guest.id"), index=True)
    presenter_id: Mapped[int] = mapped_column(sa.ForeignKey("event_presenter.id"), index=True)


class Comparison(Model):
    """In pairwise mode, a judge's answer: of the last two pitches they saw, which was better.
    `step` numbers the judge's answers, so a double submission is one answer."""

    __table_args__ = (sa.UniqueConstraint("guest_id", "step"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("pitch_event.id"), index=True)
    guest_id: Mapped[int] = mapped_column(sa.ForeignKey("event_guest.id"), index=True)
    step: Mapped[int] = mapped_column()
    winner_id: Mapped[int] = mapped_column(sa.ForeignKey("event_presenter.id"))
    loser_id: Mapped[int] = mapped_column(sa.ForeignKey("event_presenter.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class EventAward(Model):
    """An award the organisers give at an event ("Best pitch", "Health science track"), and
    its winner once chosen; shown on the public page after the results are released."""

    __table_args__ = (sa.UniqueConstraint("event_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("pitch_event.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    # For a track: the pitches of one career cluster ("" for every pitch).
    cluster: Mapped[str] = mapped_column(sa.String(80), default="")
    presenter_id: Mapped[int | None] = mapped_column(sa.ForeignKey("event_presenter.id"))

    presenter: Mapped[EventPresenter | None] = relationship()


class EventInterest(Model):
    """A guest's or judge's "I'd like to work with this team": an engagement at interest when
    their organisation is verified by the project's school, otherwise a lead for the teacher."""

    __table_args__ = (sa.UniqueConstraint("guest_id", "presenter_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("pitch_event.id"), index=True)
    guest_id: Mapped[int] = mapped_column(sa.ForeignKey("event_guest.id"), index=True)
    presenter_id: Mapped[int] = mapped_column(sa.ForeignKey("event_presenter.id"), index=True)
    engagement_id: Mapped[int | None] = mapped_column(sa.ForeignKey("engagement.id"))
    note: Mapped[str] = mapped_column(sa.String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    followed_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    followed_up_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    guest: Mapped[EventGuest] = relationship()
    presenter: Mapped[EventPresenter] = relationship()
