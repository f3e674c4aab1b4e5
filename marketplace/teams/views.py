"""Teachers run classes and teams; students join classes and form or join teams."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from ..extensions import db, limiter
from ..forms_common import EmptyForm, SelectChoice, add_error, required
from ..models import Classroom, Enrollment, Role, Team, TeamJoinRequest, TeamMembership, User
from ..permissions import load_or_404, require, roles_required, staff_required, student_required
from ..projects import rules as project_rules
from ..projects.services import projects_of_team
from ..web import is_htmx
from . import joining, rules, services
from .forms import (
    AddMemberForm,
    ClassroomForm,
    JoinClassForm,
    StudentRecordsForm,
    TeamForm,
    TeamJoiningForm,
)

bp = Blueprint("teams", __name__)
bp.add_app_template_global(rules.can_manage_class, "can_manage_class")
bp.add_app_template_global(rules.can_manage_team, "can_manage_team")

# A class page shows the roster and every team's members: load them in a few queries, not N+1.
CLASS_PAGE_LOADING = (
    selectinload(Classroom.enrollments).selectinload(Enrollment.student),
    selectinload(Classroom.teams)
    .selectinload(Team.memberships)
    .selectinload(TeamMembership.student),
)
TEAM_PAGE_LOADING = (
    selectinload(Team.memberships).selectinload(TeamMembership.student),
    selectinload(Team.classroom).options(*CLASS_PAGE_LOADING),
)


def _student_of(classroom: Classroom, student_id: int) -> User:
    student = db.session.get(User, student_id)
    if student is None or not classroom.has_student(student):
        abort(404)
    return student


@bp.get("/classes")
@staff_required
def classes() -> str:
    """The teacher's classes (a school admin sees all of the school's) and a form for a new one."""
    return render_template(
        "teams/classes.html",
        classrooms=services.classrooms_run_by(current_user),
        form=ClassroomForm(),
    )


@bp.post("/classes")
@roles_required(Role.TEACHER)
def create_class() -> Response | tuple[str, int]:
    """Create a class with a fresh join code."""
    form = ClassroomForm()
    if not form.validate_on_submit():
        return render_template(
            "teams/classes.html", classrooms=services.classrooms_run_by(current_user), form=form
        ), 422
    classroom = services.create_classroom(current_user, required(form.name.data))
    db.session.commit()
    flash(f"Class created. Students join with the code {classroom.join_code}.", "success")
    return redirect(url_for("teams.classroom", classroom_id=classroom.id))


def _classroom_page(classroom: Classroom, **forms: object) -> str:
    forms.setdefault("rename_form", ClassroomForm(obj=classroom))
    forms.setdefault("joining_form", TeamJoiningForm(joining=classroom.team_joining))
    forms.setdefault("team_form", TeamForm())
    return render_template(
        "teams/classroom.html",
        classroom=classroom,
        students=sorted((e.student for e in classroom.enrollments), key=lambda s: s.last_name),
        action_form=EmptyForm(),
        **forms,
    )


@bp.get("/classes/<int:classroom_id>")
@login_required
def classroom(classroom_id: int) -> str:
    """A class: its code and roster for staff, its teams for everyone in it."""
    return _classroom_page(
        load_or_404(Classroom, classroom_id, rules.can_view_class, CLASS_PAGE_LOADING)
    )


@bp.post("/classes/<int:classroom_id>/rename")
@staff_required
def rename_class(classroom_id: int) -> Response | tuple[str, int]:
    """Rename a class."""
    classroom = load_or_404(Classroom, classroom_id, rules.can_manage_class)
    form = ClassroomForm()
    if not form.validate_on_submit():
        return _classroom_page(classroom, rename_form=form), 422
    services.rename_classroom(classroom, required(form.name.data))
    db.session.commit()
    flash("Class renamed.", "success")
    return redirect(url_for("teams.classroom", classroom_id=classroom.id))


@bp.post("/classes/<int:classroom_id>/code")
@staff_required
def rotate_code(classroom_id: int) -> Response | str:
    """Give the class a new join code (the old one stops working); htmx swaps just the code."""
    classroom = load_or_404(Classroom, classroom_id, rules.can_manage_class)
    services.rotate_join_code(classroom)
    db.session.commit()
    if is_htmx():
        return render_template(
            "teams/_join_code.html", classroom=classroom, action_form=EmptyForm(), rotated=True
        )
    flash(f"The new class code is {classroom.join_code}.", "success")
    return redirect(url_for("teams.classroom", classroom_id=classroom.id))


@bp.post("/classes/<int:classroom_id>/students/<int:student_id>/remove")
@staff_required
def remove_student(classroom_id: int, student_id: int) -> Response:
    """Take a student out of the class and its teams."""
    classroom = load_or_404(Classroom, classroom_id, rules.can_manage_class)
    student = _student_of(classroom, student_id)
    services.remove_student(classroom, student)
    db.session.commit()
    flash(f"{student.full_name} was removed from {classroom.name}.", "success")
    return redirect(url_for("teams.classroom", classroom_id=classroom.id), 303)


@bp.route("/classes/<int:classroom_id>/records", methods=["GET", "POST"])
@staff_required
def student_records(classroom_id: int) -> Response | str | tuple[str, int]:
    """The class's students' grades and school student numbers, kept for the state's
    work-based-learning record; one form for the whole roster."""
    classroom = load_or_404(Classroom, classroom_id, rules.can_manage_class, CLASS_PAGE_LOADING)
    students = sorted((e.student for e in classroom.enrollments), key=lambda s: s.last_name)
    form = StudentRecordsForm()
    if request.method == "GET":
        for s in students:
            form.rows.append_entry(
                {"student_id": s.id, "grade": s.grade, "student_number": s.student_number}
            )
    by_id = {s.id: s for s in students}
    rows = [(row, by_id.get(row.form.student or 0)) for row in form.rows]
    if request.method == "POST":
        valid = form.validate_on_submit()
        typed = {s.id: row.form.student_number.data or "" for row, s in rows if s is not None}
        clashes = services.taken_student_numbers(classroom.school_id, typed)
        for row, student in rows:
            if student is not None and student.id in clashes:
                add_error(row.form.student_number, clashes[student.id])
        if valid and not clashes:
            for row, student in rows:
                if student is not None:  # a student who left the class meanwhile is skipped
                    student.grade = row.form.grade.data
                    student.student_number = row.form.student_number.data or ""
            db.session.commit()
            flash("Grades and student numbers saved.", "success")
            return redirect(url_for("teams.classroom", classroom_id=classroom.id), 303)
    status = 422 if request.method == "POST" else 200
    page = render_template(
        "teams/student_records.html",
        classroom=classroom,
        form=form,
        rows=[(row, s) for row, s in rows if s is not None],
    )
    return (page, status) if status != 200 else page


@bp.post("/classes/<int:classroom_id>/students/<int:student_id>/password")
@staff_required
def reset_student_password(classroom_id: int, student_id: int) -> str:
    """Give a student a temporary password (shown once) to change at their next log-in."""
    classroom = load_or_404(Classroom, classroom_id, rules.can_manage_class)
    student = _student_of(classroom, student_id)
    temporary = services.reset_student_password(student)
    db.session.commit()
    return render_template(
        "teams/temporary_password.html", classroom=classroom, student=student, temporary=temporary
    )


@bp.route("/classes/join", methods=["GET", "POST"])
@student_required
@limiter.limit(lambda: current_app.config["JOIN_LIMIT_PER_ADDRESS"], methods=["POST"])
def join_class() -> Response | tuple[str, int]:
    """A student who already has an account joins another class with its code."""
    form = JoinClassForm(class_code=request.args.get("code", ""))
    if form.validate_on_submit():
        joined = required(form.classroom)  # its code's validator found it
        try:
            services.enroll(current_user, joined)
        except services.TeamError as error:
            add_error(form.class_code, str(error))
        else:
            db.session.commit()
            flash(f"You joined {joined.name}.", "success")
            return redirect(url_for("teams.classroom", classroom_id=joined.id))
    return render_template("teams/join_class.html", form=form), (422 if form.errors else 200)


@bp.post("/classes/<int:classroom_id>/teams")
@login_required
def create_team(classroom_id: int) -> Response | tuple[str, int]:
    """Create a team; a student who creates one is its first member."""
    classroom = load_or_404(Classroom, classroom_id, rules.can_view_class)
    form = TeamForm()
    if not form.validate_on_submit():
        return _classroom_page(classroom, team_form=form), 422
    founder = current_user if current_user.is_student else None
    try:
        team = services.create_team(classroom, required(form.name.data), founder=founder)
    except services.TeamError as error:
        add_error(form.name, str(error))
        db.session.rollback()
        return _classroom_page(classroom, team_form=form), 422
    db.session.commit()
    flash(f"Team {team.name} created.", "success")
    return redirect(url_for("teams.team", team_id=team.id))


@bp.get("/teams/<int:team_id>")
@login_required
def team(team_id: int) -> str:
    """A team: members, and for its teacher the controls to change them."""
    team = load_or_404(Team, team_id, rules.can_view_team, TEAM_PAGE_LOADING)
    return _team_page(team)


def _member_form(team: Team, form: AddMemberForm | None = None) -> AddMemberForm:
    """The add-member form, offering the class's students who are on no team yet."""
    form = form or AddMemberForm()
    taken = {m.student_id for t in team.classroom.teams for m in t.memberships}
    form.student_id.choices = [
        SelectChoice(e.student.id, e.student.full_name)
        for e in team.classroom.enrollments
        if e.student_id not in taken
    ]
    return form


def _team_page(team: Team, add_form: AddMemberForm | None = None) -> str:
    add_form = _member_form(team, add_form)
    student = current_user.is_student
    my_team = services.team_of(current_user, team.classroom) if student else None
    asked = joining.pending_request(current_user, team.classroom) if student else None
    requests = db.session.scalars(
        sa.select(TeamJoinRequest)
        .where(TeamJoinRequest.team_id == team.id)
        .order_by(TeamJoinRequest.created_at)
    )
    return render_template(
        "teams/team.html",
        team=team,
        add_form=add_form,
        action_form=EmptyForm(),
        my_team=my_team,
        my_request=asked,
        join_requests=[r for r in requests if rules.can_answer_join(r, current_user)],
        projects=[p for p in projects_of_team(team) if project_rules.can_view(p, current_user)],
    )


@bp.post("/teams/<int:team_id>/members")
@staff_required
def add_member(team_id: int) -> Response | tuple[str, int]:
    """The teacher puts a student of the class on the team."""
    team = load_or_404(Team, team_id, rules.can_manage_team)
    form = _member_form(team)
    if form.validate_on_submit():
        student = _student_of(team.classroom, form.student_id.data)
        try:
            services.add_member(team, student)
        except services.TeamError as error:
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(f"{student.full_name} joined {team.name}.", "success")
        return redirect(url_for("teams.team", team_id=team.id), 303)
    return _team_page(team, form), 422


@bp.post("/teams/<int:team_id>/join")
@student_required
def join_team(team_id: int) -> Response:
    """A student of the class asks to join the team (or joins, where the class allows)."""
    team = load_or_404(Team, team_id, rules.can_view_team)
    try:
        joined = joining.ask_to_join(team, current_user)
    except services.TeamError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        if joined:
            flash(f"You joined {team.name}.", "success")
        else:
            flash(f"You asked to join {team.name}: a teammate or your teacher answers.", "success")
    return redirect(url_for("teams.team", team_id=team.id), 303)


@bp.post("/teams/<int:team_id>/members/<int:student_id>/remove")
@login_required
def remove_member(team_id: int, student_id: int) -> Response:
    """The teacher removes a member, or a student leaves the team."""
    team = load_or_404(Team, team_id, rules.can_view_team)
    require(rules.can_remove_member, team, student_id, status=403)
    student = db.session.get(User, student_id)
    if student is None or not team.has_member(student):
        abort(404)
    services.remove_member(team, student)
    db.session.commit()
    flash(
        "You left the team."
        if student.id == current_user.id
        else f"{student.full_name} left the team.",
        "success",
    )
    return redirect(url_for("teams.team", team_id=team.id), 303)
