"""Students' interest in challenges: a student says "we'd like to work on this" about an open
challenge. Their teachers see who (when forming teams); the sponsor sees only how many."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import (
    Challenge,
    ChallengeInterest,
    Classroom,
    Enrollment,
    Role,
    User,
)
from . import rules


class InterestError(Exception):
    """The student may not mark this challenge (not open, or not one they see)."""


def mark(challenge: Challenge, student: User) -> bool:
    """Record the student's interest; False if it was already recorded."""
    if not rules.can_mark_interest(challenge, student):
        raise InterestError("You can say so about open challenges of your school.")
    try:
        with db.session.begin_nested():
            db.session.add(ChallengeInterest(challenge_id=challenge.id, student_id=student.id))
            db.session.flush()
    except IntegrityError:
        return False
    return True


def withdraw(challenge: Challenge, student: User) -> bool:
    """Take the student's interest back; False if there was none."""
    done = db.session.execute(
        sa.delete(ChallengeInterest).where(
            ChallengeInterest.challenge_id == challenge.id,
            ChallengeInterest.student_id == student.id,
        )
    )
    return bool(done.rowcount)  # type: ignore[attr-defined]


def has_marked(challenge: Challenge, student: User) -> bool:
    return (
        db.session.scalar(
            sa.select(ChallengeInterest.id).where(
                ChallengeInterest.challenge_id == challenge.id,
                ChallengeInterest.student_id == student.id,
            )
        )
        is not None
    )


def counts(challenge_ids: list[int]) -> dict[int, int]:
    """How many students want to work on each challenge (one statement)."""
    if not challenge_ids:
        return {}
    rows = db.session.execute(
        sa.select(ChallengeInterest.challenge_id, sa.func.count())
        .where(ChallengeInterest.challenge_id.in_(challenge_ids))
        .group_by(ChallengeInterest.challenge_id)
    )
    return {challenge_id: count for challenge_id, count in rows}


def classes_of(staff: User) -> sa.ColumnElement[bool]:
    """The classes a staff member looks after: a teacher's own, a school admin's school's."""
    if staff.role is Role.TEACHER:
        return Classroom.teacher_id == staff.id
    return Classroom.school_id == staff.school_id


def _students_of(staff: User) -> sa.Select:
    """The students a staff member sees, in the classes they look after."""
    return sa.select(Enrollment.student_id).join(Classroom).where(classes_of(staff))


def interested_students(challenge: Challenge, staff: User) -> list[User]:
    """The students of `staff`'s classes (or school) who want to work on the challenge, by
    name: never shown to an employer."""
    return list(
        db.session.scalars(
            sa.select(User)
            .join(ChallengeInterest, ChallengeInterest.student_id == User.id)
            .where(
                ChallengeInterest.challenge_id == challenge.id,
                User.id.in_(_students_of(staff)),
            )
            .order_by(User.first_name, User.last_name, User.id)
        )
    )


def demand_in_class(classroom: Classroom) -> list[tuple[Challenge, list[User]]]:
    """For forming teams: each challenge that students of the class want, with who, most
    wanted first (one statement)."""
    rows = db.session.execute(
        sa.select(Challenge, User)
        .join(ChallengeInterest, ChallengeInterest.challenge_id == Challenge.id)
        .join(User, User.id == ChallengeInterest.student_id)
        .join(Enrollment, Enrollment.student_id == User.id)
        .where(Enrollment.classroom_id == classroom.id)
        .order_by(Challenge.title, User.first_name, User.last_name)
    )
    grouped: dict[int, tuple[Challenge, list[User]]] = {}
    for challenge, student in rows:
        grouped.setdefault(challenge.id, (challenge, []))[1].append(student)
    return sorted(grouped.values(), key=lambda item: (-len(item[1]), item[0].title))
