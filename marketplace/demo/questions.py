"""The demo's pitch story: students say which challenges they would like to work on, and teams
ask the sponsor questions — Harbor Health has answered one and has one waiting."""

from __future__ import annotations

import sqlalchemy as sa

from ..challenges import interest, questions
from ..challenges import rules as challenge_rules
from ..extensions import db
from ..models import Challenge, ChallengeStatus, Project, Role, TeamMembership, User

CHECK_IN = "Paper-free patient check-in"
ASKED = (
    (
        "How many patients check in on a busy Monday morning, and how long do they wait now?",
        "About 60 between 8 and 10 am; the line is 15 to 20 minutes at its worst.",
    ),
    ("Do patients bring an ID card we could scan, or only an insurance card?", None),
)


def seed_questions() -> None:
    challenge = db.session.scalar(sa.select(Challenge).filter_by(title=CHECK_IN))
    if challenge is None or challenge.sponsor is None:
        return
    askers = list(
        db.session.scalars(
            sa.select(User)
            .join(TeamMembership, TeamMembership.student_id == User.id)
            .join(Project, Project.team_id == TeamMembership.team_id)
            .where(Project.challenge_id == challenge.id)
            .order_by(User.id)
        )
    )
    answerer = next((m for m in challenge.sponsor.members if m.active), None)
    for n, (body, answer) in enumerate(ASKED):
        if not askers:
            break
        question = questions.ask(challenge, askers[n % len(askers)], body)
        if answer and answerer is not None:
            questions.answer(question, answerer, answer)
    # Students say which open challenges they would like (the teacher forms teams with it).
    students = list(db.session.scalars(sa.select(User).filter_by(role=Role.STUDENT).limit(12)))
    open_ones = list(
        db.session.scalars(
            sa.select(Challenge).filter_by(status=ChallengeStatus.OPEN).order_by(Challenge.id)
        )
    )
    for n, student in enumerate(students):
        for challenge in open_ones[n % 3 :: 4][:2]:
            if challenge_rules.can_mark_interest(challenge, student):
                interest.mark(challenge, student)
