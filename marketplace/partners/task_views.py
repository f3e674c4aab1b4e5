"""Follow-ups (set one for a partner, tick it done, everyone's list) and the partner list as a
CSV file."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from .. import clock
from ..csv_stream import csv_response
from ..extensions import db
from ..forms_common import EmptyForm, required
from ..models import FollowUpTask
from ..permissions import load_or_404, staff_required
from ..web import day
from . import exports, rules, tasks
from .forms import TaskForm
from .views import back_to_record, bp, list_filters, record_or_404, record_page


@bp.post("/<int:partner_id>/tasks")
@staff_required
def add_task(partner_id: int) -> Response | tuple[str, int]:
    """Set a follow-up for this partner."""
    record = record_or_404(partner_id)
    form = TaskForm()
    form.assignee.choices = rules.staff_choices(record.school_id)
    if not form.validate_on_submit():
        return record_page(record, 422, task_form=form, open_section="task")
    try:
        task = tasks.add_task(
            record.school,
            current_user,
            required(form.title.data),
            required(form.due_on.data),
            required(form.assignee.data),
            record,
        )
    except tasks.TaskError as problem:
        db.session.rollback()
        form.assignee.errors = [str(problem)]
        return record_page(record, 422, task_form=form, open_section="task")
    db.session.commit()
    assert task is not None
    flash(f"Follow-up set for {day(task.due_on)}.", "success")
    return back_to_record(record, "#tasks")


@bp.post("/tasks/<int:task_id>/<any(done, reopen):action>")
@staff_required
def finish_task(task_id: int, action: str) -> Response:
    """Tick a follow-up done (or undo it)."""
    task = load_or_404(FollowUpTask, task_id, rules.can_work_on_task)
    if action == "done":
        if not tasks.complete(task, current_user):
            flash("Someone ticked it already.", "info")
    else:
        tasks.reopen(task, current_user)
    db.session.commit()
    back = request.form.get("back")
    if back == "dashboard":
        return redirect(url_for("dashboard.home") + "#follow-ups", 303)
    if back == "tasks" or task.partnership is None:
        return redirect(url_for("partners.all_tasks"), 303)
    return back_to_record(task.partnership, "#tasks")


@bp.get("/tasks")
@staff_required
def all_tasks() -> str:
    """The school's open follow-ups (mine, or everyone's), overdue first."""
    everyone = request.args.get("who") == "all"
    school = current_user.school
    return render_template(
        "partners/tasks.html",
        agenda=tasks.agenda(school, None if everyone else current_user, upcoming=200),
        everyone=everyone,
        today=clock.school_today(school),
        form=EmptyForm(),
    )


@bp.get("/export.csv")
@staff_required
def export() -> Response:
    """The partner list (with the page's filters) as a CSV file, for a spreadsheet."""
    school = current_user.school
    return csv_response(
        f"partners-{school.slug}-{clock.school_today(school).isoformat()}.csv",
        exports.HEADER,
        exports.rows(school.id, list_filters()),
    )
