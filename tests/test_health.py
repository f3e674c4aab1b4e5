"""The probes: `/healthz` says the process answers, `/readyz` that what it needs answers too."""

from __future__ import annotations

import socket

from .s3 import s3_settings


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_alive_says_ok_without_a_cookie(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ok\n"
    assert "Set-Cookie" not in response.headers


def test_the_test_app_is_ready(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.json
    assert response.json == {
        "status": "ready",
        "checks": {"database": "ok", "storage": "ok"},
        "failed": [],
    }
    assert "Set-Cookie" not in response.headers


def test_not_ready_when_the_database_does_not_answer(app_factory):
    url = f"postgresql+psycopg://nobody@127.0.0.1:{closed_port()}/marketplace"
    client = app_factory(SQLALCHEMY_DATABASE_URI=url).test_client()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["failed"] == ["database"]
    assert response.json["checks"]["storage"] == "ok"
    assert client.get("/healthz").status_code == 200  # alive all the same: no restart mends it


def test_not_ready_when_s3_does_not_answer(app_factory):
    endpoint = f"http://127.0.0.1:{closed_port()}"
    client = app_factory(
        **(s3_settings(endpoint, "marketplace") | {"S3_TIMEOUT": 1.0})
    ).test_client()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["failed"] == ["storage"]
    assert response.json["checks"]["database"] == "ok"


def test_ready_on_s3_and_not_without_its_bucket(app_factory, s3_server, bucket):
    assert app_factory(**s3_settings(s3_server, bucket)).test_client().get("/readyz").json == {
        "status": "ready",
        "checks": {"database": "ok", "storage": "ok"},
        "failed": [],
    }
    missing = app_factory(**s3_settings(s3_server, "no-such-bucket")).test_client()
    assert missing.get("/readyz").json["failed"] == ["storage"]


def test_not_ready_when_the_upload_folder_cannot_be_written(app_factory, tmp_path):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    client = app_factory(UPLOAD_DIR=str(blocked / "uploads")).test_client()
    assert client.get("/readyz").json["failed"] == ["storage"]


def test_redis_is_asked_when_the_limits_are_kept_there(app_factory, redis_url):
    ready = app_factory(RATELIMIT_STORAGE_URI=redis_url).test_client().get("/readyz")
    assert ready.status_code == 200
    assert ready.json["checks"] == {"database": "ok", "storage": "ok", "rate_limits": "ok"}
    down = f"redis://127.0.0.1:{closed_port()}/0"
    response = app_factory(RATELIMIT_STORAGE_URI=down).test_client().get("/readyz")
    assert response.status_code == 503 and response.json["failed"] == ["rate_limits"]
