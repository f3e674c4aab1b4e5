"""Throttling log-ins so that it cannot be turned against the people it protects: only failed
attempts count, per address, per account and per account and address; a browser that logged in
to the account before (with its present password) carries a signed note of it and is held to
its own, smaller allowance instead, so a guesser never locks the owner out of their own device."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from flask import current_app, g, request
from flask_limiter.util import get_remote_address
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response

from ..extensions import limiter
from ..models import User
from . import services

DEVICE_COOKIE = "known_device"
DEVICE_DAYS = 180


def login_failed(response: Response) -> bool:
    return bool(g.get("login_failed"))


def _login_name() -> str:
    return (request.form.get("login") or "").strip().lower()


def account_key() -> str:
    return "login:" + _login_name()


def pair_key() -> str:
    return f"login:{_login_name()}:{get_remote_address()}"


def _device_signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="known-device")


def _fingerprint(user: User) -> str:
    """Ties a known-device note to the password it was earned with: a reset forgets it."""
    return hashlib.sha256((user.password_hash or "").encode()).hexdigest()[:16]


def _known_devices() -> dict[str, str]:
    token = request.cookies.get(DEVICE_COOKIE)
    if not token:
        return {}
    try:
        known = _device_signer().loads(token, max_age=DEVICE_DAYS * 86400)
    except BadSignature:
        return {}
    return known if isinstance(known, dict) else {}


def known_device() -> bool:
    """Whether this browser logged in before to the account the form names, with its present
    password (asked by each log-in limit: worked out once per request)."""
    if "known_device" not in g:
        user = services.find_login(_login_name()) if _login_name() else None
        g.known_device = user is not None and (
            _known_devices().get(str(user.id)) == _fingerprint(user)
        )
    return bool(g.known_device)


def unknown_device() -> bool:
    return not known_device()


def known_device_key() -> str:
    return f"login-known:{_login_name()}"


def remember_device(response: Response, user: User) -> Response:
    """Add `user` to this browser's known-device note (a shared computer may know several)."""
    known = {**dict(list(_known_devices().items())[:9]), str(user.id): _fingerprint(user)}
    response.set_cookie(
        DEVICE_COOKIE,
        _device_signer().dumps(known),
        max_age=DEVICE_DAYS * 86400,
        httponly=True,
        secure=request.is_secure,
        samesite="Lax",
    )
    return response


def failed_login_limit(
    setting: str, key_func: Callable[[], str] | None, exempt_when: Callable[[], bool]
) -> Callable:
    """A limit on failed log-ins (a success never counts) read from the config `setting`."""
    return limiter.limit(
        lambda: current_app.config[setting],
        key_func=key_func,
        methods=["POST"],
        deduct_when=login_failed,
        exempt_when=exempt_when,
    )
