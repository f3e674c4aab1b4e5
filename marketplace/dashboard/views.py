"""The landing page, and a "what waits for you" dashboard per role."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from .. import clock
from ..challenges import questions
from ..forms_common import EmptyForm
from ..models import Role
from ..organisations.membership import pending_request_of
from ..partners.tasks import agenda
from ..privacy import public_name, uses_pseudonym
from ..teams.services import classrooms_run_by
from . import awaiting, employer, site_admin, staff, student

bp = Blueprint("dashboard", __name__)


@bp.get("/")
def index() -> Response | str:
    """The public front page; signed-in users go to their dashboard."""
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.home"))
    return render_template("dashboard/index.html")


def _student_context() -> dict:
    today = clock.today_for(current_user)
    return {
        "board": student.for_student(current_user),
        # Under 13 (or of unknown age), employers only ever see the pseudonym.
        "nickname": public_name(current_user, today)
        if uses_pseudonym(current_user, today)
        else None,
    }


def _staff_context() -> dict:
    return {
        "classrooms": classrooms_run_by(current_user),
        "counts": staff.for_staff(current_user, clock.today_for(current_user)),
        "agenda": agenda(current_user.school, current_user),
        "today": clock.school_today(current_user.school),
    }


def _employer_context() -> dict:
    organisation = employer.organisation_of(current_user)
    if organisation is None:
        return {"org": None, "join_request": pending_request_of(current_user)}
    if not organisation.is_verified_anywhere:
        return {"org": organisation, "awaiting": awaiting.for_awaiting(organisation)}
    return {
        "org": organisation,
        "board": employer.for_employer(current_user, organisation),
        "questions": questions.unanswered_for(organisation.id),
    }


def _site_admin_context() -> dict:
    return {"site": site_admin.overview()}


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
    """What waits for this user, by role: each count links to where it is dealt with."""
    context = _CONTEXT[current_user.role]()
    return render_template(
        f"dashboard/{current_user.role.value}.html", action_form=EmptyForm(), **context
    )
