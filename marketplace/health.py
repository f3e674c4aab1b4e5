"""What a load balancer and a supervisor ask: is the process alive (`/healthz`), and can it serve
(`/readyz`: the database, the file storage and, when limits are kept there, Redis answer).

Neither is rate-limited, sets a cookie or loads a user; a probe sends none.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Blueprint, Flask, Response, current_app, jsonify
from sqlalchemy import text

from .extensions import db, limiter
from .storage import storage

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)


def _database() -> None:
    try:
        db.session.execute(text("SELECT 1"))
    finally:
        db.session.rollback()


def _storage() -> None:
    storage().check()


def _rate_limits() -> None:
    if not limiter.storage.check():
        raise ConnectionError("the rate-limit store does not answer")


def _checks() -> dict[str, Callable[[], None]]:
    """The dependencies this process needs to serve a page."""
    checks = {"database": _database, "storage": _storage}
    if not str(current_app.config["RATELIMIT_STORAGE_URI"]).startswith("memory://"):
        checks["rate_limits"] = _rate_limits
    return checks


@bp.get("/healthz")
@limiter.exempt
def alive() -> Response:
    """The process answers (nothing else is asked: a restart would not mend a database)."""
    return Response("ok\n", mimetype="text/plain")


@bp.get("/readyz")
@limiter.exempt
def ready() -> tuple[Response, int]:
    """Each dependency's answer; 503 naming those that failed (the load balancer skips us)."""
    results: dict[str, str] = {}
    for name, check in _checks().items():
        try:
            check()
        except Exception as error:  # any failure means not ready; its detail goes to the log
            log.warning("readiness check %s failed: %r", name, error)
            results[name] = f"failed: {type(error).__name__}"
        else:
            results[name] = "ok"
    failed = sorted(name for name, result in results.items() if result != "ok")
    body = {"status": "not ready" if failed else "ready", "checks": results, "failed": failed}
    return jsonify(body), 503 if failed else 200


def register(app: Flask) -> None:
    """Add the probes."""
    app.register_blueprint(bp)
