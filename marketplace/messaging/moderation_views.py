"""Moderation pages: the held queue with the reported messages and the report button's endpoint
(the school's muted employer members are in `mute_views`).

The queue's rows replace themselves with the outcome under htmx; without JS each action
redirects back to the queue (POST-redirect-GET), or re-renders it with the form's message.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from werkzeug.wrappers import Response

from ..extensions import db
from ..models import Message, MessageFlag
from ..permissions import load_or_404, require, school_admin_required, staff_required
from ..web import is_htmx, safe_next
from . import contacts, moderation, rules, service
from . import moderation_queries as queries
from .errors import ModerationError
from .moderation_forms import (
    CheckersForm,
    FlagForm,
    RejectForm,
    ReleaseForm,
    ResolveForm,
    held_forms,
    own_ids,
    report_forms,
)

bp = Blueprint("moderation", __name__)

Page = str | tuple[str, int] | Response


@bp.app_template_global()
def flag_form_for(message: Message) -> FlagForm:
    """A blank "report this message" form with ids of its own, for a thread page."""
    return own_ids(FlagForm(formdata=None), f"flag-{message.id}")


def highlighted(text: str) -> Markup:
    """The message as typed, escaped, with each contact detail found marked."""
    found = contacts.find_contact_details(text, allowed_hosts=service.allowed_hosts())
    out, at = [], 0
    for detail in found:
        start = text.find(detail.text, at)
        if start < 0:
            continue
        out += [
            escape(text[at:start]),
            Markup('<mark title="{}">{}</mark>').format(detail.kind, detail.text),
        ]
        at = start + len(detail.text)
    out.append(escape(text[at:]))
    return Markup("").join(out).replace("\n", Markup("<br>\n"))


def _queue_page(
    failed: FlaskForm | None = None, failed_id: int | None = None, checkers: FlaskForm | None = None
) -> Page:
    held = queries.held_queue(current_user)
    reports = queries.open_reports(current_user)
    school = current_user.school
    return render_template(
        "messaging/moderation/queue.html",
        held=held,
        reports=reports,
        checkers_form=checkers
        or CheckersForm(checkers="all" if school.held_checked_by_all_staff else "team"),
        held_forms={m.id: held_forms(m, failed if m.id == failed_id else None) for m in held},
        report_forms={
            m.id: report_forms(m, failed if m.id == failed_id else None) for m, _ in reports
        },
        highlighted=highlighted,
    ), (422 if failed is not None or checkers is not None else 200)


@bp.get("/messages/held")
@staff_required
def queue() -> Page:
    """Held messages of the school's threads, oldest first, and the reported messages."""
    return _queue_page()


@bp.post("/messages/held/checkers")
@school_admin_required
def checkers() -> Page:
    """The school admin chooses who checks a team's held messages."""
    form = CheckersForm()
    if not form.validate_on_submit():
        return _queue_page(checkers=form)
    all_staff = form.checkers.data == "all"
    moderation.choose_checkers(current_user.school, current_user, all_staff)
    db.session.commit()
    who = "Every teacher and admin" if all_staff else "Each team's own teachers and the admins"
    flash(f"{who} now check the school's held messages.", "success")
    return redirect(url_for("moderation.queue"), 303)


def _held_or_404(message_id: int) -> Message:
    """A message of a thread the user moderates (in any state: a late click is told who won)."""
    message = load_or_404(Message, message_id)
    require(rules.can_moderate, message.thread)
    return message


def _outcome(text: str, kind: str, anchor: str) -> Page:
    """The queue row's outcome: under htmx the row itself, with the queue's and the nav's counts
    swapped out of band; else a flash and back to the queue."""
    if is_htmx():
        counts = queries.waiting_counts(current_user)
        g.held_waiting = sum(counts)
        return render_template(
            "messaging/moderation/_outcome.html",
            anchor=anchor,
            text=text,
            kind=kind,
            oob_counts=counts,
        )
    flash(text, kind)
    return redirect(url_for("moderation.queue"), 303)


def _invalid_held(message: Message, form: FlaskForm) -> Page:
    """A held row's form came back with a problem: the row again (htmx) or the queue, 422."""
    if is_htmx():
        return render_template(
            "messaging/moderation/_held_item.html",
            message=message,
            forms=held_forms(message, form),
            highlighted=highlighted,
        )
    return _queue_page(form, message.id)


def _decide(message: Message, action: Callable[[], object], done: str) -> Page:
    """Run one decision on a held message: commit and show `done`, or say who was first."""
    try:
        action()
    except ModerationError as refusal:
        db.session.rollback()
        return _outcome(str(refusal), "info", f"held-{message.id}")
    db.session.commit()
    return _outcome(done, "success", f"held-{message.id}")


@bp.post("/messages/held/<int:message_id>/release")
@staff_required
def release(message_id: int) -> Page:
    """Let a held message through to the thread; the sender is told."""
    message = _held_or_404(message_id)
    form = ReleaseForm()
    if not form.validate():
        return _invalid_held(message, form)
    return _decide(
        message,
        lambda: moderation.release(message, current_user, form.note.data or ""),
        "Released: the thread can read it now, and the sender is told.",
    )


@bp.post("/messages/held/<int:message_id>/reject")
@staff_required
def reject(message_id: int) -> Page:
    """Keep a held message back, with the reason the sender sees."""
    message = _held_or_404(message_id)
    form = RejectForm()
    if not form.validate():
        return _invalid_held(message, form)
    return _decide(
        message,
        lambda: moderation.reject(message, current_user, form.reason.data or ""),
        "Rejected: nobody else will see it; the sender is shown your reason.",
    )


# --- reports -----------------------------------------------------------------------------------


def _readable_or_404(message_id: int) -> Message:
    """A message the user can read: a visible one of their thread, or their own."""
    return load_or_404(Message, message_id, rules.can_see)


@bp.post("/messages/<int:message_id>/flag")
@login_required
def flag(message_id: int) -> Page:
    """Report a message to the thread's teacher (once per person)."""
    message = _readable_or_404(message_id)
    form = own_ids(FlagForm(), f"flag-{message.id}")
    back = safe_next(request.form.get("next")) or moderation.thread_link(message.thread)
    if not form.validate():
        if is_htmx():
            return render_template(
                "messaging/moderation/_flag_form.html", message=message, flag_form=form
            )
        return render_template(
            "messaging/moderation/flag.html", message=message, flag_form=form, back=back
        ), 422
    try:
        moderation.flag(message, current_user, form.reason.data or "")
    except ModerationError as refusal:
        db.session.rollback()
        text, kind = str(refusal), "info"
    else:
        db.session.commit()
        text, kind = "Reported. Thank you: the teacher will look at it.", "success"
    if is_htmx():
        return render_template(
            "messaging/moderation/_outcome.html",
            anchor=f"flag-{message.id}",
            text=text,
            kind=kind,
        )
    flash(text, kind)
    return redirect(back, 303)


@bp.post("/messages/flags/<int:flag_id>/resolve")
@staff_required
def resolve(flag_id: int) -> Page:
    """Close a message's reports, optionally removing the message with a reason."""
    report = load_or_404(MessageFlag, flag_id)
    message = report.message
    require(rules.can_moderate, message.thread)
    form = ResolveForm()
    if not form.validate():
        if is_htmx():
            reports = [
                r for m, rs in queries.open_reports(current_user) if m.id == message.id for r in rs
            ]
            return render_template(
                "messaging/moderation/_report_item.html",
                message=message,
                flags=reports or [report],
                forms=report_forms(message, form),
            )
        return _queue_page(form, message.id)
    hide = bool(form.hide.data)
    try:
        moderation.resolve(report, current_user, hide, form.reason.data or "")
    except ModerationError as refusal:
        db.session.rollback()
        return _outcome(str(refusal), "info", f"report-{message.id}")
    db.session.commit()
    done = "Resolved; the message was removed and its sender told why." if hide else "Resolved."
    return _outcome(done, "success", f"report-{message.id}")
