"""Rules for projects: teams write them, submit them, teachers review and publish them.

Every status change goes through workflow.move (a conditional UPDATE). Services flush; the
view commits once. Mail is queued on the transaction.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from .. import events, workflow
from ..extensions import db
from ..mail import compose, enqueue
from ..models import (
    PROJECT_TRANSITIONS,
    Challenge,
    ChallengeStatus,
    Classroom,
    Project,
    ProjectSnapshot,
    ProjectStatus,
    Team,
    TeamMembership,
    User,
    utcnow,
)
from ..tags import normalise_skills
from ..web import absolute_url
from . import changes, rules


class ProjectError(Exception):
    """A request that breaks a project rule; the message is shown to the user."""


def _move(project: Project, to: ProjectStatus, **values: object) -> None:
    try:
        workflow.move(
            project, to, PROJECT_TRANSITIONS, "A {current} project cannot become {to}.", **values
        )
    except ValueError as error:
        raise ProjectError(str(error).replace("_", " ")) from None
    except workflow.StaleState:
        raise ProjectError("Someone changed this project a moment ago; look again.") from None


def challenges_for(team: Team) -> list[Challenge]:
    """Open challenges a team may build for: its school's, and those shared by other schools."""
    return list(
        db.session.scalars(
            sa.select(Challenge)
            .where(
                Challenge.status == ChallengeStatus.OPEN,
                sa.or_(Challenge.school_id == team.school_id, Challenge.shared.is_(True)),
            )
            .order_by(Challenge.title)
        )
    )


def create_project(
    team: Team,
    challenge: Challenge | None,
    author: User,
    *,
    skills: Iterable[str] = (),
    **fields: object,
) -> Project:
    """A new draft of the team for an open challenge it may see."""
    if not rules.can_start_project(team, author):
        raise PermissionError
    if challenge is None or challenge not in challenges_for(team):
        raise ProjectError("Choose an open challenge: only those accept new projects.")
    fields["skills"] = normalise_skills(skills)
    project = Project(team=team, challenge=challenge, school_id=team.school_id, **fields)
    db.session.add(project)
    db.session.flush()
    return project


def update_project(
    project: Project, editor: User, *, skills: Iterable[str] = (), **fields: object
) -> None:
    """Change a draft (or a project sent back for changes)."""
    if not rules.can_edit(project, editor):
        raise ProjectError("Only the team can change it, and only before it is submitted.")
    fields["skills"] = normalise_skills(skills)
    for name, value in fields.items():
        setattr(project, name, value)
    db.session.flush()


def submit(project: Project, student: User) -> ProjectSnapshot:
    """Send the project to the teacher, keeping a snapshot of it as submitted."""
    if not rules.is_member(project, student):
        raise PermissionError
    _move(project, ProjectStatus.SUBMITTED)
    snapshot = ProjectSnapshot(
        project=project,
        number=len(project.snapshots) + 1,
        data={**project.snapshot_data(), "files": changes.recorded_files(project)},
        submitted_by=student,
    )
    db.session.add(snapshot)
    db.session.flush()
    teacher = project.team.classroom.teacher
    if teacher.email:
        enqueue(
            compose(
                teacher.email,
                f"{project.team.name} submitted “{project.title}”",
                "project_submitted",
                project=project,
                snapshot=snapshot,
                link=absolute_url("projects.show", project_id=project.id),
            )
        )
    return snapshot


def review(project: Project, reviewer: User, publish: bool, comment: str = "") -> None:
    """Publish the submitted project, or send it back with a comment the team sees."""
    if not rules.can_review(project, reviewer):
        raise PermissionError
    if not publish and not comment.strip():
        raise ProjectError("Tell the team what to change.")
    to = ProjectStatus.PUBLISHED if publish else ProjectStatus.CHANGES_REQUESTED
    extra = {"published_at": utcnow()} if publish else {}
    _move(project, to, **extra)
    snapshot = project.snapshots[-1]
    snapshot.outcome = to
    snapshot.review_comment = comment
    snapshot.reviewed_by = reviewer
    snapshot.reviewed_at = utcnow()
    db.session.flush()
    events.announce(events.ProjectReviewed(project, snapshot, publish, comment))
    db.session.flush()


def archive(project: Project, reviewer: User) -> None:
    """Take a published project off the shelf (it stays readable to the team)."""
    if not rules.can_review(project, reviewer):
        raise PermissionError
    _move(project, ProjectStatus.ARCHIVED)


def review_queue(staff: User) -> list[Project]:
    """Submitted projects waiting for this teacher (a school admin: for the school)."""
    query = (
        sa.select(Project)
        .join(Team)
        .join(Classroom)
        .where(Project.status == ProjectStatus.SUBMITTED)
        .options(
            selectinload(Project.team).selectinload(Team.classroom),
            selectinload(Project.challenge),
        )
        .order_by(Project.updated_at)
    )
    if staff.is_teacher:
        query = query.where(Classroom.teacher_id == staff.id)
    else:
        query = query.where(Project.school_id == staff.school_id)
    return list(db.session.scalars(query))


def projects_of_team(team: Team) -> list[Project]:
    """The team's projects, newest first (with their challenges, for the cards)."""
    return list(
        db.session.scalars(
            sa.select(Project)
            .filter_by(team_id=team.id)
            .options(selectinload(Project.challenge))
            .order_by(Project.created_at.desc())
        )
    )


def projects_for_challenge(challenge: Challenge) -> list[Project]:
    """Every project of a challenge (callers keep those the viewer may see)."""
    return list(
        db.session.scalars(
            sa.select(Project)
            .filter_by(challenge_id=challenge.id)
            .options(selectinload(Project.team))
            .order_by(Project.published_at.desc(), Project.created_at.desc())
        )
    )


def portfolio(student: User) -> list[Project]:
    """The published projects of every team the student is on."""
    return list(
        db.session.scalars(
            sa.select(Project)
            .join(TeamMembership, TeamMembership.team_id == Project.team_id)
            .where(
                TeamMembership.student_id == student.id,
                Project.status == ProjectStatus.PUBLISHED,
            )
            .options(selectinload(Project.challenge), selectinload(Project.team))
            .order_by(Project.published_at.desc())
        )
    )
