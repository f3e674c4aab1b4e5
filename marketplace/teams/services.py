"""Rules for classes and teams: codes, rosters, membership. Services flush, views commit."""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from ..extensions import db
from ..models import Classroom, Enrollment, Team, TeamJoinRequest, TeamMembership, User
from ..models.classroom import new_join_code
from ..security import hash_password

UNKNOWN_CODE = "No class has this code. Check it with your teacher."


class TeamError(Exception):
    """A request that breaks a class or team rule; the message is shown to the user."""


def _unused_join_code() -> str:
    while True:
        code = new_join_code()
        if db.session.scalar(sa.select(Classroom.id).filter_by(join_code=code)) is None:
            return code


def classrooms_run_by(staff: User) -> list[Classroom]:
    """A teacher's own classes; for a school admin, every class of the school."""
    query = (
        sa.select(Classroom)
        .options(
            joinedload(Classroom.teacher),
            selectinload(Classroom.enrollments),
            selectinload(Classroom.teams),
        )
        .order_by(Classroom.name)
    )
    if staff.is_teacher:
        query = query.filter_by(teacher_id=staff.id)
    else:
        query = query.filter_by(school_id=staff.school_id)
    return list(db.session.scalars(query))


def create_classroom(teacher: User, name: str) -> Classroom:
    """A new class of the teacher's school, with a fresh join code."""
    classroom = Classroom(
        school_id=teacher.school_id, teacher=teacher, name=name, join_code=_unused_join_code()
    )
    db.session.add(classroom)
    db.session.flush()
    return classroom


def rename_classroom(classroom: Classroom, name: str) -> None:
    """Give the class a new name."""
    classroom.name = name


def rotate_join_code(classroom: Classroom) -> str:
    """Replace the class code; the old one stops working at once."""
    classroom.join_code = _unused_join_code()
    return classroom.join_code


def enroll(student: User, classroom: Classroom) -> Enrollment:
    """Put a student in a class of their own school."""
    if student.school_id is not None and student.school_id != classroom.school_id:
        # The same words as for an unknown code: codes of other schools cannot be probed.
        raise TeamError(UNKNOWN_CODE)
    if classroom.has_student(student):
        raise TeamError(f"You are already in {classroom.name}.")
    student.school_id = classroom.school_id
    enrollment = Enrollment(classroom=classroom, student=student)
    db.session.add(enrollment)
    return enrollment


def remove_student(classroom: Classroom, student: User) -> None:
    """Take a student out of a class and out of its teams (the account stays)."""
    enrollment = db.session.get(Enrollment, (classroom.id, student.id))
    if enrollment is None:
        raise TeamError("This student is not in the class.")
    db.session.execute(
        sa.delete(TeamMembership).filter_by(classroom_id=classroom.id, student_id=student.id)
    )
    db.session.delete(enrollment)
    db.session.flush()
    db.session.expire(classroom)


def taken_student_numbers(school_id: int, numbers: dict[int, str]) -> dict[int, str]:
    """Of the numbers typed for students (by student id), those another student of the school
    already has, or that two students were given at once: {student id: message}."""
    wanted = {sid: n for sid, n in numbers.items() if n}  # the others may give theirs away
    holders: dict[str, int] = {
        number: sid
        for number, sid in db.session.execute(
            sa.select(sa.func.lower(User.student_number), User.id).where(
                User.school_id == school_id,
                sa.func.lower(User.student_number).in_({n.lower() for n in wanted.values()}),
                User.id.not_in(numbers),
            )
        )
    }
    clashes: dict[int, str] = {}
    seen: dict[str, int] = {}
    for sid, number in wanted.items():
        key = number.lower()
        if key in holders:
            clashes[sid] = "Another student of the school has this number."
        elif key in seen:
            clashes[sid] = clashes[seen[key]] = "Two students were given this number."
        seen.setdefault(key, sid)
    return clashes


def reset_student_password(student: User) -> str:
    """Give a student a temporary password to change at next log-in; returns it once."""
    temporary = "-".join(secrets.token_hex(2) for _ in range(3))
    student.password_hash = hash_password(temporary)
    student.must_change_password = True
    student.end_sessions()
    return temporary


def create_team(classroom: Classroom, name: str, founder: User | None = None) -> Team:
    """A new team in a class; a student who founds it joins it."""
    taken = db.session.scalar(
        sa.select(Team.id).where(
            Team.classroom_id == classroom.id, sa.func.lower(Team.name) == name.lower()
        )
    )
    if taken is not None:
        raise TeamError(f"{classroom.name} already has a team called {name}.")
    team = Team(classroom=classroom, name=name)
    db.session.add(team)
    db.session.flush()
    if founder is not None:
        add_member(team, founder)
    return team


def team_of(student: User, classroom: Classroom) -> Team | None:
    """The student's team in that class, if any."""
    return db.session.scalar(
        sa.select(Team)
        .join(TeamMembership)
        .where(TeamMembership.classroom_id == classroom.id, TeamMembership.student_id == student.id)
    )


def add_member(team: Team, student: User) -> None:
    """Add a student of the team's class; a student is on one team per class."""
    if not team.classroom.has_student(student):
        raise TeamError("Only students of this class can join its teams.")
    current = team_of(student, team.classroom)
    if current is not None:
        raise TeamError(f"{student.first_name} is already on team {current.name}.")
    db.session.add(TeamMembership(team=team, student=student, classroom_id=team.classroom_id))
    db.session.execute(  # an ask to join any team of the class is settled by joining one
        sa.delete(TeamJoinRequest).where(
            TeamJoinRequest.classroom_id == team.classroom_id,
            TeamJoinRequest.student_id == student.id,
        )
    )
    db.session.flush()


def remove_member(team: Team, student: User) -> None:
    """Take a student off a team (they stay in the class)."""
    membership = db.session.get(TeamMembership, (team.id, student.id))
    if membership is None:
        raise TeamError("This student is not on the team.")
    team.memberships.remove(membership)
    db.session.flush()
