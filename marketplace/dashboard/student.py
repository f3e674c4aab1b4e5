"""What a student's dashboard reads: their classes and teams, their teams' projects with the
review that sent one back, and the offers waiting for their answer, in a fixed number of
statements whatever the number of rows."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import defer, joinedload, selectinload

from ..engagements.queues import AWAITING_STATES
from ..extensions import db
from ..models import (
    Classroom,
    Engagement,
    EngagementStatus,
    Enrollment,
    Offer,
    OfferAnswer,
    OfferRecipient,
    OfferStatus,
    Project,
    ProjectSnapshot,
    ProjectStatus,
    Rung,
    Team,
    TeamMembership,
    User,
)

# What the team should look at first: a project sent back, then one not yet submitted.
_ATTENTION = {
    ProjectStatus.CHANGES_REQUESTED: 0,
    ProjectStatus.DRAFT: 1,
    ProjectStatus.SUBMITTED: 2,
    ProjectStatus.PUBLISHED: 3,
    ProjectStatus.ARCHIVED: 4,
}
LIST_LIMIT = 5


@dataclass
class ClassRow:
    classroom: Classroom
    team: Team | None


@dataclass
class ProjectRow:
    project: Project
    review: ProjectSnapshot | None = None  # the latest review, when it asked for changes


@dataclass
class StudentDashboard:
    classes: list[ClassRow]
    projects: list[ProjectRow]  # what needs the team first
    offers: list[Offer]  # approved by the teacher: waiting for this student's answer
    offers_at_teacher: int = 0  # sent by an employer, waiting for the teacher's approval
    teams_with_projects: set[int] = field(default_factory=set)

    @property
    def teams(self) -> list[Team]:
        return [row.team for row in self.classes if row.team is not None]

    @property
    def teams_without_project(self) -> list[Team]:
        return [team for team in self.teams if team.id not in self.teams_with_projects]

    @property
    def classes_without_team(self) -> list[Classroom]:
        return [row.classroom for row in self.classes if row.team is None]


def _classes(student: User) -> list[ClassRow]:
    """The student's classes (with their teacher) and their team in each, with its members."""
    membership = sa.and_(
        TeamMembership.classroom_id == Classroom.id, TeamMembership.student_id == student.id
    )
    rows = db.session.execute(
        sa.select(Classroom, Team)
        .join(Enrollment, Enrollment.classroom_id == Classroom.id)
        .outerjoin(TeamMembership, membership)
        .outerjoin(Team, Team.id == TeamMembership.team_id)
        .where(Enrollment.student_id == student.id)
        .options(joinedload(Classroom.teacher), selectinload(Team.memberships))
        .order_by(Classroom.name)
    )
    return [ClassRow(classroom, team) for classroom, team in rows]


def _projects(team_ids: list[int]) -> list[ProjectRow]:
    """The teams' projects, what needs the team first; a project sent back carries the review
    that asked for changes."""
    if not team_ids:
        return []
    projects = db.session.scalars(
        sa.select(Project)
        .where(Project.team_id.in_(team_ids))
        .options(joinedload(Project.challenge))
        .order_by(Project.updated_at.desc(), Project.id.desc())
    ).all()
    rows = sorted((ProjectRow(p) for p in projects), key=lambda r: _ATTENTION[r.project.status])
    sent_back = {
        r.project.id: r for r in rows if r.project.status is ProjectStatus.CHANGES_REQUESTED
    }
    if sent_back:
        latest = (
            sa.select(sa.func.max(ProjectSnapshot.id))
            .where(ProjectSnapshot.project_id.in_(list(sent_back)))
            .group_by(ProjectSnapshot.project_id)
        )
        for review in db.session.scalars(
            sa.select(ProjectSnapshot)
            .where(ProjectSnapshot.id.in_(latest))
            .options(defer(ProjectSnapshot.data), joinedload(ProjectSnapshot.reviewed_by))
        ):
            if review.outcome is ProjectStatus.CHANGES_REQUESTED:
                sent_back[review.project_id].review = review
    return rows


def _offers(student: User, team_ids: list[int]) -> list[Offer]:
    """Offers of the teams' active engagements waiting for the teacher or for an answer that
    are addressed to this student (by name, or to the whole team: the SQL form of
    engagements.rules.participants), the nearest deadline first."""
    if not team_ids:
        return []
    to_this_student = sa.or_(
        ~Offer.recipients.any(), Offer.recipients.any(OfferRecipient.student_id == student.id)
    )
    return list(
        db.session.scalars(
            sa.select(Offer)
            .join(Engagement, Offer.engagement_id == Engagement.id)
            .where(
                Engagement.team_id.in_(team_ids),
                Engagement.status == EngagementStatus.ACTIVE,
                sa.or_(
                    Offer.status.in_(AWAITING_STATES),
                    # An individual offer a teammate accepted first still waits for this one.
                    sa.and_(
                        Offer.status == OfferStatus.ACCEPTED,
                        Offer.rung.in_([r for r in Rung if r.is_workplace]),
                        Offer.recipients.any(OfferRecipient.student_id == student.id),
                    ),
                ),
                to_this_student,
                ~Offer.answers.any(OfferAnswer.student_id == student.id),
            )
            .options(
                joinedload(Offer.engagement).options(
                    joinedload(Engagement.organisation),
                    joinedload(Engagement.project),
                    joinedload(Engagement.school),
                )
            )
            .order_by(Offer.respond_by.is_(None), Offer.respond_by, Offer.id)
        )
    )


def for_student(student: User) -> StudentDashboard:
    """Everything the student's dashboard shows."""
    classes = _classes(student)
    team_ids = [row.team.id for row in classes if row.team is not None]
    projects = _projects(team_ids)
    offers = _offers(student, team_ids)
    return StudentDashboard(
        classes=classes,
        projects=projects,
        offers=[o for o in offers if o.status is OfferStatus.APPROVED],
        offers_at_teacher=sum(o.status is OfferStatus.PROPOSED for o in offers),
        teams_with_projects={row.project.team_id for row in projects},
    )
