"""Each request's id (kept from a proxy when safe, else made), on error pages and in the JSON
log lines production writes: one per request, with ids only, and on every record of it."""

from __future__ import annotations

import json
import logging
import re

import pytest

from marketplace.extensions import db
from marketplace.request_log import valid_id

from .conftest import login_as

FRESH_ID = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def json_app(app_factory, capsys):
    """An app logging as production does (to the stderr `capsys` reads), its JSON handler
    removed from the root logger after."""
    root, app_logger = logging.getLogger(), logging.getLogger("marketplace")
    level, app_handlers = root.level, list(app_logger.handlers)
    yield app_factory(LOG_FORMAT="json", PROPAGATE_EXCEPTIONS=False)
    for handler in list(root.handlers):
        if handler.get_name() == "marketplace-json":
            root.removeHandler(handler)
    root.setLevel(level)
    app_logger.handlers[:] = app_handlers  # the logger is the run's app's too


def json_lines(captured: str) -> list[dict]:
    """Every line written, each of which must be one JSON object."""
    return [json.loads(line) for line in captured.splitlines() if line.strip()]


def test_a_request_is_one_json_line_with_its_id_and_no_names(json_app, make, capsys):
    """The line says what was asked, how it went, how long it took, whose it was (by id)."""
    with json_app.app_context():
        teacher = make.teacher(first_name="Grace", last_name="Hopper")
        db.session.commit()
        client = login_as(json_app.test_client(), teacher)
    capsys.readouterr()
    response = client.get("/dashboard?q=secret")
    lines = json_lines(capsys.readouterr().err)
    requests = [line for line in lines if line["logger"] == "marketplace.request"]
    assert len(requests) == 1
    line = requests[0]
    assert line["request_id"] == response.headers["X-Request-ID"]
    assert FRESH_ID.fullmatch(line["request_id"])
    assert (line["method"], line["path"], line["status"]) == ("GET", "/dashboard", 200)
    assert line["user_id"] == teacher.id and line["duration_ms"] >= 0
    written = json.dumps(lines)
    assert "Grace" not in written and "Hopper" not in written and teacher.email not in written
    assert "secret" not in written  # the query string stays out


def test_a_signed_links_token_stays_out_of_the_log(json_app, capsys):
    client = json_app.test_client()
    capsys.readouterr()
    client.get("/auth/reset/not-a-real-token-abc")
    (line,) = [x for x in json_lines(capsys.readouterr().err) if x["logger"].endswith("request")]
    assert line["path"] == "/auth/reset/…" and line["user_id"] is None


def test_an_error_is_logged_with_the_requests_id_and_shown_with_it(json_app, capsys):
    """The traceback's record and the request's line carry the id the page shows."""

    @json_app.get("/boom")
    def boom():
        raise RuntimeError("unexpected")

    capsys.readouterr()
    response = json_app.test_client().get("/boom", headers={"X-Request-ID": "lb-7f3a.9_x"})
    assert response.status_code == 500
    assert response.headers["X-Request-ID"] == "lb-7f3a.9_x"
    assert "lb-7f3a.9_x" in response.get_data(as_text=True)
    lines = json_lines(capsys.readouterr().err)
    (error,) = [line for line in lines if line["level"] == "error"]
    assert error["request_id"] == "lb-7f3a.9_x" and "RuntimeError" in error["exception"]
    (request_line,) = [line for line in lines if line["logger"] == "marketplace.request"]
    assert request_line["status"] == 500 and request_line["request_id"] == "lb-7f3a.9_x"


def test_development_keeps_readable_logs(client, capsys):
    """No JSON request lines without LOG_FORMAT=json (the dev server prints its own)."""
    client.get("/auth/login")
    assert "marketplace.request" not in capsys.readouterr().err


def test_the_error_page_shows_the_requests_id(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    rid = response.headers["X-Request-ID"]
    assert FRESH_ID.fullmatch(rid)
    assert f"<code>{rid}</code>" in response.get_data(as_text=True)


def test_a_proxys_request_id_is_kept(client):
    response = client.get(
        "/auth/login", headers={"X-Request-ID": "0b7c2d5e9f1a4b3c8d6e0f2a1b3c4d5e"}
    )
    assert response.headers["X-Request-ID"] == "0b7c2d5e9f1a4b3c8d6e0f2a1b3c4d5e"


@pytest.mark.parametrize(
    "given",
    ["<script>alert(1)</script>", "x" * 65, "../../etc/passwd", "a b", '"quoted"', "-leading", ""],
)
def test_a_malicious_request_id_is_replaced(client, given):
    """Anything but a short token of safe characters is replaced by a fresh id."""
    response = client.get("/auth/login", headers={"X-Request-ID": given})
    assert FRESH_ID.fullmatch(response.headers["X-Request-ID"])
    assert valid_id(given) is None
