"""Who may do what with projects and their files: the one place to look."""

from __future__ import annotations

from .. import media
from ..models import FileStatus, Project, ProjectFile, ProjectStatus, Role, Team, User
from ..models.project import EDITABLE


def can_start_project(team: Team, user: User) -> bool:
    """A team's own students start its projects."""
    return user.is_student and team.has_member(user)


def is_member(project: Project, user: User) -> bool:
    """The students of the project's team."""
    return user.is_student and project.team.has_member(user)


def can_edit(project: Project, user: User) -> bool:
    """Any member of the team, while the project is a draft or has changes requested."""
    return project.status in EDITABLE and is_member(project, user)


def can_review(project: Project, user: User) -> bool:
    """The team's teacher and the school's admins review."""
    if user.role is Role.TEACHER:
        return project.team.classroom.teacher_id == user.id
    return user.role is Role.SCHOOL_ADMIN and user.school_id == project.school_id


def can_view(project: Project, user: User) -> bool:
    """The team and its reviewers always; the school once published; verified employers
    once published; nobody sees another team's draft."""
    if is_member(project, user) or can_review(project, user) or user.is_site_admin:
        return True
    if project.status is not ProjectStatus.PUBLISHED:
        return False
    if user.role in (Role.STUDENT, Role.TEACHER, Role.SCHOOL_ADMIN):
        return user.school_id == project.school_id
    if user.is_employer and user.organisation is not None:
        return user.organisation.is_verified_by(project.school_id)
    return False


def can_download(file: ProjectFile, user: User) -> bool:
    """A stored file, for whoever may see its project; a file the worker refused to show (a
    damaged or hostile PDF or video), only for its team and their teachers."""
    if file.status is not FileStatus.STORED or not can_view(file.project, user):
        return False
    if is_member(file.project, user) or can_review(file.project, user):
        return True
    job = media.job_for(file)
    return job is None or not job.failed


def can_change_files(file: ProjectFile, user: User) -> bool:
    """Whoever may edit the project adds, completes or removes its files."""
    return can_edit(file.project, user)
