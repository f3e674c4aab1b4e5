"""Each request's id and, in production, its one JSON log line.

Every request has an id: the proxy's `X-Request-ID` when it is a short token of safe characters,
else a fresh one. It is sent back in the `X-Request-ID` header, shown on error pages (a person
reporting a problem can quote it) and, with `LOG_FORMAT=json`, put on every log record written
while the request is handled — the app's, and gunicorn's own error lines of that worker thread.
Only ids are logged: never a name, an address or a link's token.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import secrets
import sys
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, current_app, g, has_request_context, request
from flask.logging import default_handler

HEADER = "X-Request-ID"
_ENVIRON_KEY = "marketplace.request_id"
_STARTED_KEY = "marketplace.request_started"
_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
# A view argument with one of these names is a secret (a signed link): logged as "…".
_SECRET_ARGS = frozenset({"token"})

# The id of the request this thread handles (or handled last): gunicorn logs an error in the
# response's body after Flask's context is gone, and the record still carries it.
_current_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)

request_logger = logging.getLogger("marketplace.request")


def valid_id(value: str | None) -> str | None:
    """`value` if a proxy could have made it (1–64 letters, digits, `.`, `_`, `-`), else None."""
    return value if value and _SAFE_ID.fullmatch(value) else None


def request_id() -> str | None:
    """The id of the request being handled (None outside one)."""
    if has_request_context():
        return request.environ.get(_ENVIRON_KEY)
    return _current_id.get()


class RequestIds:
    """WSGI middleware: the id of each request, before anything else sees it."""

    def __init__(self, wsgi_app: Callable[..., Iterable[bytes]]) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        given = valid_id(environ.get("HTTP_X_REQUEST_ID"))
        environ[_ENVIRON_KEY] = given or secrets.token_hex(16)
        environ[_STARTED_KEY] = time.perf_counter()
        _current_id.set(environ[_ENVIRON_KEY])
        return self.wsgi_app(environ, start_response)


class RequestIdFilter(logging.Filter):
    """Puts the request's id on each record (`record.request_id`, None outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, the record's `http`
    fields (the request line) and a traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        line.update(getattr(record, "http", {}))
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


def _logged_path() -> str:
    """The request's path with any secret of a signed link left out."""
    path = request.path
    for name, value in (request.view_args or {}).items():
        if name in _SECRET_ARGS and isinstance(value, str) and value:
            path = path.replace(value, "…")
    return path


def _user_id() -> int | None:
    """The id of the user this request loaded, if any (never loads one just to log it)."""
    user = g.get("_login_user")  # where Flask-Login keeps the user it loaded for the request
    return user.id if user is not None and user.is_authenticated else None


def _finish(response: Response) -> Response:
    """Send the id back; with JSON logs, write the request's line."""
    rid = request.environ.get(_ENVIRON_KEY)
    if rid:
        response.headers[HEADER] = rid
    if current_app.config["LOG_FORMAT"] == "json" and request_logger.isEnabledFor(logging.INFO):
        started = request.environ.get(_STARTED_KEY, time.perf_counter())
        request_logger.info(
            "%s %s %s",
            request.method,
            _logged_path(),
            response.status_code,
            extra={
                "http": {
                    "method": request.method,
                    "path": _logged_path(),
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "user_id": _user_id(),
                }
            },
        )
    return response


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever `sys.stderr` is when a record comes (as logging's last resort does)."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


def _json_handler() -> logging.Handler:
    handler = _StderrHandler()
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    handler.set_name("marketplace-json")
    return handler


def configure_json_logs(app: Flask) -> None:
    """Every record as one JSON line on stderr (journald or the container keeps them): the
    root logger's handler, the app's logger sending to it, and gunicorn's error log (in a
    gunicorn worker) given the same format and the request's id."""
    root = logging.getLogger()
    if not any(handler.get_name() == "marketplace-json" for handler in root.handlers):
        root.addHandler(_json_handler())
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)
    app.logger.removeHandler(default_handler)
    for handler in logging.getLogger("gunicorn.error").handlers:
        handler.setFormatter(JsonFormatter())
        handler.addFilter(RequestIdFilter())


def register(app: Flask) -> None:
    """Give every request an id, sent back and shown on error pages; JSON logs if asked."""
    app.wsgi_app = RequestIds(app.wsgi_app)  # type: ignore[method-assign]
    log_format = app.config["LOG_FORMAT"]
    if log_format not in ("text", "json"):
        raise RuntimeError(f"LOG_FORMAT must be 'text' or 'json', not {log_format!r}")
    if log_format == "json":
        configure_json_logs(app)
    app.after_request(_finish)
    app.jinja_env.globals["request_id"] = request_id
