"""Pairwise judging for a big event: a judge is sent from pitch to pitch and, after each,
says whether it was better than the one before. Which pitch comes next is Crowd-BT's choice
(the most to learn, with some exploration); the answers rank the pitches (`results`).

A judge's place in this walk is on their row: the pitch they were sent to (`visiting`), the
one before it (`previous`) and how many answers they gave (`compared`). Each step is a
conditional UPDATE on that count, so an answer sent twice, or from two tabs, counts once.
"""

from __future__ import annotations

import random

import sqlalchemy as sa

from ..extensions import db
from ..models import Comparison, EventGuest, EventPresenter, EventStatus, JudgingMode, utcnow
from ..workflow import update_if
from . import crowd_bt
from .judging import JudgingError

_rng = random.SystemRandom()


def _quality(presenter: EventPresenter) -> crowd_bt.Quality:
    return crowd_bt.Quality(presenter.quality_mu, presenter.quality_sigma2)


def _reliability(guest: EventGuest) -> crowd_bt.Reliability:
    return crowd_bt.Reliability(guest.reliability_alpha, guest.reliability_beta)


def _seen(guest: EventGuest) -> set[int]:
    rows = db.session.execute(
        sa.select(Comparison.winner_id, Comparison.loser_id).where(Comparison.guest_id == guest.id)
    )
    return {pitch for pair in rows for pitch in pair} | {
        p for p in (guest.visiting_id, guest.previous_id) if p is not None
    }


def choose(guest: EventGuest, after: EventPresenter | None) -> EventPresenter | None:
    """The pitch the judge should see next, to compare with `after`: among those they have not
    seen (all but `after` once they have seen every one)."""
    pitches = [p for p in guest.event.presenters if not p.declined]
    seen = _seen(guest)
    fresh = [p for p in pitches if p.id not in seen] or [
        p for p in pitches if after is None or p.id != after.id
    ]
    chosen = crowd_bt.choose_next(
        _quality(after) if after is not None else None,
        [(p, _quality(p)) for p in fresh],
        _reliability(guest),
        _rng,
    )
    return chosen


def _live(guest: EventGuest) -> None:
    if guest.event.judging_mode is not JudgingMode.PAIRWISE:
        raise JudgingError("This event is judged on the rubric, pitch by pitch.")
    if guest.event.status is not EventStatus.LIVE:
        raise JudgingError(
            "Judging opens when the organisers start the event, and ends when they close it."
        )
    forget_declined(guest)


def forget_declined(guest: EventGuest) -> None:
    """A team that declined during the event leaves the judges' walk: a judge who saw its pitch
    last compares the next one with nothing, and a judge sent to it is sent elsewhere."""
    previous, visiting = guest.previous, guest.visiting
    if previous is not None and previous.declined:
        update_if(guest, EventGuest.previous_id == previous.id, previous_id=None)
        db.session.refresh(guest)
    if visiting is not None and visiting.declined:
        chosen = choose(guest, guest.previous)
        update_if(
            guest, EventGuest.visiting_id == visiting.id, visiting_id=chosen.id if chosen else None
        )
        db.session.refresh(guest)


def advance(guest: EventGuest, seen: int) -> bool:
    """The judge starts (`seen` 0), or has seen the pitch they were sent to (`seen`, its id):
    send them to the next one. False if this step was taken already (a second click)."""
    _live(guest)
    after = guest.visiting
    if (after.id if after is not None else 0) != seen:
        return False
    chosen = choose(guest, after)
    if chosen is None:
        raise JudgingError("There is no other pitch to see.")
    return update_if(
        guest,
        EventGuest.visiting_id.is_(None) if after is None else EventGuest.visiting_id == after.id,
        previous_id=after.id if after is not None else None,
        visiting_id=chosen.id,
    )


def skip(guest: EventGuest, at: int) -> bool:
    """The judge could not see the pitch they were sent to (`at`): send them to another. False
    if they were no longer at it (a second click, another tab)."""
    _live(guest)
    if guest.visiting_id is None or guest.visiting_id != at:
        return False
    stay = guest.previous_id
    pitches = [p for p in guest.event.presenters if not p.declined and p.id != at and p.id != stay]
    if not pitches:
        return False
    return update_if(guest, EventGuest.visiting_id == at, visiting_id=_rng.choice(pitches).id)


def compare(guest: EventGuest, step: int, shown: tuple[int, int], winner_id: int) -> bool:
    """The judge's answer about the pair they were `shown` (the one before, the one now): the
    `winner_id` was better. The beliefs about the two pitches and the judge move (the two
    pitches' rows locked, in id order, so two judges answering about the same pitch at once both
    count), and the judge is sent on. False if this answer was given already, or the judge has
    moved on from that pair (a second click, another tab)."""
    _live(guest)
    first, second = guest.previous, guest.visiting
    if winner_id not in shown:
        raise JudgingError("Compare the two pitches you saw last.")
    if first is None or second is None or (first.id, second.id) != shown:
        return False
    if guest.compared != step:
        return False
    winner, loser = (first, second) if winner_id == first.id else (second, first)
    locked = {
        p.id: p
        for p in db.session.scalars(
            sa.select(EventPresenter)
            .where(EventPresenter.id.in_([first.id, second.id]))
            .order_by(EventPresenter.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    }
    winner, loser = locked[winner.id], locked[loser.id]
    won, lost, judged = crowd_bt.update(_quality(winner), _quality(loser), _reliability(guest))
    chosen = choose(guest, second)
    if not update_if(
        guest,
        EventGuest.compared == step,
        EventGuest.previous_id == first.id,
        EventGuest.visiting_id == second.id,
        compared=step + 1,
        previous_id=second.id,
        visiting_id=chosen.id if chosen else None,
        reliability_alpha=judged.alpha,
        reliability_beta=judged.beta,
    ):
        return False
    db.session.add(
        Comparison(
            event_id=guest.event_id,
            guest_id=guest.id,
            step=step,
            winner_id=winner.id,
            loser_id=loser.id,
            created_at=utcnow(),
        )
    )
    winner.quality_mu, winner.quality_sigma2 = won.mu, won.sigma2
    loser.quality_mu, loser.quality_sigma2 = lost.mu, lost.sigma2
    db.session.flush()
    return True
