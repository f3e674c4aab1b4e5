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

from ..extensions import db, upsert
from ..models import (
    DEFAULT_RUBRIC,
    EventGuest,
    EventPresenter,
    EventStatus,
    GuestRole,
    Judgement,
    PitchEvent,
    RubricCriterion,
    utcnow,
)
from . import guests

JUDGE = "pitch-event.judge"
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
    if event.status is not EventStatus.LIVE:
        raise JudgingError(
            "Judging opens when the organisers start the event, and ends when they close it."
        )
    criteria = rubric(event)
    if {c.id for c in criteria} != set(scores) or not all(1 <= v <= 5 for v in scores.values()):
        raise JudgingError("Give every criterion a score from 1 to 5.")
    now = utcnow()
    values = {
        "event_id": event.id,
        "guest_id": guest.id,
        "presenter_id": presenter.id,
        "scores": {str(k): v for k, v in scores.items()},
        "comment": comment.strip()[:2000],
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
                "updated_at": insert.excluded.updated_at,
            },
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
    """The organiser's coverage board, in three statements."""
    judges = list(
        db.session.scalars(
            sa.select(EventGuest)
            .where(
                EventGuest.event_id == event.id,
                EventGuest.role == GuestRole.JUDGE,
                EventGuest.revoked_at.is_(None),
            )
            .order_by(EventGuest.name, EventGuest.email)
        )
    )
    pitches = [p for p in event.presenters if not p.declined]
    rows = db.session.execute(
        sa.select(Judgement.guest_id, Judgement.presenter_id).where(Judgement.event_id == event.id)
    )
    scored = {(guest_id, presenter_id) for guest_id, presenter_id in rows}
    return Board(judges, pitches, scored)
