"""The school's muted employer members: the list, the form to mute one, and unmuting."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from ..extensions import db
from ..forms_common import EmptyForm, SelectChoice
from ..models import MemberMute, User
from ..permissions import load_or_404, staff_required
from ..privacy import name_for
from ..web import safe_next
from . import moderation_queries as queries
from . import mutes as muting
from . import rules
from .errors import ModerationError
from .moderation_forms import MuteForm

bp = Blueprint("mutes", __name__)

Page = str | tuple[str, int] | Response


def _mutes_page(form: MuteForm | None = None) -> Page:
    form = form or MuteForm(formdata=None)
    members = queries.mutable_members(current_user.school_id)
    form.user_id.choices = [SelectChoice("", "Choose a member…")] + [
        SelectChoice(m.id, f"{name_for(current_user, m)} ({m.organisation.name})")
        for m in members
        if m.organisation is not None  # always: the query keeps members of organisations
    ]
    return render_template(
        "messaging/moderation/mutes.html",
        mutes=queries.mutes(current_user.school_id),
        form=form,
        action_form=EmptyForm(),
    ), (422 if form.errors else 200)


@bp.get("/school/mutes")
@staff_required
def mutes() -> Page:
    """The school's muted employer members, and the form to mute one."""
    return _mutes_page()


@bp.post("/school/mutes")
@staff_required
def mute() -> Page:
    """Mute an employer member for the school: they still read, but cannot post."""
    form = MuteForm()
    if not form.validate():
        return _mutes_page(form)
    member = db.session.get(User, form.user_id.data)
    try:
        muted = muting.mute(current_user, member, form.reason.data or "")
    except ModerationError as refusal:
        db.session.rollback()
        form.user_id.errors = [str(refusal)]
        return _mutes_page(form)
    db.session.commit()
    flash(f"{name_for(current_user, muted.user)} can no longer post to your school.", "success")
    return redirect(safe_next(request.form.get("next")) or url_for("mutes.mutes"), 303)


@bp.post("/school/mutes/<int:mute_id>/unmute")
@staff_required
def unmute(mute_id: int) -> Response:
    """Let a muted member post again."""
    row = load_or_404(MemberMute, mute_id, rules.can_unmute)
    name = name_for(current_user, row.user)
    muting.unmute(row, current_user)
    db.session.commit()
    flash(f"{name} can post again.", "success")
    return redirect(url_for("mutes.mutes"), 303)
