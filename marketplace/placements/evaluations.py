"""What is said about a placement once it runs: the supervisor's midpoint and final evaluations
on the school's employability-skills rubric (by account or by personal link), the student's own
reflection and rating of the experience, and the coordinator's site visits.

A student's rating is the school's and the student's: the host organisation sees only an average
over at least `MIN_RATINGS` students, so no single student's rating can be told apart.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ..engagements.ladder.steps import teacher_of
from ..engagements.timeline import record
from ..extensions import db
from ..models import (
    Evaluation,
    EvaluationKind,
    LinkPurpose,
    Organisation,
    Placement,
    PlacementLink,
    PlacementStatus,
    SignerRole,
    SiteVisit,
    User,
)
from ..privacy import public_name
from . import links, rules
from .plans import RUBRIC_LEVELS
from .records import AlreadyDone, PlacementError

MIN_RATINGS = 3  # the fewest students' ratings an organisation sees, as an average
RATINGS = range(1, 6)
VISIT_MODES = ("in person", "video call", "phone")


# --- the supervisor's evaluations ---------------------------------------------------------------


def evaluations_of(placement: Placement) -> dict[EvaluationKind, Evaluation]:
    rows = db.session.scalars(sa.select(Evaluation).where(Evaluation.placement_id == placement.id))
    return {e.kind: e for e in rows}


def due_on(placement: Placement, kind: EvaluationKind) -> date:
    """When an evaluation of the placement is due (`due_between` its dates)."""
    return due_between(placement.start_date, placement.end_date, kind)


def due_between(start: date, end: date | None, kind: EvaluationKind) -> date:
    """When an evaluation is due: the midpoint halfway through the dates, the final on the last
    day (a placement without an end date: four and eight weeks in)."""
    last = end or start + timedelta(weeks=8)
    if kind is EvaluationKind.MIDPOINT:
        return start + (last - start) / 2
    return last


def due(placement: Placement, today: date) -> list[EvaluationKind]:
    """The evaluations of an active placement whose day has come and that are not done."""
    if placement.status is not PlacementStatus.ACTIVE:
        return []
    done = evaluations_of(placement)
    return [k for k in EvaluationKind if k not in done and due_on(placement, k) <= today]


def ask(placement: Placement, kind: EvaluationKind, by: User | None = None) -> PlacementLink:
    """Mail the supervisor a personal link to evaluate the student."""
    if placement.status is not PlacementStatus.ACTIVE:
        raise PlacementError("Evaluations are of a placement under way.")
    if kind in evaluations_of(placement):
        raise AlreadyDone(f"The {kind.value} evaluation is already done.")
    if not placement.supervisor_email:
        raise PlacementError("The agreement has no supervisor's e-mail address yet.")
    link = links.create(
        LinkPurpose.EVALUATE,
        SignerRole.SUPERVISOR,
        placement.student,
        placement.supervisor_name or "Supervisor",
        placement.supervisor_email,
        placement=placement,
        kind=kind.value,
        by=by,
    )
    name = public_name(placement.student)
    links.send(
        link,
        f"Please give {name}'s {kind.value} evaluation",
        [
            f"{name} is on {placement.rung.a} at {placement.organisation.name}. The school asks "
            f"for your {kind.value} evaluation: {len(placement.school.skills)} skills, each "
            "from Beginning to Exceeds expectations, and a word on strengths and what to work on.",
            "It takes about five minutes. The student, their teacher and your organisation's "
            "members read it.",
        ],
        placement.school.name,
    )
    return link


def closed_problem(placement: Placement, kind: EvaluationKind) -> str:
    """Why the evaluation's form is not shown ("" while it can be given)."""
    if kind in evaluations_of(placement):
        return f"The {kind.value} evaluation is already given. Thank you."
    if placement.status is not PlacementStatus.ACTIVE:
        return f"This placement is {placement.status.label}: no evaluation is taken now."
    return ""


def scores_problem(placement: Placement, scores: dict[str, int]) -> str:
    """Why the scores cannot be kept ("" when every skill of the rubric has a level)."""
    missing = [s for s in placement.school.skills if scores.get(s) not in RUBRIC_LEVELS]
    if missing:
        return "Choose a level for each skill: " + ", ".join(missing) + "."
    return ""


def submit(
    placement: Placement,
    kind: EvaluationKind,
    scores: dict[str, int],
    strengths: str,
    to_improve: str,
    evaluator_name: str,
    *,
    user: User | None = None,
    link: PlacementLink | None = None,
) -> Evaluation:
    """Keep the supervisor's evaluation (once per kind: a second one is refused)."""
    if link is not None:
        problem = links.problem(link)
        if problem:
            raise PlacementError(problem)
    elif user is None or not rules.is_supervisor(placement, user):
        raise PlacementError("Only the supervisor the agreement names evaluates the student.")
    if placement.status is not PlacementStatus.ACTIVE:
        raise PlacementError("Evaluations are of a placement under way.")
    name = " ".join(evaluator_name.split())[:120]
    if len(name) < 2:
        raise PlacementError("Type your name.")
    problem = scores_problem(placement, scores)
    if problem:
        raise PlacementError(problem)
    skills = placement.school.skills
    evaluation = Evaluation(
        placement_id=placement.id,
        kind=kind,
        scores={s: scores[s] for s in skills},
        strengths=strengths.strip(),
        to_improve=to_improve.strip(),
        evaluator_name=name,
        user_id=user.id if user else None,
        link_id=link.id if link else None,
    )
    try:
        with db.session.begin_nested():
            db.session.add(evaluation)
            db.session.flush()
    except IntegrityError:
        raise AlreadyDone(f"The {kind.value} evaluation was given a moment ago.") from None
    if link is not None and not links.use(link):
        raise AlreadyDone("This link was used a moment ago.")
    if link is None:  # given signed in: a link mailed for it no longer works
        links.revoke_open(placement, LinkPurpose.EVALUATE, kind.value)
    student = placement.student
    record(
        placement.engagement,
        user,
        f"{kind.value} evaluation",
        offer=placement.offer,
        detail=f"{name} evaluated {public_name(student)} ({kind.value}).",
        tell=[student, placement.coordinator],
        subject=f"{student.first_name}'s {kind.value} evaluation is in",
    )
    return evaluation


def strong_skills(evaluation: Evaluation) -> list[tuple[str, str]]:
    """The skills the evaluation rates proficient or better, with the level's words: what an
    endorsement names."""
    return [
        (skill, RUBRIC_LEVELS[level])
        for skill, level in evaluation.scores.items()
        if isinstance(level, int) and level >= 3
    ]


def endorsed_skills(evaluation: Evaluation) -> list[str]:
    """What an endorsement names: the skills rated Exceeds expectations, or, when none is,
    those rated Proficient (the certificate lists both)."""
    levels = {skill: level for skill, level in evaluation.scores.items() if isinstance(level, int)}
    top = [skill for skill, level in levels.items() if level >= 4]
    return top or [skill for skill, level in levels.items() if level == 3]


# --- the student's side -------------------------------------------------------------------------


def reflect(
    placement: Placement,
    student: User,
    reflection: str,
    rating: int | None,
    rating_comment: str,
    show_endorsement: bool,
) -> None:
    """The student's reflection, their rating of the experience (1–5) and whether the
    organisation's endorsement of their skills may be shown to employers."""
    if not rules.is_student(placement, student):
        raise PlacementError("Only the student writes their reflection.")
    if placement.status not in (PlacementStatus.ACTIVE, PlacementStatus.COMPLETED):
        raise PlacementError("The reflection is written once the placement is under way.")
    if rating is not None and rating not in RATINGS:
        raise PlacementError("Rate the experience from 1 to 5 stars.")
    if placement.status is PlacementStatus.COMPLETED and rating != placement.rating:
        raise PlacementError(
            "Your rating is kept as it was when the placement completed; your reflection can "
            "still change."
        )
    placement.reflection = reflection.strip()
    placement.rating = rating
    placement.rating_comment = rating_comment.strip()
    placement.show_endorsement = show_endorsement
    db.session.flush()


@dataclass(frozen=True)
class RatingSummary:
    count: int  # the ratings the average is over: a multiple of MIN_RATINGS
    average: float | None  # None below MIN_RATINGS: too few to share


def rating_summary(organisation_id: int) -> RatingSummary:
    """Students' ratings of an organisation's completed placements, as the organisation may
    see them: an average over whole batches of MIN_RATINGS, in the order the placements
    completed. A rating is kept as it was on completion, so a new one only moves the average
    with two others, and none can be told apart."""
    ratings = list(
        db.session.scalars(
            sa.select(Placement.rating)
            .where(
                Placement.organisation_id == organisation_id,
                Placement.status == PlacementStatus.COMPLETED,
                Placement.rating.is_not(None),
            )
            .order_by(Placement.completed_at, Placement.id)
        )
    )
    shown = len(ratings) - len(ratings) % MIN_RATINGS
    if not shown:
        return RatingSummary(0, None)
    return RatingSummary(shown, round(sum(r for r in ratings[:shown] if r) / shown, 1))


# --- site visits --------------------------------------------------------------------------------


def log_visit(
    placement: Placement, staff: User, visited_on: date, mode: str, notes: str, today: date
) -> SiteVisit:
    """The coordinator's visit to the workplace (a visit ahead of the start checks the site)."""
    if not rules.is_staff(placement, staff):
        raise PlacementError("Site visits are logged by the school's staff.")
    if placement.status is PlacementStatus.ENDED:
        raise PlacementError("This placement ended: its visits are kept as they are.")
    if visited_on > today:
        raise PlacementError("Log a visit once it has happened.")
    if placement.end_date and visited_on > placement.end_date + timedelta(days=30):
        raise PlacementError("That day is long after the placement ended.")
    if mode not in VISIT_MODES:
        raise PlacementError("Say how the visit was made.")
    visit = SiteVisit(
        placement_id=placement.id,
        visited_on=visited_on,
        mode=mode,
        notes=notes.strip(),
        visitor_id=staff.id,
    )
    db.session.add(visit)
    db.session.flush()
    record(
        placement.engagement,
        staff,
        "site visit",
        offer=placement.offer,
        detail=f"Site visit ({mode}) on {visited_on:%d %B %Y}.",
        tell=[t for t in teacher_of(placement.engagement) if t.id != staff.id],
        subject=f"Site visit to {placement.organisation.name}",
    )
    return visit


def visits_of(placement: Placement) -> list[SiteVisit]:
    return list(
        db.session.scalars(
            sa.select(SiteVisit)
            .where(SiteVisit.placement_id == placement.id)
            .order_by(SiteVisit.visited_on.desc(), SiteVisit.id.desc())
        )
    )


# --- endorsements -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Endorsement:
    """An organisation's endorsement of a student's skills, from the final evaluation of a
    completed placement the student agreed to show."""

    student_id: int
    organisation: str
    rung_label: str
    skills: list[str]


@functools.cache  # asked on every project page: built once (half the cost of asking it)
def _endorsements_statement() -> sa.Select:
    return (
        sa.select(Placement.student_id, Organisation.name, Placement.rung, Evaluation)
        .join(Organisation, Organisation.id == Placement.organisation_id)
        .join(
            Evaluation,
            sa.and_(
                Evaluation.placement_id == Placement.id,
                Evaluation.kind == EvaluationKind.FINAL,
            ),
        )
        .where(
            Placement.student_id.in_(sa.bindparam("students", expanding=True)),
            Placement.endorsement_shown(),
        )
        .order_by(Placement.completed_at.desc())
    )


def endorsements(student_ids: list[int]) -> list[Endorsement]:
    """The endorsements the students agreed to show (one statement)."""
    if not student_ids:
        return []
    statement = _endorsements_statement()
    rows = db.session.execute(statement, {"students": list(student_ids)}).all()
    out = []
    for student_id, organisation, rung, evaluation in rows:
        skills = endorsed_skills(evaluation)
        if skills:
            out.append(Endorsement(student_id, organisation, rung.label, skills))
    return out


def completed_placements(student: User) -> list[Placement]:
    """The student's completed placements, for their portfolio's certificates."""
    return list(
        db.session.scalars(
            sa.select(Placement)
            .where(
                Placement.student_id == student.id,
                Placement.status == PlacementStatus.COMPLETED,
            )
            .options(joinedload(Placement.organisation))
            .order_by(Placement.completed_at.desc())
        )
    )
