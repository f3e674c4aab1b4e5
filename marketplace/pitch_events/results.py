"""An event's results: the organisers' leaderboard (raw and normalised per judge), judges set
aside with a reason, each team's feedback once released, and the awards.

Normalising: each judge's weighted totals are turned into how far each is from that judge's own
mean, in that judge's own spread (a z-score), then put back on the 1–5 scale with the mean of
every score counted and the spread within judges (pooled). A strict judge's 3 and a generous
judge's 4.5 can then be the same thing: "this judge's best pitch". A judge with one score, or
the same score for every pitch, tells nothing about order: their pitches stand at the mean.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import sqlalchemy as sa

from ..extensions import db
from ..models import (
    CommentStatus,
    Comparison,
    EventAward,
    EventGuest,
    EventPresenter,
    EventStatus,
    Judgement,
    JudgingMode,
    PitchEvent,
    RubricCriterion,
    User,
    utcnow,
)
from . import crowd_bt, judging


class ResultsError(Exception):
    """What cannot be done with the results now; the message is shown."""


@dataclass
class Standing:
    """A pitch's place on the leaderboard."""

    presenter: EventPresenter
    judges: int = 0
    raw: float | None = None  # the mean of the counted judges' weighted totals (1–5)
    normalised: float | None = None  # the same, each judge's scores normalised first
    quality: float | None = None  # pairwise mode: Crowd-BT's estimate
    comparisons: int = 0
    criteria: dict[int, float] = field(default_factory=dict)  # criterion id: mean score
    rank: int = 0


@dataclass
class JudgeLine:
    """A judge on the results page: what they gave, and whether it counts."""

    guest: EventGuest
    scored: int
    mean: float | None  # their mean weighted total (a strict judge's is low)
    reliability: float | None = None  # pairwise mode


@dataclass
class Results:
    event: PitchEvent
    criteria: list[RubricCriterion]
    standings: list[Standing]
    judges: list[JudgeLine]
    excluded: list[JudgeLine]
    averages: dict[int, float]  # criterion id: the event's mean

    def standing_of(self, presenter_id: int) -> Standing | None:
        return next((s for s in self.standings if s.presenter.id == presenter_id), None)


def results(event: PitchEvent) -> Results:
    """The leaderboard, in a fixed number of statements whatever the number of judges and
    pitches (the event's entries are loaded by the caller)."""
    pitches = [p for p in event.presenters if not p.declined]
    judges = judging.judges(event)
    counted = {j.id for j in judges if j.excluded_at is None}
    if event.judging_mode is JudgingMode.PAIRWISE:
        return _pairwise(event, pitches, judges, counted)
    criteria = judging.rubric(event)
    rows = db.session.execute(
        sa.select(Judgement.guest_id, Judgement.presenter_id, Judgement.scores).where(
            Judgement.event_id == event.id
        )
    ).all()
    keys = [(str(c.id), c.id, c.weight) for c in criteria]
    weight = sum(c.weight for c in criteria)
    totals: dict[int, dict[int, float]] = defaultdict(dict)  # judge: pitch: weighted total
    for guest_id, presenter_id, scores in rows:
        if weight and all(key in scores for key, _, _ in keys):
            totals[guest_id][presenter_id] = sum(scores[key] * w for key, _, w in keys) / weight
    normalised = _normalise({j: t for j, t in totals.items() if j in counted})
    standings = {p.id: Standing(p) for p in pitches}
    per_criterion: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for guest_id, presenter_id, scores in rows:
        if guest_id not in counted or presenter_id not in standings:
            continue
        for key, criterion_id, _ in keys:
            if key in scores:
                per_criterion[presenter_id][criterion_id].append(scores[key])
    counted_totals = [t for j, t in totals.items() if j in counted]
    for pitch_id, standing in standings.items():
        raw = [t[pitch_id] for t in counted_totals if pitch_id in t]
        standing.judges = len(raw)
        standing.raw = statistics.fmean(raw) if raw else None
        norm = normalised.get(pitch_id)
        standing.normalised = statistics.fmean(norm) if norm else None
        standing.criteria = {
            c: statistics.fmean(scores) for c, scores in per_criterion[pitch_id].items()
        }
    ordered = sorted(
        standings.values(),
        key=lambda s: (s.normalised is None, -(s.normalised or 0), -(s.raw or 0)),
    )
    _number(ordered, lambda s: s.normalised)
    averages = {
        c.id: statistics.fmean(all_scores)
        for c in criteria
        if (
            all_scores := [
                score for pitch in per_criterion.values() for score in pitch.get(c.id, [])
            ]
        )
    }
    lines = [
        JudgeLine(j, len(given), statistics.fmean(given.values()) if given else None)
        for j in judges
        for given in [totals.get(j.id, {})]
    ]
    return Results(
        event,
        criteria,
        ordered,
        [line for line in lines if line.guest.excluded_at is None],
        [line for line in lines if line.guest.excluded_at is not None],
        averages,
    )


def _normalise(totals: dict[int, dict[int, float]]) -> dict[int, list[float]]:
    """Each pitch's normalised totals, one per counted judge who scored it: the judge's z-score
    put back on the scale with the mean of every score and the spread *within* judges (the
    pooled standard deviation of each judge's scores about their own mean), so the gap between
    a strict and a generous judge is not counted as spread. Not clamped: the ranking reads the
    value as computed."""
    every = [t for by_pitch in totals.values() for t in by_pitch.values()]
    if not every:
        return {}
    centre = statistics.fmean(every)
    squares, count = 0.0, 0  # pooled over the judges whose scores vary, each score once
    for by_pitch in totals.values():
        values = list(by_pitch.values())
        if len(values) > 1 and statistics.pstdev(values) > 0:
            mean = statistics.fmean(values)
            squares += sum((v - mean) ** 2 for v in values)
            count += len(values)
    spread = (squares / count) ** 0.5 if count else 0.0
    out: dict[int, list[float]] = defaultdict(list)
    for by_pitch in totals.values():
        values = list(by_pitch.values())
        mean = statistics.fmean(values)
        sd = statistics.pstdev(values) if len(values) > 1 else 0.0
        for pitch_id, total in by_pitch.items():
            z = (total - mean) / sd if sd > 0 else 0.0
            out[pitch_id].append(centre + z * spread)
    return out


def within(standings: list[Standing], cluster: str) -> list[Standing]:
    """The standings of one track (a career cluster's pitches), ranked among themselves."""
    kept = [
        replace(s) for s in standings if s.presenter.project.challenge.career_cluster == cluster
    ]
    pairwise = any(s.quality is not None for s in kept)
    _number(kept, (lambda s: s.quality) if pairwise else (lambda s: s.normalised))
    return kept


def _number(ordered: list[Standing], key: Callable[[Standing], float | None]) -> None:
    """Ranks 1, 2, 2, 4…: ties (to two decimals) share a place; unscored pitches have none."""
    previous, rank = None, 0
    for n, standing in enumerate(ordered, start=1):
        value = key(standing)
        if value is None:
            break
        if previous is None or round(value, 2) != round(previous, 2):
            rank = n
        standing.rank, previous = rank, value


def _pairwise(
    event: PitchEvent, pitches: list[EventPresenter], judges: list[EventGuest], counted: set[int]
) -> Results:
    answers = [
        (guest_id, winner_id, loser_id)
        for guest_id, winner_id, loser_id in db.session.execute(
            sa.select(Comparison.guest_id, Comparison.winner_id, Comparison.loser_id)
            .where(Comparison.event_id == event.id)
            .order_by(Comparison.id)
        )
    ]
    ids = [p.id for p in pitches]
    known = set(ids)
    kept = [a for a in answers if a[0] in counted and a[1] in known and a[2] in known]
    qualities, reliabilities = crowd_bt.rank(kept, ids)
    _, every_reliability = crowd_bt.rank(
        [a for a in answers if a[1] in known and a[2] in known], ids
    )
    seen: dict[int, int] = defaultdict(int)
    for _, won, lost in kept:
        seen[won] += 1
        seen[lost] += 1
    standings = [Standing(p, quality=qualities[p.id].mu, comparisons=seen[p.id]) for p in pitches]
    ordered = sorted(standings, key=lambda s: (s.comparisons == 0, -(s.quality or 0)))
    for s in ordered:
        if s.comparisons == 0:
            s.quality = None
    _number(ordered, lambda s: s.quality)
    made: dict[int, int] = defaultdict(int)
    for guest_id, _, _ in answers:
        made[guest_id] += 1
    lines = [
        JudgeLine(
            j,
            made[j.id],
            None,
            (reliabilities if j.id in counted else every_reliability)
            .get(j.id, crowd_bt.Reliability())
            .mean
            if made[j.id]
            else None,
        )
        for j in judges
    ]
    return Results(
        event,
        [],
        ordered,
        [line for line in lines if line.guest.excluded_at is None],
        [line for line in lines if line.guest.excluded_at is not None],
        {},
    )


# --- setting a judge aside ----------------------------------------------------------------------


def exclude(guest: EventGuest, user: User, reason: str) -> None:
    """Set a judge's scores aside, with the reason; they stay stored."""
    reason = reason.strip()
    if not guest.judge:
        raise ResultsError("Only a judge's scores can be set aside.")
    if not reason:
        raise ResultsError("Say why this judge's scores are set aside.")
    if guest.event.status is EventStatus.RELEASED:
        raise ResultsError("The results are released: they no longer change.")
    guest.excluded_at, guest.excluded_by_id, guest.excluded_reason = utcnow(), user.id, reason[:300]


def include(guest: EventGuest) -> None:
    """Count a judge's scores again."""
    if guest.event.status is EventStatus.RELEASED:
        raise ResultsError("The results are released: they no longer change.")
    guest.excluded_at, guest.excluded_by_id, guest.excluded_reason = None, None, ""


# --- what a team reads -------------------------------------------------------------------------


@dataclass
class Feedback:
    """A team's results: its mean per criterion against the event's, and the judges' comments
    (those held for a contact detail only once their teacher lets them through)."""

    criteria: list[RubricCriterion]
    mine: dict[int, float]
    averages: dict[int, float]
    comments: list[str]
    judges: int
    held: int
    awards: list[EventAward]


def feedback(event: PitchEvent, presenter: EventPresenter) -> Feedback:
    board = results(event)
    standing = board.standing_of(presenter.id)
    counted = {line.guest.id for line in board.judges}
    rows = db.session.scalars(
        sa.select(Judgement)
        .where(Judgement.presenter_id == presenter.id, Judgement.comment != "")
        .order_by(Judgement.id)
    )
    comments, held = [], 0
    for row in rows:
        if row.guest_id not in counted:
            continue
        if row.comment_status is CommentStatus.SHOWN:
            comments.append(row.comment)
        elif row.comment_status is CommentStatus.HELD:
            held += 1
    return Feedback(
        board.criteria,
        standing.criteria if standing else {},
        board.averages,
        comments,
        standing.judges if standing else 0,
        held,
        [a for a in awards_of(event) if a.presenter_id == presenter.id],
    )


def held_comments(event: PitchEvent, staff: User) -> list[Judgement]:
    """Comments held for a contact detail, on the pitches of teams this teacher moderates."""
    rows = db.session.scalars(
        sa.select(Judgement)
        .where(Judgement.event_id == event.id, Judgement.comment_status == CommentStatus.HELD)
        .order_by(Judgement.id)
    )
    return [r for r in rows if staff.is_staff_of(r.presenter.project.school_id)]


def decide_comment(judgement: Judgement, show: bool) -> None:
    if judgement.comment_status is not CommentStatus.HELD:
        raise ResultsError("This comment was already decided.")
    judgement.comment_status = CommentStatus.SHOWN if show else CommentStatus.HIDDEN


# --- awards --------------------------------------------------------------------------------------


def awards_of(event: PitchEvent) -> list[EventAward]:
    return list(
        db.session.scalars(
            sa.select(EventAward).where(EventAward.event_id == event.id).order_by(EventAward.id)
        )
    )


def add_award(event: PitchEvent, name: str, cluster: str) -> EventAward:
    name = name.strip()
    if not name:
        raise ResultsError("Name the award.")
    if event.status is EventStatus.RELEASED:
        raise ResultsError("The results are released: the awards no longer change.")
    if any(a.name.casefold() == name.casefold() for a in awards_of(event)):
        raise ResultsError(f"There is an award called “{name}” already.")
    award = EventAward(event_id=event.id, name=name[:120], cluster=cluster)
    db.session.add(award)
    db.session.flush()
    return award


def give_award(award: EventAward, presenter: EventPresenter | None) -> None:
    """Choose the winner (or none yet); a track's award goes to a pitch of its cluster."""
    event = db.session.get(PitchEvent, award.event_id)
    assert event is not None
    if event.status is EventStatus.RELEASED:
        raise ResultsError("The results are released: the awards no longer change.")
    if presenter is not None:
        if presenter.event_id != award.event_id or presenter.declined:
            raise ResultsError("Choose one of the event's pitches.")
        if award.cluster and presenter.project.challenge.career_cluster != award.cluster:
            raise ResultsError(f"This award is for the {award.cluster} track.")
    award.presenter_id = presenter.id if presenter else None


def remove_award(award: EventAward) -> None:
    event = db.session.get(PitchEvent, award.event_id)
    assert event is not None
    if event.status is EventStatus.RELEASED:
        raise ResultsError("The results are released: the awards no longer change.")
    db.session.delete(award)
