"""The app as a user deploys it: real gunicorn processes started with deploy/gunicorn.conf.py and
the production configuration (APP_ENV=production) on the suite's database, SeaweedFS and Redis.

Each server is a process of its own, as on two machines: what they must share (the rate limits)
can only be shared through Redis.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

from config import ROOT
from marketplace.extensions import db

from .factories import PASSWORD
from .helpers import eventually
from .s3 import s3_settings

pytestmark = pytest.mark.commits  # the servers read what the test committed
GUNICORN = Path(sys.executable).parent / "gunicorn"


def listening_socket() -> socket.socket:
    """A socket already bound to a free loopback port and listening, for gunicorn to inherit
    (`fd://N`): the port is held from the moment it is chosen, so no other process can take it
    between the choice and gunicorn's start (and be asked /healthz in its place)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log: Path

    def lines(self) -> list[dict]:
        """What it logged: one JSON object per line, every line."""
        return [json.loads(line) for line in self.log.read_text().splitlines() if line.strip()]


class Browser:
    """A client with cookies (shared by every server on 127.0.0.1, as behind one address)."""

    def __init__(self) -> None:
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(CookieJar()), NoRedirects()
        )

    def open(self, url: str, form: dict | None = None) -> tuple[int, dict, str]:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        try:
            with self.opener.open(url, data=data, timeout=30) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as error:
            with error:
                return error.code, dict(error.headers), error.read().decode()

    def csrf_token(self, url: str) -> str:
        status, _, page = self.open(url)
        assert status == 200, page[:500]
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        assert match, "no CSRF token on the page"
        return match.group(1)


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is returned as it is (an HTTPError with its status)


@pytest.fixture
def start_servers(app, tmp_path) -> Iterator[Callable[..., list[Server]]]:
    """`start_servers(n, **env)`: n gunicorn servers with the production configuration, each on
    a free port it inherits already listening, answering /healthz; all stopped (TERM, as systemd
    does) after the test."""
    started: list[Server] = []
    secret_key = secrets.token_hex(32)  # one key, as every server of a deployment shares

    def start(count: int = 1, **settings: str) -> list[Server]:
        servers = []
        for _ in range(count):
            sock = listening_socket()
            port = sock.getsockname()[1]
            env = {
                "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                "HOME": str(tmp_path),
                "APP_ENV": "production",
                "SECRET_KEY": secret_key,
                "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
                "BASE_URL": f"http://127.0.0.1:{port}",
                "INSTANCE_PATH": str(tmp_path / "instance"),
                "UPLOAD_DIR": str(tmp_path / "uploads"),
                "MAIL_BACKEND": "outbox",
                "MAIL_OUTBOX_DIR": str(tmp_path / "outbox"),
                "SESSION_COOKIE_SECURE": "0",  # plain HTTP on loopback; nginx serves HTTPS
                "ARGON2_TIME_COST": "1",
                "ARGON2_MEMORY_COST": "1024",
                "GUNICORN_BIND": f"fd://{sock.fileno()}",
                "WEB_CONCURRENCY": "1",
                **settings,
            }
            log = tmp_path / f"gunicorn-{port}.log"
            with log.open("wb") as out, sock:
                process = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
                    [str(GUNICORN), "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), "wsgi:app"],
                    cwd=ROOT,
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    pass_fds=(sock.fileno(),),
                )
            server = Server(f"http://127.0.0.1:{port}", process, log)
            started.append(server)
            servers.append(server)
        for server in servers:
            eventually(lambda s=server: answers(s), 60, f"gunicorn on {server.url}")
        return servers

    yield start
    for server in started:
        server.process.send_signal(signal.SIGTERM)
    for server in started:
        try:
            server.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()


def answers(server: Server) -> bool:
    if server.process.poll() is not None:
        raise AssertionError(f"gunicorn exited: {server.log.read_text()[-3000:]}")
    try:
        with urllib.request.urlopen(f"{server.url}/healthz", timeout=2) as response:  # noqa: S310
            return response.status == 200
    except OSError:
        return False


def test_the_production_configuration_serves_under_gunicorn(
    start_servers, make, s3_server, bucket, redis_url
):
    """Ready (database, bucket, Redis), a student logs in and sees their page, and the log is
    one JSON line per request with the id the response carries."""
    student = make.student(first_name="Imani")
    db.session.commit()
    s3 = {key: str(value) for key, value in s3_settings(s3_server, bucket).items()}
    (server,) = start_servers(1, RATELIMIT_STORAGE_URI=redis_url, **s3)
    browser = Browser()

    status, _, body = browser.open(f"{server.url}/readyz")
    assert status == 200, body
    assert json.loads(body)["checks"] == {"database": "ok", "storage": "ok", "rate_limits": "ok"}

    token = browser.csrf_token(f"{server.url}/auth/login")
    form = {"csrf_token": token, "login": student.username, "password": PASSWORD}
    status, headers, _ = browser.open(f"{server.url}/auth/login", form)
    assert status in (302, 303), "the log-in worked"
    status, headers, page = browser.open(f"{server.url}/dashboard")
    assert status == 200 and "Imani" in page

    requests = [line for line in server.lines() if line.get("logger") == "marketplace.request"]
    last = requests[-1]
    assert (last["path"], last["status"], last["user_id"]) == ("/dashboard", 200, student.id)
    assert last["request_id"] == headers["X-Request-ID"]
    assert "Imani" not in server.log.read_text()


@pytest.mark.parametrize(
    ("store", "limited"),
    [("redis", True), ("memory", False)],
    ids=["redis: counted as one", "memory: each server counts its own"],
)
def test_failed_log_ins_spread_over_two_servers_are_limited_as_one(
    start_servers, request, store: str, limited: bool
):
    """Four failures allowed per account: two on each server reach the limit with Redis, so
    the fifth is refused on either; with each process's own memory, neither has seen four."""
    uri = request.getfixturevalue("redis_url") if store == "redis" else "memory://"
    first, second = start_servers(
        2, RATELIMIT_STORAGE_URI=uri, LOGIN_LIMIT_PER_ACCOUNT="4 per hour"
    )
    browser = Browser()

    def fail_on(server: Server) -> int:
        token = browser.csrf_token(f"{server.url}/auth/login")
        form = {"csrf_token": token, "login": "someone.else", "password": "wrong-password-1"}
        return browser.open(f"{server.url}/auth/login", form)[0]

    assert [fail_on(server) for server in (first, second, first, second)] == [200] * 4
    assert fail_on(first) == (429 if limited else 200)
