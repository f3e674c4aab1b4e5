"""What happened: a feature announces it, and whoever cares subscribes.

A feature calls `announce(SomethingHappened(...))` inside the transaction that made it happen;
every subscriber runs then, in the same transaction, so what it writes (the bell, the outbox,
soon the partner log) commits or rolls back with the change. The announcing feature never
imports its subscribers: they connect themselves with `subscribe` when the app is built (see
`marketplace.notifications.register`). Each event is a frozen dataclass; its class is its signal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from blinker import Namespace

from .models import (
    Engagement,
    EngagementEvent,
    EventGuest,
    EventInterest,
    EventPresenter,
    Message,
    MessageFlag,
    Offer,
    Partnership,
    PitchEvent,
    Project,
    ProjectSnapshot,
    SponsorQuestion,
    Team,
    TeamJoinRequest,
    User,
)

_signals = Namespace()


class Event:
    """Something that happened; subclasses are frozen dataclasses."""


E = TypeVar("E", bound=Event)


def announce(event: Event) -> None:
    """Tell every subscriber of the event's class, in order of subscription."""
    _signals.signal(type(event).__qualname__).send(event)


def subscribe(kind: type[E], handler: Callable[[E], None]) -> None:
    """Run `handler(event)` for every `kind` announced. Subscribing the same function again
    changes nothing (apps built in one process share their subscribers)."""
    _signals.signal(kind.__qualname__).connect(handler, weak=False)


# --- the ladder --------------------------------------------------------------------------------


@dataclass(frozen=True)
class EngagementMoved(Event):
    """A step of an engagement, written on its timeline; `audience` should hear of it."""

    engagement: Engagement
    timeline: EngagementEvent
    actor: User | None
    audience: tuple[User, ...]
    subject: str = ""


@dataclass(frozen=True)
class OfferAcceptedBy(Event):
    """A named student accepted an individual offer (job shadowing and up) for themselves: their
    placement opens (`marketplace.placements` subscribes)."""

    offer: Offer
    student: User


# --- teams -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TeamJoinAsked(Event):
    """A student asked to join a team; its students and teacher (`audience`) may answer."""

    request: TeamJoinRequest
    audience: tuple[User, ...]


@dataclass(frozen=True)
class TeamJoinAnswered(Event):
    """A teammate or the teacher let a student onto the team (`accepted`), or not."""

    team: Team
    student: User
    decider: User
    accepted: bool


# --- projects ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectReviewed(Event):
    """A teacher published a submitted project or sent it back with `comment`."""

    project: Project
    snapshot: ProjectSnapshot
    published: bool
    comment: str


# --- organisations -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PartnershipDecided(Event):
    """A school verified (or declined) an organisation."""

    partnership: Partnership
    verified: bool
    note: str


# --- messages ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MessageHeld(Event):
    """A message that looks like it carries contact details waits for `teachers`."""

    message: Message
    teachers: tuple[User, ...]


@dataclass(frozen=True)
class MessageShown(Event):
    """A message became visible to its thread: posted, or released by `reviewer` (who has read
    it); `audience` is who takes part in the thread."""

    message: Message
    audience: tuple[User, ...]
    reviewer: User | None = None


@dataclass(frozen=True)
class MessageRejected(Event):
    """Staff kept a held message back (`after_report`: removed a visible one after a report)."""

    message: Message
    reason: str
    after_report: bool = False


@dataclass(frozen=True)
class MessageFlagged(Event):
    """Someone reported a message to the thread's `staff`."""

    report: MessageFlag
    staff: tuple[User, ...]


# --- challenges --------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionAsked(Event):
    """A team's question to a challenge's sponsor: held for `checkers` (contact details), or
    open for `answerers` (the sponsor's members, or the teacher for a prospect)."""

    question: SponsorQuestion
    checkers: tuple[User, ...]
    answerers: tuple[User, ...]


@dataclass(frozen=True)
class QuestionAnswered(Event):
    """A sponsor's answer, published to every team of the challenge (`audience`)."""

    question: SponsorQuestion
    audience: tuple[User, ...]


# --- pitch events ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PresenterEntered(Event):
    """A teacher entered a team's project in a pitch event; the `team` hears of it."""

    presenter: EventPresenter
    team: tuple[User, ...]


@dataclass(frozen=True)
class PresenterDeclined(Event):
    """A team said no to a pitch event; the teacher who entered it hears of it."""

    presenter: EventPresenter


@dataclass(frozen=True)
class EntryWithdrawn(Event):
    """An entry was taken back before the event; the team hears its project no longer pitches."""

    event: PitchEvent
    title: str
    presenter_id: int
    team: tuple[User, ...]


@dataclass(frozen=True)
class EventChanged(Event):
    """A published event's time, place or title changed; each presenting team hears of it."""

    event: PitchEvent
    teams: tuple[tuple[EventPresenter, tuple[User, ...]], ...]


@dataclass(frozen=True)
class EventLead(Event):
    """A guest whose organisation the school does not yet work with would like to work with a
    team: the team's teachers are asked to follow up."""

    interest: EventInterest
    teachers: tuple[User, ...]
    why: str  # why it is a lead and not an engagement, as the teachers read it


@dataclass(frozen=True)
class GuestsInvited(Event):
    """`by` invited guests or judges to a pitch event (each has been sent their invitation)."""

    event: PitchEvent
    guests: tuple[EventGuest, ...]
    by: User


@dataclass(frozen=True)
class ResultsReleased(Event):
    """An event's results are released: each presenting team hears it can read its feedback."""

    event: PitchEvent
    teams: tuple[tuple[EventPresenter, tuple[User, ...]], ...]
