"""The session cookie slides, re-signed at most once a minute rather than on every response.

A log-in's session is permanent and ends after `PERMANENT_SESSION_LIFETIME` without a request
(SESSION_IDLE_HOURS). Flask keeps it alive by signing and sending the cookie again with every
response (SESSION_REFRESH_EACH_REQUEST): an HMAC, a JSON encoding and a Set-Cookie header per
page, about 0.25 ms. The cookie carries the time it was signed, so a cookie signed less than
`REFRESH_AFTER` ago is left as it is: the session still ends within that minute of its idle
limit. A session that changed is sent at once, as before.
"""

from __future__ import annotations

import time
from typing import Any

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature

REFRESH_AFTER = 60  # seconds


class SlidingSession(SecureCookieSession):
    signed_at: float | None = None  # when the cookie it came from was signed (epoch seconds)


class SlidingSessionInterface(SecureCookieSessionInterface):
    session_class = SlidingSession

    def open_session(self, app: Flask, request: Request) -> SlidingSession | None:
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        cookie = request.cookies.get(self.get_cookie_name(app))
        if not cookie:
            return self.session_class()
        lifetime = int(app.permanent_session_lifetime.total_seconds())
        try:
            data, signed = serializer.loads(cookie, max_age=lifetime, return_timestamp=True)
        except BadSignature:  # forged, or older than its lifetime
            return self.session_class()
        session = self.session_class(data)
        session.signed_at = signed.timestamp()
        return session

    def should_set_cookie(self, app: Flask, session: Any) -> bool:
        if session.modified:
            return True
        if not (session.permanent and app.config["SESSION_REFRESH_EACH_REQUEST"]):
            return False
        signed_at = getattr(session, "signed_at", None)
        return signed_at is None or time.time() - signed_at >= REFRESH_AFTER


def register(app: Flask) -> None:
    app.session_interface = SlidingSessionInterface()
