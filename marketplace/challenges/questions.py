"""Questions to the sponsor: a team working on a challenge asks its sponsor (a quota per team,
set by the teacher); the sponsor's members answer — or the teacher, for a prospect with no
account — and every answer is published to every team of the challenge. Students' text passes
the same contact-detail check as messages: a question carrying contact details waits for the
teacher; an answer carrying them is refused (students read it)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, joinedload

from .. import events
from ..extensions import db
from ..messaging import contacts
from ..models import (
    Challenge,
    ChallengeStatus,
    Classroom,
    OrganisationStatus,
    Partnership,
    Project,
    QuestionState,
    SponsorQuestion,
    Team,
    TeamMembership,
    User,
    VerificationStatus,
    utcnow,
)
from . import interest, rules

MAX_QUESTION, MAX_ANSWER = 1000, 4000


class QuestionError(Exception):
    """What stops a question or an answer, said to the person."""


def asking_team(challenge: Challenge, student: User) -> Team | None:
    """The student's team that works on the challenge (has a project for it), if any."""
    if not student.is_student:
        return None
    return db.session.scalar(
        sa.select(Team)
        .join(TeamMembership, TeamMembership.team_id == Team.id)
        .join(Project, Project.team_id == Team.id)
        .where(TeamMembership.student_id == student.id, Project.challenge_id == challenge.id)
        .limit(1)
    )


def asked_by_team(challenge: Challenge, team: Team) -> int:
    """Questions the team has used of its quota (a rejected one gives its place back)."""
    return (
        db.session.scalar(
            sa.select(sa.func.count(SponsorQuestion.id)).where(
                SponsorQuestion.challenge_id == challenge.id,
                SponsorQuestion.team_id == team.id,
                SponsorQuestion.state != QuestionState.REJECTED,
            )
        )
        or 0
    )


def answerers(challenge: Challenge) -> list[User]:
    """Who answers: the sponsor's active members; for a prospect (no accounts), the teachers of
    the challenge's school who curate it (its author first)."""
    sponsor = challenge.sponsor
    if sponsor is None:
        return []
    if sponsor.status is OrganisationStatus.PROSPECT:
        return [challenge.created_by] if challenge.created_by.active else []
    if not sponsor.is_verified_by(challenge.school_id):
        return []  # the school does not work with it (any more)
    return [m for m in sponsor.members if m.active]


def teachers_of(team: Team) -> list[User]:
    teacher = team.classroom.teacher
    return [teacher] if teacher.active else []


def ask(challenge: Challenge, student: User, body: str) -> SponsorQuestion:
    """A team's question to the sponsor: open for the answerers, or held for the team's
    teacher if it carries contact details."""
    body = body.strip()
    team = asking_team(challenge, student)
    if team is None or not rules.can_view(challenge, student):
        raise QuestionError("Teams with a project for this challenge ask its sponsor.")
    if challenge.sponsor is None or challenge.status is not ChallengeStatus.OPEN:
        raise QuestionError("This challenge takes no questions: it has no sponsor or is not open.")
    if not body:
        raise QuestionError("Write the question first.")
    if len(body) > MAX_QUESTION:
        raise QuestionError(f"A question can be at most {MAX_QUESTION:,} characters.")
    # Teammates asking at once count one after the other (the team's row is the lock).
    db.session.execute(sa.select(Team.id).where(Team.id == team.id).with_for_update())
    if asked_by_team(challenge, team) >= challenge.question_quota:
        raise QuestionError(
            f"Your team has asked its {challenge.question_quota} questions for this challenge."
        )
    found = contacts.find_contact_details(body)
    question = SponsorQuestion(
        challenge_id=challenge.id,
        team_id=team.id,
        asked_by_id=student.id,
        body=body,
        state=QuestionState.HELD if found else QuestionState.OPEN,
        hold_reason=contacts.reason(found)[:200] if found else "",
    )
    db.session.add(question)
    db.session.flush()
    held = question.state is QuestionState.HELD
    events.announce(
        events.QuestionAsked(
            question,
            checkers=tuple(teachers_of(team)) if held else (),
            answerers=() if held else tuple(answerers(challenge)),
        )
    )
    return question


def release(question: SponsorQuestion, staff: User) -> None:
    """The teacher lets a held question through to the sponsor."""
    _check(question, staff, QuestionState.OPEN)
    events.announce(
        events.QuestionAsked(question, checkers=(), answerers=tuple(answerers(question.challenge)))
    )


def reject(question: SponsorQuestion, staff: User) -> None:
    """The teacher keeps a held question back (the team gets its place back)."""
    _check(question, staff, QuestionState.REJECTED)


def _require_checker(question: SponsorQuestion, staff: User) -> None:
    if not rules.can_check_question(question, staff):
        raise PermissionError


def _check(question: SponsorQuestion, staff: User, to: QuestionState) -> None:
    """Move a held question on, once: of two teachers checking at once, one wins."""
    _require_checker(question, staff)
    moved = db.session.execute(
        sa.update(SponsorQuestion)
        .where(SponsorQuestion.id == question.id, SponsorQuestion.state == QuestionState.HELD)
        .values(state=to)
    )
    if not moved.rowcount:  # type: ignore[attr-defined]
        raise QuestionError("This question was already checked.")
    db.session.expire(question)


def answer(question: SponsorQuestion, user: User, text: str) -> None:
    """The sponsor (or the teacher for a prospect) answers; every team of the challenge reads
    it. Contact details are refused: students read the answer."""
    if not can_answer(question, user):
        raise PermissionError
    text = text.strip()
    if not text:
        raise QuestionError("Write the answer first.")
    if len(text) > MAX_ANSWER:
        raise QuestionError(f"An answer can be at most {MAX_ANSWER:,} characters.")
    found = contacts.find_contact_details(text)
    if found:
        raise QuestionError(
            f"{contacts.reason(found)} Students read every answer: leave contact details out "
            "(the school's channel is the place for them)."
        )
    updated = db.session.execute(
        sa.update(SponsorQuestion)
        .where(SponsorQuestion.id == question.id, SponsorQuestion.state == QuestionState.OPEN)
        .values(
            state=QuestionState.ANSWERED, answer=text, answered_by_id=user.id, answered_at=utcnow()
        )
    )
    if not updated.rowcount:  # type: ignore[attr-defined]
        raise QuestionError("This question was answered a moment ago.")
    db.session.expire(question)
    events.announce(
        events.QuestionAnswered(question, tuple(readers_of_answers(question.challenge)))
    )


def can_answer(question: SponsorQuestion, user: User) -> bool:
    """The sponsor's members; the school's staff when the sponsor is a prospect."""
    challenge = question.challenge
    sponsor = challenge.sponsor
    if sponsor is None:
        return False
    if sponsor.status is OrganisationStatus.PROSPECT:
        return rules.can_edit(challenge, user)
    return (
        user.is_employer
        and user.organisation_id == sponsor.id
        and sponsor.is_verified_by(challenge.school_id)
        and challenge.status is ChallengeStatus.OPEN
    )


def readers_of_answers(challenge: Challenge) -> list[User]:
    """Every student of every team with a project for the challenge (the answers are theirs)."""
    return list(
        db.session.scalars(
            sa.select(User)
            .join(TeamMembership, TeamMembership.student_id == User.id)
            .join(Project, Project.team_id == TeamMembership.team_id)
            .where(Project.challenge_id == challenge.id, User.active.is_(True))
            .distinct()
        )
    )


def for_page(challenge: Challenge, user: User) -> list[SponsorQuestion]:
    """The questions `user` reads on the challenge page: staff all of them; the sponsor's
    answerers the open and answered ones; a student of a team on the challenge the answered
    ones and their own team's; others none."""
    query = sa.select(SponsorQuestion).where(SponsorQuestion.challenge_id == challenge.id)
    if rules.can_edit(challenge, user):
        pass
    elif user.is_staff:  # a shared challenge: another school's staff see their own teams'
        query = (
            query.join(Team, Team.id == SponsorQuestion.team_id)
            .join(Classroom, Classroom.id == Team.classroom_id)
            .where(Classroom.school_id == user.school_id)
        )
    elif user.is_employer and challenge.sponsor_id == user.organisation_id:
        query = query.where(SponsorQuestion.state.in_([QuestionState.OPEN, QuestionState.ANSWERED]))
    elif (team := asking_team(challenge, user)) is not None:
        query = query.where(
            sa.or_(
                SponsorQuestion.state == QuestionState.ANSWERED,
                SponsorQuestion.team_id == team.id,
            )
        )
    else:
        return []
    return list(
        db.session.scalars(
            query.order_by(SponsorQuestion.created_at, SponsorQuestion.id).options(
                joinedload(SponsorQuestion.team).joinedload(Team.classroom),
                joinedload(SponsorQuestion.asked_by),
            )
        )
    )


def unanswered_for(organisation_id: int) -> list[SponsorQuestion]:
    """For a sponsor's dashboard: open questions to its challenges, oldest first."""
    return list(
        db.session.scalars(
            sa.select(SponsorQuestion)
            .join(Challenge, Challenge.id == SponsorQuestion.challenge_id)
            .join(
                Partnership,
                sa.and_(
                    Partnership.school_id == Challenge.school_id,
                    Partnership.organisation_id == organisation_id,
                ),
            )
            .where(
                Challenge.sponsor_id == organisation_id,
                Challenge.status == ChallengeStatus.OPEN,
                Partnership.status == VerificationStatus.VERIFIED,
                SponsorQuestion.state == QuestionState.OPEN,
            )
            .options(
                contains_eager(SponsorQuestion.challenge),
                joinedload(SponsorQuestion.team),
            )
            .order_by(SponsorQuestion.created_at)
        )
    )


def held_count(staff: User) -> sa.ScalarSelect[int]:
    """Questions waiting for this teacher's check (a school admin: the school's), as a
    subquery: the dashboard asks it with its other counts in one statement."""
    return (
        sa.select(sa.func.count(SponsorQuestion.id))
        .join(Team, Team.id == SponsorQuestion.team_id)
        .join(Classroom, Classroom.id == Team.classroom_id)
        .where(SponsorQuestion.state == QuestionState.HELD, interest.classes_of(staff))
        .scalar_subquery()
    )
