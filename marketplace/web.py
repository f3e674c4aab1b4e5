"""Request plumbing: the user loader, security headers, CSP nonces and template helpers."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterator, MutableMapping
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from flask import (
    Flask,
    Response,
    current_app,
    flash,
    g,
    has_request_context,
    redirect,
    request,
    url_for,
)
from flask.templating import Environment
from flask_login import current_user
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response as BaseResponse

from . import clock
from .extensions import db, login_manager
from .models import Organisation, Role, School, User, utcnow
from .privacy import name_for, public_name

# Endpoints a user who must change their password may still reach.
_PASSWORD_CHANGE_ALLOWED = {"auth.change_password", "auth.logout", "static"}


# What nearly every page reads of its user, loaded with the user in one statement and one row:
# the school (its zone, its name), and for an employer the organisation with the ids and names of
# the schools that verified it (what it may browse, open and contact; `Organisation.verified_in`).
# Its partnerships themselves, with their partner records and schools, are read by the pages that
# show them. Read afresh on every request, so a school's decision shows on the next page.
EVERY_PAGE = (
    joinedload(User.school),
    joinedload(User.organisation).undefer(Organisation.verified_in),
)


class WithCounts(NamedTuple):
    """Who loads the user with what else its page will ask (the nav's counts read in the same
    statement): `load(id, options)` gives the user and those; `keep(user, those)` keeps them
    once the user is accepted. The nav registers one (it reads messaging, whose views import
    this module, so this module names it only through the app)."""

    load: Callable[[int, tuple[Any, ...]], tuple[User | None, Any]]
    keep: Callable[[User, Any], None]


WITH_COUNTS = "marketplace.user_with_counts"  # in app.extensions


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Load the user of a session, refusing sessions ended by logout or a password change."""
    try:
        id_, version = (int(part) for part in user_id.split(":"))
    except ValueError:
        return None
    with_counts: WithCounts | None = current_app.extensions.get(WITH_COUNTS)
    if with_counts is None:
        user, counts = db.session.get(User, id_, options=EVERY_PAGE), None
    else:
        user, counts = with_counts.load(id_, EVERY_PAGE)
    if user is None or user.session_version != version or not user.active:
        return None
    if with_counts is not None:
        with_counts.keep(user, counts)
    return user


def base_url() -> str:
    """Where links in mail and on pages to copy point: BASE_URL, never the request's Host header
    (which a client chooses, and would let it point reset links at its own site). Only in
    development with no BASE_URL set do they follow the address the request came to, so
    `make run PORT=5055` mails links that work."""
    config = current_app.config
    if config["BASE_URL_FROM_REQUEST"] and has_request_context():
        return request.host_url.rstrip("/")
    return str(config["BASE_URL"]).rstrip("/")


def absolute_url(endpoint: str, **values: Any) -> str:  # passed on to url_for, which takes Any
    """A link for mail and for pages to copy, built on `base_url()`."""
    base = base_url()
    if has_request_context():
        return base + url_for(endpoint, **values)
    with current_app.test_request_context(base_url=base):  # CLI and workers have no request
        return base + url_for(endpoint, **values)


class Templates(Environment):
    """Flask's Jinja environment, each template's globals held in one dict. Jinja chains a
    template's own globals over the environment's (a ChainMap), so that a global added after a
    template loaded still reaches it; but then every render copies the chain name by name, and
    every `{% from … import … %}` compares two chains key by key, in Python (30–50 µs an import,
    two or three a page). Every global here is registered while the app is built (`register`
    functions), before any template loads."""

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        return {**self.globals, **(d or {})}


class IdUrls:
    """The addresses of one endpoint for many ids (`urls(id)`), a page's cards: `url_for` builds
    the first, 3 µs each, and the others are that address with their id in its place."""

    SENTINEL = 2_147_483_647  # the largest id the int converter and the database hold

    def __init__(self, endpoint: str, key: str) -> None:
        values: dict[str, Any] = {key: self.SENTINEL}
        self.head, _, self.tail = url_for(endpoint, **values).partition(str(self.SENTINEL))

    def __call__(self, id_: int) -> str:
        return f"{self.head}{int(id_)}{self.tail}"


def commit_or_refuse(action: Callable[[], object], refusal: type[Exception], done: str) -> bool:
    """Run one service call: commit and flash `done`, or roll back and flash why it refused.

    A refusal may say how it is shown (`flash_category`, e.g. "info" for a repeat of something
    already done) and that what the service did before refusing is kept (`keeps_changes`, e.g.
    an offer expired by a late answer): then it is committed although the action was refused."""
    try:
        action()
    except refusal as error:
        if getattr(error, "keeps_changes", False):
            db.session.commit()
        else:
            db.session.rollback()
        flash(str(error), getattr(error, "flash_category", "error"))
        return False
    db.session.commit()
    flash(done, "success")
    return True


def is_htmx() -> bool:
    """True for a request made by htmx that expects a fragment (not a history restore, which
    needs the whole page)."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def safe_next(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(ch) < 32 or ch == "\\" for ch in target):
        return None
    return target


@contextmanager
def even_time() -> Iterator[None]:
    """Answer no sooner than EVEN_ANSWER_SECONDS after the request began work here, so a page
    that must not reveal whether an account exists takes as long either way."""
    floor = current_app.config["EVEN_ANSWER_SECONDS"]
    started = time.perf_counter()
    yield
    left = floor - (time.perf_counter() - started)
    if left > 0:
        time.sleep(left)


def csp_nonce() -> str:
    """The nonce of this response's Content-Security-Policy, for the rare inline script."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def _storage_origin() -> str:
    """In S3 mode the browser uploads to, and shows pictures and videos from, the bucket: allow
    that origin to be reached."""
    config = current_app.config
    if config["STORAGE_BACKEND"] != "s3":
        return ""
    if not config["S3_ENDPOINT_URL"]:  # Amazon S3 itself, addressed by path (storage.py)
        return f" https://s3.{config['S3_REGION']}.amazonaws.com"
    parts = urlsplit(config["S3_ENDPOINT_URL"])
    return f" {parts.scheme}://{parts.netloc}"


def _security_headers(response: Response) -> Response:
    nonce = csp_nonce()
    # A response that set its own, stricter policy keeps it (a file download: sandboxed).
    response.headers.setdefault(
        "Content-Security-Policy",
        (
            "default-src 'self'; "
            f"script-src 'self' 'nonce-{nonce}'; "
            "style-src 'self'; "
            f"img-src 'self' data:{_storage_origin()}; "
            f"media-src 'self'{_storage_origin()}; "
            "font-src 'self'; "
            f"connect-src 'self'{_storage_origin()}; "
            "object-src 'none'; "
            "base-uri 'self'; "
            "form-action 'self'; "
            "frame-ancestors 'none'"
        ),
    )
    response.vary.add("HX-Request")  # a page and its htmx fragment share a URL
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    # Pages of a logged-in user are never stored; a media link that marked itself private
    # (its content never changes under its key) may be kept by that browser, and what is the
    # same for everyone (a partner's logo) says so itself.
    cache = response.cache_control
    if current_user.is_authenticated and not (cache.private or cache.public):
        response.headers["Cache-Control"] = "no-store"
        response.vary.add("Cookie")
    return response


def _require_password_change() -> BaseResponse | None:
    """A student whose teacher reset their password chooses a new one before anything else."""
    if (
        current_user.is_authenticated
        and current_user.must_change_password
        and request.endpoint not in _PASSWORD_CHANGE_ALLOWED
    ):
        flash("Please choose a new password to continue.", "info")
        return redirect(url_for("auth.change_password"))
    return None


def local_time(moment: datetime | None) -> str:
    """A stored instant as its reader's clock shows it: "30 Nov 2026, 14:05"."""
    if moment is None:
        return ""
    seen = clock.local(moment, clock.zone_of(current_user))
    return f"{seen.day} {seen:%b %Y, %H:%M}"


def local_clock(moment: datetime | None) -> str:
    """The hour and minute of a stored instant on its reader's clock: "17:30"."""
    if moment is None:
        return ""
    return f"{clock.local(moment, clock.zone_of(current_user)):%H:%M}"


def clock_at(moment: datetime | None, school: School) -> str:
    """The hour and minute of a stored instant on a school's clock (for readers who have no
    zone of their own here: a guest, a judge): "17:30"."""
    if moment is None:
        return ""
    return f"{clock.local(moment, clock.zone(school.timezone)):%H:%M}"


def local_date(moment: datetime | None) -> str:
    """The day a stored instant fell on where its reader is: "30 Nov 2026"."""
    if moment is None:
        return ""
    seen = clock.local(moment, clock.zone_of(current_user))
    return f"{seen.day} {seen:%b %Y}"


def day(value: date | None) -> str:
    """A calendar day (a deadline, a start date): "1 Dec 2026"."""
    return f"{value.day} {value:%b %Y}" if value is not None else ""


def deadline(value: date | None, school: School) -> str:
    """A deadline with the place whose midnight ends it: "1 Dec 2026, end of day Los Angeles
    time" (an employer or a guardian may read it from another zone)."""
    if value is None:
        return ""
    return f"{day(value)}, end of day {clock.place_name(clock.zone(school.timezone))}"


def short_day(value: date | datetime | None) -> str:
    """A day in this year's lists: "1 Dec" (an instant: its day where the reader is)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = clock.local(value, clock.zone_of(current_user))
    return f"{value.day} {value:%b}"


def time_in(zone_name: str) -> str:
    """The time it is now in a zone, named: "Monday 30 Nov, 09:05 Los Angeles time"."""
    where = clock.zone(zone_name or clock.default_zone().key)
    now = clock.local(utcnow(), where)
    return f"{now:%A} {now.day} {now:%b, %H:%M} {clock.place_name(where)}"


def register(app: Flask) -> None:
    """Install the request hooks and template globals."""
    app.after_request(_security_headers)
    app.before_request(_require_password_change)
    app.jinja_env.globals.update(
        csp_nonce=csp_nonce,
        name_for=name_for,
        public_name=public_name,
        Role=Role,
        today=lambda: clock.today_for(current_user),
        absolute_url=absolute_url,
        reader_zone=lambda: clock.place_name(clock.zone_of(current_user)),
        time_in=time_in,
        id_urls=IdUrls,
    )
    app.jinja_env.filters.update(
        local_time=local_time,
        local_clock=local_clock,
        clock_at=clock_at,
        local_date=local_date,
        day=day,
        short_day=short_day,
        deadline=deadline,
    )
