"""The pages of joining a team: a teammate or the teacher answers a student's ask, and the
class's teacher chooses whether students ask or join at once (routes of the teams blueprint)."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from ..extensions import db
from ..models import Classroom, Role, TeamJoinRequest
from ..permissions import load_or_404, roles_required, staff_required
from ..privacy import name_for
from ..web import commit_or_refuse
from . import rules
from .forms import TeamJoiningForm
from .joining import Joining, answer, set_joining
from .services import TeamError
from .views import _classroom_page, bp


@bp.post("/teams/join-requests/<int:request_id>/<any(accept, decline):decision>")
@roles_required(Role.STUDENT, Role.TEACHER, Role.SCHOOL_ADMIN)
def answer_join(request_id: int, decision: str) -> Response:
    """A teammate or the teacher lets a student onto the team, or not."""
    request = load_or_404(TeamJoinRequest, request_id, rules.can_answer_join)
    team, who = request.team, name_for(current_user, request.student)
    accept = decision == "accept"
    commit_or_refuse(
        lambda: answer(request, current_user, accept),
        TeamError,
        f"{who} is on {team.name} now." if accept else f"You declined {who}'s request.",
    )
    return redirect(url_for("teams.team", team_id=team.id), 303)


@bp.post("/classes/<int:classroom_id>/team-joining")
@staff_required
def team_joining(classroom_id: int) -> Response | tuple[str, int]:
    """Choose whether the class's students ask to join a team or join at once."""
    classroom = load_or_404(Classroom, classroom_id, rules.can_manage_class)
    form = TeamJoiningForm()
    if not form.validate_on_submit():
        return _classroom_page(classroom, joining_form=form), 422
    set_joining(classroom, current_user, Joining(form.joining.data))
    db.session.commit()
    flash(
        "Students now join teams at once."
        if classroom.team_joining == Joining.OPEN
        else "Students now ask to join a team; a teammate or you accept.",
        "success",
    )
    return redirect(url_for("teams.classroom", classroom_id=classroom.id), 303)
