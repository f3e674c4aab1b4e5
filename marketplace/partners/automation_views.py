"""The automated messages page: each rule switched on or off, its cap and settings, and a
preview of who would get what on the next run."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from ..extensions import db
from ..models import AutomationKind
from ..permissions import staff_required
from . import automation
from .outreach_forms import AutomationForm
from .views import bp

PREVIEW = 10  # recipients shown per rule


def _page(
    failed: tuple[AutomationKind, AutomationForm] | None = None, status: int = 200
) -> tuple[str, int]:
    rules = automation.rules_of(current_user.school)
    forms = {rule.kind: AutomationForm(obj=rule) for rule in rules}
    if failed is not None:
        forms[failed[0]] = failed[1]
    previews = {rule.kind: automation.due(rule, most=PREVIEW) for rule in rules}
    page = render_template(
        "partners/automation.html",
        rules=rules,
        forms=forms,
        previews=previews,
        descriptions=automation.DESCRIPTIONS,
    )
    return page, status


@bp.get("/automation")
@staff_required
def automation_page() -> tuple[str, int]:
    """The school's automated messages, each with a preview of its next run."""
    return _page()


@bp.post("/automation/<any(thanks, event, 'check-in'):kind>")
@staff_required
def set_automation(kind: str) -> Response | tuple[str, int]:
    """Switch an automated message on or off, or change its cap and settings."""
    rule = next(r for r in automation.rules_of(current_user.school) if r.kind.value == kind)
    form = AutomationForm()
    if not form.validate_on_submit():
        return _page((rule.kind, form), 422)
    automation.update(
        rule,
        current_user,
        enabled=bool(form.enabled.data),
        daily_cap=form.daily_cap.data,
        quiet_days=form.quiet_days.data or rule.quiet_days,
        cluster=form.cluster.data or "",
    )
    db.session.commit()
    flash(f"Saved: {'on' if rule.enabled else 'off'}.", "success")
    return redirect(url_for("partners.automation_page") + f"#{kind}", 303)
