"""Pages of a placement's hours: the student's week (log, remove, send to the supervisor) and
the coordinator's lock of a verified week."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from .. import clock
from ..extensions import db
from ..forms_common import EmptyForm
from ..models import HourEntry, Placement
from ..permissions import require, staff_required
from ..web import commit_or_refuse
from . import hours, rules
from .forms import HoursForm
from .records import PlacementError
from .views import bp, placement_or_404, staff_placement_or_403


def _week_start(placement: Placement) -> date:
    raw = request.args.get("week", "")
    try:
        return hours.monday_of(date.fromisoformat(raw))
    except ValueError:
        today = clock.school_today(placement.school)
        end = placement.end_date or today
        return hours.monday_of(min(max(today, placement.start_date), end))


@bp.route("/placements/<int:placement_id>/hours", methods=["GET", "POST"])
@login_required
def hours_week(placement_id: int) -> str | Response | tuple[str, int]:
    placement = placement_or_404(placement_id)
    start = _week_start(placement)
    today = clock.school_today(placement.school)
    form = HoursForm(day=today if hours.monday_of(today) == start else start)
    warnings: list[str] = []
    if request.method == "POST":
        require(rules.is_student, placement, status=403)
        form = HoursForm()
        if form.validate():
            try:
                entry, warnings = hours.log(
                    placement,
                    current_user,
                    form.day.data,  # type: ignore[arg-type]
                    form.starts.data,  # type: ignore[arg-type]
                    form.ends.data,  # type: ignore[arg-type]
                    form.activity.data or "",
                )
            except PlacementError as refusal:
                db.session.rollback()
                form.form_errors.append(str(refusal))
            else:
                db.session.commit()
                flash(
                    f"Logged {hours.hours_text(entry.minutes)} hours on {entry.day:%A %d %B}.",
                    "success",
                )
                for warning in warnings:
                    flash(warning, "warning")
                return redirect(
                    url_for(
                        "placements.hours_week",
                        placement_id=placement.id,
                        week=hours.monday_of(entry.day).isoformat(),
                    ),
                    303,
                )
    this_week = hours.week(placement, start)
    status = 422 if request.method == "POST" else 200
    return render_template(
        "placements/hours.html",
        placement=placement,
        week=this_week,
        form=form,
        hours_text=hours.hours_text,
        is_student=rules.is_student(placement, current_user),
        is_staff=rules.is_staff(placement, current_user),
        totals=hours.totals(placement),
        previous=this_week.start.fromordinal(this_week.start.toordinal() - 7),
        following=this_week.start.fromordinal(this_week.start.toordinal() + 7),
        action_form=EmptyForm(),
    ), status


def _back_to_week(placement: Placement, day: date) -> Response:
    return redirect(
        url_for(
            "placements.hours_week",
            placement_id=placement.id,
            week=hours.monday_of(day).isoformat(),
        ),
        303,
    )


@bp.post("/placements/<int:placement_id>/hours/<int:entry_id>/delete")
@login_required
def delete_hours(placement_id: int, entry_id: int) -> Response:
    placement = placement_or_404(placement_id)
    require(rules.is_student, placement, status=403)
    entry = db.session.get(HourEntry, entry_id)
    if entry is None or entry.placement_id != placement.id:
        abort(404)
    day = entry.day
    commit_or_refuse(lambda: hours.remove(entry, current_user), PlacementError, "Removed.")
    return _back_to_week(placement, day)


@bp.post("/placements/<int:placement_id>/weeks/<week>/ask")
@login_required
def ask_verification(placement_id: int, week: str) -> Response:
    placement = placement_or_404(placement_id)
    require(rules.can_ask_verification, placement, status=403)
    start = _parse_week(week)
    commit_or_refuse(
        lambda: hours.ask_verification(placement, start, current_user),
        PlacementError,
        "Sent to the supervisor to verify.",
    )
    return _back_to_week(placement, start)


@bp.post("/placements/<int:placement_id>/weeks/<week>/lock")
@staff_required
def lock_week(placement_id: int, week: str) -> Response:
    placement = staff_placement_or_403(placement_id)
    start = _parse_week(week)
    commit_or_refuse(lambda: hours.lock(placement, current_user, start), PlacementError, "Locked.")
    return _back_to_week(placement, start)


def _parse_week(raw: str) -> date:
    try:
        return hours.monday_of(date.fromisoformat(raw))
    except ValueError:
        abort(404)
