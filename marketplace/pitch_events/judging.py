"""Judging a pitch event: a rubric of weighted criteria, each score 1–5 with what it means, and
a judge's page reached by their own link (a purpose of its own: a guest's invitation link does
not judge), made for a phone.

A judge's scores for one pitch are one row (`Judgement`, unique per judge and pitch), written
with an insert-or-update: a judge who submits twice, or from two tabs at once, replaces their
scores; nothing is counted twice and nothing is lost.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..extensions import db, upsert
from ..messaging import service as messaging
from ..models import (
    DEFAULT_RUBRIC,
    CommentStatus,
    EventGuest,
    EventPresenter,
    EventStatus,
    GuestRole,
    JudgeAssignment,
    Judgement,
    JudgingMode,
    PitchEvent,
    Rsvp,
    RubricCriterion,
    utcnow,
)
from . import guests

JUDGE = "pitch-event.judge"
MAX_CRITERIA = 8
OPEN = frozenset({EventStatus.PUBLISHED, EventStatus.LIVE})  # the page opens; scoring when live


class JudgingError(Exception):
    """The score cannot be taken now; the message is shown to the judge."""


def judge_token(guest: EventGuest) -> str:
    return guests.token_for(guest, JUDGE)


def judge_from(token: str) -> EventGuest | None:
    """The judge a judging link names, while the event is published or live (the link ends
    when the event closes, and with a withdrawn invitation)."""
    guest = guests.guest_from(token, JUDGE)
    if guest is None or not guest.judge or guest.event.status not in OPEN:
        return None
    return guest


def rubric(event: PitchEvent) -> list[RubricCriterion]:
    """The event's criteria in order; the default rubric the first time it is asked for."""
    criteria = list(
        db.session.scalars(
            sa.select(RubricCriterion)
            .where(RubricCriterion.event_id == event.id)
            .order_by(RubricCriterion.position)
        )
    )
    if criteria:
        return criteria
    for position, (name, weight, descriptors) in enumerate(DEFAULT_RUBRIC, start=1):
        criterion = RubricCriterion(
            event_id=event.id,
            position=position,
            name=name,
            weight=weight,
            descriptors=list(descriptors),
        )
        db.session.add(criterion)
        criteria.append(criterion)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except sa.exc.IntegrityError:  # written by another request at the same moment
        return rubric(event)
    return criteria


def weighted(scores: dict[str, int], criteria: list[RubricCriterion]) -> float | None:
    """A judgement's weighted mean on the 1–5 scale (None if a criterion is missing)."""
    total = sum(c.weight for c in criteria)
    if not total or any(str(c.id) not in scores for c in criteria):
        return None
    return sum(scores[str(c.id)] * c.weight for c in criteria) / total


def judge(
    guest: EventGuest, presenter: EventPresenter, scores: dict[int, int], comment: str
) -> None:
    """Record (or replace) a judge's scores and comment for one pitch, while the event is live."""
    event = guest.event
    if not guest.judge or guest.revoked_at is not None:
        raise PermissionError
    if presenter.event_id != event.id or presenter.declined:
        raise PermissionError
    if event.judging_mode is not JudgingMode.RUBRIC:
        raise PermissionError  # a pairwise event is judged in pairs
    if event.status is not EventStatus.LIVE:
        raise JudgingError(
            "Judging opens when the organisers start the event, and ends when they close it."
        )
    criteria = rubric(event)
    if {c.id for c in criteria} != set(scores) or not all(1 <= v <= 5 for v in scores.values()):
        raise JudgingError("Give every criterion a score from 1 to 5.")
    now = utcnow()
    comment = comment.strip()[:2000]
    values = {
        "event_id": event.id,
        "guest_id": guest.id,
        "presenter_id": presenter.id,
        "scores": {str(k): v for k, v in scores.items()},
        "comment": comment,
        # The team reads the comment: one that carries a contact detail waits for their teacher.
        "comment_status": (
            CommentStatus.HELD if messaging.contact_details(comment) else CommentStatus.SHOWN
        ),
        "created_at": now,
        "updated_at": now,
    }
    insert = upsert(Judgement).values(**values)
    db.session.execute(
        insert.on_conflict_do_update(
            index_elements=["guest_id", "presenter_id"],
            set_={
                "scores": insert.excluded.scores,
                "comment": insert.excluded.comment,
                "comment_status": insert.excluded.comment_status,
                "updated_at": insert.excluded.updated_at,
            },
        )
    )


def judges(event: PitchEvent) -> list[EventGuest]:
    """The event's judges whose invitation stands (set aside or not), by name, with their
    organisations: one statement."""
    return list(
        db.session.scalars(
            sa.select(EventGuest)
            .where(
                EventGuest.event_id == event.id,
                EventGuest.role == GuestRole.JUDGE,
                EventGuest.revoked_at.is_(None),
            )
            .options(selectinload(EventGuest.organisation))
            .order_by(EventGuest.name, EventGuest.email, EventGuest.id)
        )
    )


def active_judges(event: PitchEvent) -> list[EventGuest]:
    """The judges who have not said they cannot come and whose scores count."""
    return [j for j in judges(event) if j.excluded_at is None and j.rsvp is not Rsvp.NO]


def assign(event: PitchEvent) -> int:
    """Give every pitch at least `min_judges` judges (all of them, if fewer are invited),
    each time to the judge with the fewest pitches: the loads differ by one at most. Pairs
    already assigned stay (a judge keeps what they were given); run again after inviting more
    judges or entering more pitches. Returns how many pairs were added."""
    judges = active_judges(event)
    pitches = [p for p in event.presenters if not p.declined]
    if not judges or not pitches:
        return 0
    judge_ids, pitch_ids = {j.id for j in judges}, {p.id for p in pitches}
    pairs = {
        (guest_id, presenter_id)
        for guest_id, presenter_id in db.session.execute(
            sa.select(JudgeAssignment.guest_id, JudgeAssignment.presenter_id).where(
                JudgeAssignment.event_id == event.id
            )
        )
        if guest_id in judge_ids and presenter_id in pitch_ids
    }
    load = {j.id: sum(1 for g, _ in pairs if g == j.id) for j in judges}
    have = {p.id: sum(1 for _, q in pairs if q == p.id) for p in pitches}
    need = min(event.min_judges, len(judges))
    added = []
    for pitch in sorted(pitches, key=lambda p: have[p.id]):
        while have[pitch.id] < need:
            judge = min(
                (j for j in judges if (j.id, pitch.id) not in pairs),
                key=lambda j: (load[j.id], j.id),
            )
            pairs.add((judge.id, pitch.id))
            load[judge.id] += 1
            have[pitch.id] += 1
            added.append({"event_id": event.id, "guest_id": judge.id, "presenter_id": pitch.id})
    if added:  # two organisers at once: the second adds nothing twice
        db.session.execute(upsert(JudgeAssignment).values(added).on_conflict_do_nothing())
    return len(added)


def assigned_to(guest: EventGuest) -> set[int]:
    """The pitches a judge is asked to score."""
    return set(
        db.session.scalars(
            sa.select(JudgeAssignment.presenter_id).where(JudgeAssignment.guest_id == guest.id)
        )
    )


def judgements_of(guest: EventGuest) -> dict[int, Judgement]:
    """A judge's judgements, by pitch."""
    return {
        j.presenter_id: j
        for j in db.session.scalars(sa.select(Judgement).where(Judgement.guest_id == guest.id))
    }


def coverage(event: PitchEvent) -> dict[int, int]:
    """How many judges have scored each pitch (one statement)."""
    rows = db.session.execute(
        sa.select(Judgement.presenter_id, sa.func.count())
        .join(EventGuest, EventGuest.id == Judgement.guest_id)
        .where(Judgement.event_id == event.id, EventGuest.revoked_at.is_(None))
        .group_by(Judgement.presenter_id)
    )
    return {presenter_id: count for presenter_id, count in rows}


@dataclass(frozen=True)
class Board:
    """Who has judged what: the judges, the pitches, and the (judge, pitch) pairs scored."""

    judges: list[EventGuest]
    pitches: list[EventPresenter]
    scored: set[tuple[int, int]]

    def per_pitch(self, presenter: EventPresenter) -> int:
        return sum(1 for judge in self.judges if (judge.id, presenter.id) in self.scored)

    def per_judge(self, judge: EventGuest) -> int:
        return sum(1 for pitch in self.pitches if (judge.id, pitch.id) in self.scored)


def board(event: PitchEvent) -> Board:
    """The organiser's coverage board, in a few statements."""
    judges_now = judges(event)
    pitches = [p for p in event.presenters if not p.declined]
    rows = db.session.execute(
        sa.select(Judgement.guest_id, Judgement.presenter_id).where(Judgement.event_id == event.id)
    )
    scored = {(guest_id, presenter_id) for guest_id, presenter_id in rows}
    return Board(judges_now, pitches, scored)


# --- the organisers' rubric --------------------------------------------------------------------


def add_criterion(event: PitchEvent, name: str, weight: int, descriptors: list[str]) -> None:
    criteria = rubric(event)
    if any(c.name.casefold() == name.casefold() for c in criteria):
        raise JudgingError(f"The rubric has “{name}” already.")
    if len(criteria) >= MAX_CRITERIA:
        raise JudgingError(
            f"A rubric has {MAX_CRITERIA} criteria at most: judges score on a phone."
        )
    db.session.add(
        RubricCriterion(
            event_id=event.id,
            position=max((c.position for c in criteria), default=0) + 1,
            name=name,
            weight=weight,
            descriptors=descriptors,
        )
    )
    db.session.flush()


def change_criterion(
    criterion: RubricCriterion, name: str, weight: int, descriptors: list[str]
) -> None:
    others = [c for c in rubric(criterion.event) if c.id != criterion.id]
    if any(c.name.casefold() == name.casefold() for c in others):
        raise JudgingError(f"The rubric has “{name}” already.")
    criterion.name, criterion.weight, criterion.descriptors = name, weight, descriptors


def remove_criterion(criterion: RubricCriterion) -> None:
    if len(rubric(criterion.event)) <= 1:
        raise JudgingError("A rubric needs one criterion at least.")
    db.session.delete(criterion)
