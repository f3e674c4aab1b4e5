"""The landing page, and a "what to do next" dashboard per role."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from ..challenges.services import waiting_adoptions
from ..extensions import db
from ..forms_common import EmptyForm
from ..models import Classroom, Enrollment, Role, School, VerificationStatus
from ..organisations.membership import pending_request_of
from ..organisations.services import partnerships_for_school
from ..teams.services import classrooms_run_by, team_of

bp = Blueprint("dashboard", __name__)


@bp.get("/")
def index() -> Response | str:
    """The public front page; signed-in users go to their dashboard."""
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.home"))
    return render_template("dashboard/index.html")


def _student_context() -> dict:
    classrooms = db.session.scalars(
        sa.select(Classroom)
        .join(Enrollment)
        .where(Enrollment.student_id == current_user.id)
        .order_by(Classroom.name)
    )
    return {"rows": [(c, team_of(current_user, c)) for c in classrooms]}


def _staff_context() -> dict:
    return {
        "classrooms": classrooms_run_by(current_user),
        "pending": partnerships_for_school(current_user.school_id, VerificationStatus.PENDING),
        "adoptions": waiting_adoptions(current_user.school_id),
    }


def _employer_context() -> dict:
    return {"join_request": pending_request_of(current_user)}


def _site_admin_context() -> dict:
    return {"school_count": db.session.scalar(sa.select(sa.func.count(School.id)))}


_CONTEXT = {
    Role.STUDENT: _student_context,
    Role.TEACHER: _staff_context,
    Role.SCHOOL_ADMIN: _staff_context,
    Role.EMPLOYER: _employer_context,
    Role.SITE_ADMIN: _site_admin_context,
}


@bp.get("/dashboard")
@login_required
def home() -> str:
    """What this user should do next, by role."""
    context = _CONTEXT[current_user.role]()
    return render_template(
        f"dashboard/{current_user.role.value}.html", action_form=EmptyForm(), **context
    )
