"""Site admins create schools; school admins invite and list their staff."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from ..extensions import db
from ..forms_common import EmptyForm, add_error, required
from ..models import Invitation, Role, School
from ..permissions import load_or_404, school_admin_required, site_admin_required
from . import rules, services
from .forms import InviteForm, PitchVideoForm, SchoolForm, SchoolZoneForm

bp = Blueprint("schools", __name__)


def _schools_page(
    form: SchoolForm | None = None,
    invite_form: InviteForm | None = None,
    invite_school: School | None = None,
) -> str:
    """The schools list; a refused invitation is shown again on its school's row."""
    return render_template(
        "schools/admin_schools.html",
        schools=list(db.session.scalars(sa.select(School).order_by(School.name))),
        form=form or SchoolForm(),
        invite_form=invite_form or InviteForm(),
        invite_school=invite_school,
    )


@bp.get("/admin/schools")
@site_admin_required
def admin_schools() -> str:
    """The deployment's schools, for the site admin."""
    return _schools_page()


@bp.post("/admin/schools")
@site_admin_required
def create_school() -> Response | tuple[str, int]:
    """Create a school."""
    form = SchoolForm()
    if not form.validate_on_submit():
        return _schools_page(form=form), 422
    school = services.create_school(
        required(form.name.data), form.city.data or "", form.timezone.data or ""
    )
    db.session.commit()
    flash(f"{school.name} created. Invite its first school admin below.", "success")
    return redirect(url_for("schools.admin_schools"))


def _send_invitation(school: School, form: InviteForm) -> bool:
    try:
        services.invite(current_user, school, required(form.email.data), Role(form.role.data))
    except services.InvitationError as error:
        add_error(form.email, str(error))
        return False
    except PermissionError:
        abort(403)
    db.session.commit()
    flash(f"Invitation sent to {form.email.data}.", "success")
    return True


@bp.post("/admin/schools/<int:school_id>/invite")
@site_admin_required
def admin_invite(school_id: int) -> Response | tuple[str, int]:
    """Invite a school admin (or teacher) to a school."""
    school = load_or_404(School, school_id)
    form = InviteForm()
    if form.validate_on_submit() and _send_invitation(school, form):
        return redirect(url_for("schools.admin_schools"))
    return _schools_page(invite_form=form, invite_school=school), 422


def _staff_page(
    form: InviteForm | None = None,
    zone_form: SchoolZoneForm | None = None,
    video_form: PitchVideoForm | None = None,
) -> str:
    return render_template(
        "schools/staff.html",
        staff=services.staff_of(current_user.school_id),
        invitations=services.pending_invitations(current_user.school_id),
        form=form or InviteForm(),
        zone_form=zone_form or SchoolZoneForm(obj=current_user.school),
        video_form=video_form or PitchVideoForm(obj=current_user.school),
        action_form=EmptyForm(),
    )


@bp.get("/school/staff")
@school_admin_required
def staff() -> str:
    """The school's teachers and admins, and invitations still open."""
    return _staff_page()


@bp.post("/school/staff")
@school_admin_required
def invite() -> Response | tuple[str, int]:
    """Invite a teacher or school admin by e-mail."""
    form = InviteForm()
    if form.validate_on_submit() and _send_invitation(current_user.school, form):
        return redirect(url_for("schools.staff"))
    return _staff_page(form), 422


@bp.post("/school/timezone")
@school_admin_required
def set_timezone() -> Response | tuple[str, int]:
    """Move the school to another time zone: its times read, and its deadlines end, there."""
    form = SchoolZoneForm()
    if not form.validate_on_submit():
        return _staff_page(zone_form=form), 422
    current_user.school.timezone = form.timezone.data
    db.session.commit()
    flash(f"Times at {current_user.school.name} now read in {form.timezone.data}.", "success")
    return redirect(url_for("schools.staff"), 303)


@bp.post("/school/pitch-videos")
@school_admin_required
def set_video_limits() -> Response | tuple[str, int]:
    """How long, and how large, a team's pitch video may be at this school."""
    form = PitchVideoForm()
    if not form.validate_on_submit():
        return _staff_page(video_form=form), 422
    school = current_user.school
    school.video_max_seconds = form.video_max_seconds.data
    school.video_max_mb = form.video_max_mb.data
    db.session.commit()
    flash(
        f"Pitch videos at {school.name} may now last {school.video_max_seconds} seconds "
        f"and take {school.video_max_mb} MB.",
        "success",
    )
    return redirect(url_for("schools.staff", _anchor="pitch-videos"), 303)


@bp.post("/school/invitations/<int:invitation_id>/revoke")
@school_admin_required
def revoke_invitation(invitation_id: int) -> Response:
    """Withdraw an invitation that has not been used."""
    invitation = load_or_404(Invitation, invitation_id, rules.can_revoke)
    services.revoke(invitation)
    db.session.commit()
    flash(f"The invitation to {invitation.email} is withdrawn.", "success")
    return redirect(url_for("schools.staff"), 303)
