"""Getting onto a team: a student asks and a teammate or the teacher answers, or — where the
class allows — joins at once. Until an ask is accepted the student is not a member, so nothing
of the team's work (drafts, engagements, threads) is theirs to see."""

from __future__ import annotations

from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from .. import events
from ..extensions import db, rows_matched
from ..models import Classroom, Team, TeamJoinRequest, User
from . import rules
from .services import TeamError, add_member, team_of


class Joining(StrEnum):
    """How a class's students get onto its teams."""

    ASK = "ask"  # a teammate or the teacher accepts (the default)
    OPEN = "open"  # at once


def pending_request(student: User, classroom: Classroom) -> TeamJoinRequest | None:
    """The student's open ask to join a team of the class, if any."""
    return db.session.scalar(
        sa.select(TeamJoinRequest).where(
            TeamJoinRequest.classroom_id == classroom.id, TeamJoinRequest.student_id == student.id
        )
    )


def ask_to_join(team: Team, student: User) -> bool:
    """Join `team` at once where the class allows it (True), or ask to (False)."""
    classroom = team.classroom
    current = team_of(student, classroom)
    if current is not None:
        raise TeamError(f"{student.first_name} is already on team {current.name}.")
    if classroom.team_joining == Joining.OPEN:
        add_member(team, student)
        return True
    if not classroom.has_student(student):
        raise TeamError("Only students of this class can join its teams.")
    asked = pending_request(student, classroom)
    if asked is not None:
        raise TeamError(f"You already asked to join {asked.team.name}; wait for the answer.")
    request = TeamJoinRequest(team_id=team.id, classroom_id=classroom.id, student_id=student.id)
    try:
        with db.session.begin_nested():
            db.session.add(request)
            db.session.flush()
    except IntegrityError:  # the same ask, a moment ago
        raise TeamError(f"You already asked to join {team.name}; wait for the answer.") from None
    audience = (*[m for m in team.members if m.active], team.advisor)
    events.announce(events.TeamJoinAsked(request, audience))
    return False


def answer(request: TeamJoinRequest, decider: User, accept: bool) -> None:
    """A teammate or the teacher lets the student in, or not; the student is told. Of two
    answers at once, the first counts."""
    if not rules.can_answer_join(request, decider):
        raise PermissionError
    team, student = request.team, request.student
    taken = rows_matched(sa.delete(TeamJoinRequest).where(TeamJoinRequest.id == request.id))
    if taken != 1:
        raise TeamError(f"{student.first_name}'s request was answered a moment ago.")
    if accept:
        add_member(team, student)
    events.announce(events.TeamJoinAnswered(team, student, decider, accept))


def set_joining(classroom: Classroom, staff: User, joining: Joining) -> None:
    """Who runs the class decides how its students get onto teams."""
    if not rules.can_manage_class(classroom, staff):
        raise PermissionError
    classroom.team_joining = joining.value
    db.session.flush()
