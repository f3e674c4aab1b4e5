"""Pages of the bell: the unread badge, the list, opening one, and the e-mail preferences
(logged in, or through the signed link in every mail, with one-click unsubscribe)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from ..extensions import csrf, db, login_manager
from ..forms_common import EmptyForm, bounded_int
from ..models import MailFrequency, User
from ..web import is_htmx, safe_next
from . import inbox
from .forms import PreferencesForm
from .service import user_for_preferences_token

bp = Blueprint("notifications", __name__, url_prefix="/notifications")

# htmx stops polling when answered with 286 (a logged-out page must not swap a log-in form in).
STOP_POLLING = 286


@bp.app_template_filter("mask_email")
def mask_email(address: str | None) -> str:
    """An address shown as a•••@school.example: the preferences link works without logging in
    and may be forwarded, so it never shows a whole address."""
    local, _, domain = (address or "").partition("@")
    return f"{local[:1]}•••@{domain}" if domain else "•••"


@bp.get("/bell")
def bell() -> Response | str | tuple[str, int]:
    """The badge alone, polled by htmx every 30 s; a plain visit opens the list."""
    if not current_user.is_authenticated:
        if is_htmx():
            return "", STOP_POLLING
        return login_manager.unauthorized()  # the usual redirect to log in
    if not is_htmx():
        return redirect(url_for("notifications.index"))
    return render_template("notifications/_bell.html")


@bp.get("")
@login_required
def index() -> str:
    """The user's notifications, newest first, 30 a page; the unread ones marked."""
    return render_template(
        "notifications/index.html",
        page=inbox.page_of(current_user, request.args.get("page", 1, type=bounded_int)),
        form=EmptyForm(),
    )


@bp.get("/<int:notification_id>")
@login_required
def open_one(notification_id: int) -> Response:
    """Mark a notification read and go to what it is about (a page of this site only)."""
    note = inbox.own_or_404(current_user, notification_id)
    inbox.mark_read(note)
    db.session.commit()
    return redirect(safe_next(note.link) or url_for("notifications.index"), 303)


@bp.post("/read")
@login_required
def mark_all_read() -> Response:
    """Mark every notification of the user read."""
    count = inbox.mark_all_read(current_user)
    db.session.commit()
    flash("All notifications are marked as read." if count else "Nothing was unread.", "success")
    return redirect(url_for("notifications.index"), 303)


# --- e-mail preferences ----------------------------------------------------------------------


def _preferences(user: User, action: str, token: str | None) -> Response | tuple[str, int]:
    """Show and save the preferences form of `user` (the same page logged in or by token)."""
    form = PreferencesForm(data={"mail_frequency": user.mail_frequency.value})
    if form.validate_on_submit():
        inbox.set_mail_frequency(user, form.frequency)
        db.session.commit()
        flash(f"Saved: {form.frequency.label}.", "success")
        return redirect(action, 303)
    status = 422 if form.is_submitted() else 200
    page = render_template(
        "notifications/preferences.html", form=form, person=user, action=action, token=token
    )
    return page, status


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings() -> Response | tuple[str, int]:
    """The logged-in user's e-mail preferences."""
    return _preferences(current_user, url_for("notifications.settings"), None)


def _user_of(token: str) -> User:
    user = user_for_preferences_token(token)
    if user is None:
        abort(404)
    return user


@bp.route("/preferences/<token>", methods=["GET", "POST"])
def preferences(token: str) -> Response | tuple[str, int]:
    """The e-mail preferences of the person a mail's signed link names (no log-in needed)."""
    user = _user_of(token)
    return _preferences(user, url_for("notifications.preferences", token=token), token)


@bp.get("/preferences/<token>/unsubscribe")
def confirm_unsubscribe(token: str) -> str:
    """The unsubscribe link opened in a browser: a button to confirm (a GET changes nothing)."""
    user = _user_of(token)
    return render_template("notifications/unsubscribe.html", person=user, token=token, done=False)


@bp.post("/preferences/<token>/unsubscribe")
@csrf.exempt  # RFC 8058: mail clients post it without a token; it can only lower mail
def unsubscribe(token: str) -> str:
    """One-click unsubscribe (RFC 8058): no more notification e-mail for this person."""
    user = _user_of(token)
    inbox.set_mail_frequency(user, MailFrequency.OFF)
    db.session.commit()
    return render_template("notifications/unsubscribe.html", person=user, token=token, done=True)
