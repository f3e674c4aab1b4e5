"""Who may do what with classes and teams: the one place to look."""

from __future__ import annotations

from ..models import Classroom, Team, TeamJoinRequest, User


def can_manage_class(classroom: Classroom, user: User) -> bool:
    """The class's teacher (and the school's admins) run the class."""
    if user.is_teacher:
        return user.id == classroom.teacher_id
    return user.is_school_admin and user.school_id == classroom.school_id


def can_view_class(classroom: Classroom, user: User) -> bool:
    """Those who run the class, and its students."""
    return can_manage_class(classroom, user) or (user.is_student and classroom.has_student(user))


def can_manage_team(team: Team, user: User) -> bool:
    """Those who run the class manage any team of it."""
    return can_manage_class(team.classroom, user)


def can_view_team(team: Team, user: User) -> bool:
    """Those who run the class, and the students of the same class."""
    return can_manage_team(team, user) or (user.is_student and team.classroom.has_student(user))


def can_remove_member(team: Team, user: User, student_id: int) -> bool:
    """Those who run the class take anyone off a team; a student takes only themselves off."""
    return can_manage_team(team, user) or user.id == student_id


def can_answer_join(request: TeamJoinRequest, user: User) -> bool:
    """The team's students, and those who run the class, answer a student's ask to join."""
    team = request.team
    return (user.is_student and team.has_member(user)) or can_manage_team(team, user)
