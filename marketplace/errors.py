"""Friendly error pages: no traceback ever reaches a user, and a 500 rolls the session back."""

from __future__ import annotations

import contextlib

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from werkzeug.exceptions import HTTPException

from .extensions import db

_MESSAGES = {
    400: ("Bad request", "The request could not be understood. Please go back and try again."),
    403: ("Not allowed", "Your account does not have access to this page."),
    404: ("Not found", "This page does not exist, or you do not have access to it."),
    405: ("Not allowed", "This page cannot be used that way."),
    410: ("Link no longer valid", "This link has expired or has already been used."),
    413: ("Too large", "What you sent is larger than we accept."),
    429: ("Too many attempts", "Too many attempts in a short time. Please wait and try again."),
    500: ("Something went wrong", "We could not finish that. Nothing was saved; please try again."),
}


def _render(code: int, detail: str | None = None) -> tuple[str, int]:
    title, message = _MESSAGES.get(code, ("Error", "Something went wrong."))
    return render_template(
        "errors/error.html", code=code, title=title, message=detail or message
    ), code


def _http_error(error: HTTPException) -> tuple[str, int]:
    code = error.code or 500
    if code == 500:
        with contextlib.suppress(Exception):  # the page must render even if this fails too
            db.session.rollback()
    return _render(code)


def _csrf_error(error: CSRFError) -> tuple[str, int]:
    return _render(
        400, "This form has expired or was sent from elsewhere. Reload the page and try again."
    )


_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _without_nul(fields: MultiDict) -> ImmutableMultiDict | None:
    """`fields` with every NUL byte removed, or None when there was none."""
    if not any("\x00" in value for value in fields.values()):
        return None
    return ImmutableMultiDict(
        (key, value.replace("\x00", "")) for key, value in fields.items(multi=True)
    )


def _strip_nul_bytes() -> None:
    """A NUL byte is never typed by a person, shows as nothing, and no database column takes
    one: it is removed from every field before any view reads the request."""
    cleaned = _without_nul(request.args)
    if cleaned is not None:
        request.args = cleaned
    if request.mimetype in _FORM_TYPES:
        cleaned = _without_nul(request.form)
        if cleaned is not None:
            request.form = cleaned


def register(app: Flask) -> None:
    """Route every HTTP error and unexpected exception to a friendly page."""
    app.before_request(_strip_nul_bytes)
    app.register_error_handler(CSRFError, _csrf_error)
    # An unexpected exception reaches the HTTPException handler as an InternalServerError.
    app.register_error_handler(HTTPException, _http_error)
