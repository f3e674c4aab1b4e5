"""Browse, search and project pages under load, against a bare Flask ceiling, on a large data set.

    .venv/bin/python bench/bench_browse.py                 # SQLite and PostgreSQL, full size
    .venv/bin/python bench/bench_browse.py --projects 5000 --databases sqlite   # a quick look

Seeds 100,000 published projects, 2,000 organisations and 50,000 students (by default) into each
database, serves the app with gunicorn, and measures requests/s and p50/p95 latency of the browse
page, a search and a project page, next to a bare Flask page rendering the same 24 cards from
memory (bench/ceiling.py). It also counts the SQL statements of each page on the large data set
and on a small one: a count that grows with the data is an N+1.
"""

from __future__ import annotations

import argparse
import contextvars
import http.client
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import flask_migrate
import sqlalchemy as sa
from argon2 import PasswordHasher
from sqlalchemy import event

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from config import TestConfig  # noqa: E402
from marketplace import create_app  # noqa: E402
from marketplace.clusters import CAREER_CLUSTERS  # noqa: E402
from marketplace.extensions import db  # noqa: E402

PASSWORD = "bench-password-1"  # noqa: S105 - a throwaway account in a throwaway database
EMPLOYER = "bench@employer.example"
WORDS = (
    "clinic",
    "forklift",
    "budget",
    "robot",
    "solar",
    "garden",
    "route",
    "bakery",
    "brand",
    "sensor",
    "tablet",
    "safety",
    "water",
    "market",
    "school",
    "repair",
)
SKILLS = ("python", "figma", "cad", "arduino", "user research", "design", "spreadsheets", "sms")
BATCH = 5000


def _config(url: str, workdir: Path) -> TestConfig:
    config = TestConfig()
    config.TESTING = False
    config.SQLALCHEMY_DATABASE_URI = url
    config.INSTANCE_PATH = workdir
    config.UPLOAD_DIR = str(workdir / "uploads")
    config.MAIL_OUTBOX_DIR = str(workdir / "outbox")
    config.WTF_CSRF_ENABLED = False
    return config


def _fresh_schema(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


def _insert(table: str, rows: list[dict]) -> None:
    target = db.metadata.tables[table]
    for start in range(0, len(rows), BATCH):
        db.session.execute(sa.insert(target), rows[start : start + BATCH])


def seed(url: str, workdir: Path, projects: int, students: int, organisations: int) -> None:
    """Migrate an empty database and bulk-load the data set."""
    _fresh_schema(url)
    app = create_app(_config(url, workdir))
    now = datetime.now(UTC)
    hashed = PasswordHasher(time_cost=1, memory_cost=1024).hash(PASSWORD)
    with app.app_context():
        flask_migrate.upgrade()
        schools = 25
        classes = max(students // 50, 1)
        teams = max(students // 4, 1)
        _insert(
            "school",
            [
                {
                    "id": s,
                    "name": f"School {s}",
                    "slug": f"school-{s}",
                    "city": "Bench",
                    "created_at": now,
                }
                for s in range(1, schools + 1)
            ],
        )
        teachers = [
            {
                "id": t,
                "role": "teacher",
                "email": f"t{t}@school.example",
                "first_name": "Teach",
                "last_name": f"Er{t}",
                "password_hash": hashed,
                "school_id": (t % schools) + 1,
                "session_version": 1,
                "must_change_password": False,
                "active": True,
                "created_at": now,
            }
            for t in range(1, classes + 1)
        ]
        first_student = classes + 1
        people = [
            {
                "id": first_student + n,
                "role": "student",
                "username": f"s{n}",
                "first_name": f"Stu{n}",
                "last_name": f"Dent{n}",
                "date_of_birth": date(2009, 1, 1) + timedelta(days=n % 1500),
                "pseudonym": f"Teal Otter {n % 90 + 10}",
                "password_hash": hashed,
                "school_id": ((n // 50) % classes % schools) + 1,
                "session_version": 1,
                "must_change_password": False,
                "active": True,
                "created_at": now,
            }
            for n in range(students)
        ]
        _insert("user", teachers)
        _insert("user", people)
        _insert(
            "classroom",
            [
                {
                    "id": c,
                    "school_id": (c - 1) % schools + 1,
                    "teacher_id": c,
                    "name": f"Class {c}",
                    "join_code": f"C{c:07d}",
                    "created_at": now,
                }
                for c in range(1, classes + 1)
            ],
        )
        _insert(
            "enrollment",
            [
                {
                    "classroom_id": n // 50 % classes + 1,
                    "student_id": first_student + n,
                    "joined_at": now,
                }
                for n in range(students)
            ],
        )
        _insert(
            "team",
            [
                {
                    "id": t,
                    "classroom_id": (t * 4 // 50) % classes + 1,
                    "name": f"Team {t}",
                    "created_at": now,
                }
                for t in range(teams)
            ],
        )
        _insert(
            "team_membership",
            [
                {
                    "team_id": n // 4,
                    "student_id": first_student + n,
                    "classroom_id": (n // 4 * 4 // 50) % classes + 1,
                    "joined_at": now,
                }
                for n in range(teams * 4)
            ],
        )
        _insert(
            "challenge",
            [
                {
                    "id": c,
                    "school_id": (c - 1) % schools + 1,
                    "created_by_id": (c - 1) % classes + 1,
                    "title": f"{WORDS[c % len(WORDS)].title()} challenge {c}",
                    "statement": "A local problem.",
                    "career_cluster": CAREER_CLUSTERS[c % len(CAREER_CLUSTERS)],
                    "skills": [],
                    "deliverables": [],
                    "shared": False,
                    "status": "open",
                    "created_at": now,
                    "updated_at": now,
                }
                for c in range(1, schools * 8 + 1)
            ],
        )
        employer_org = organisations
        _insert(
            "organisation",
            [
                {
                    "id": o,
                    "name": f"Organisation {o}",
                    "status": "active",
                    "website": "",
                    "email_domain": f"org{o}.example",
                    "industry": "",
                    "career_cluster": CAREER_CLUSTERS[o % 14],
                    "city": "",
                    "size": "",
                    "created_at": now,
                }
                for o in range(1, organisations + 1)
            ],
        )
        _insert(
            "partnership",
            [
                {
                    "organisation_id": o,
                    "school_id": s,
                    "status": "verified",
                    "requested_at": now,
                    "note": "",
                }
                for o in range(1, organisations + 1)
                for s in ([*range(1, schools + 1)] if o == employer_org else [o % schools + 1])
            ],
        )
        _insert(
            "user",
            [
                {
                    "id": classes + students + 1,
                    "role": "employer",
                    "email": EMPLOYER,
                    "email_confirmed_at": now,
                    "first_name": "Bench",
                    "last_name": "Employer",
                    "password_hash": hashed,
                    "organisation_id": employer_org,
                    "session_version": 1,
                    "must_change_password": False,
                    "active": True,
                    "created_at": now,
                }
            ],
        )
        rows = []
        for p in range(1, projects + 1):
            team = p % teams
            school = ((team * 4 // 50) % classes) % schools + 1
            w1, w2 = WORDS[p % len(WORDS)], WORDS[(p * 7) % len(WORDS)]
            rows.append(
                {
                    "id": p,
                    "team_id": team,
                    "challenge_id": school + schools * (p % 8),
                    "school_id": school,
                    "title": f"{w1.title()} {w2} {p}",
                    "pitch": f"A {w1} helper for the {w2} people who need it.",
                    "summary": "What we built and why.",
                    "body": f"We built a {w1} tool. " * 20,
                    "skills": [SKILLS[p % len(SKILLS)], SKILLS[(p // 3) % len(SKILLS)]],
                    "demo_url": "",
                    "repo_url": "",
                    "video_url": "",
                    "status": "published",
                    "created_at": now,
                    "updated_at": now,
                    "published_at": now - timedelta(minutes=p),
                }
            )
            if len(rows) == BATCH:
                _insert("project", rows)
                rows = []
        _insert("project", rows)
        if db.engine.dialect.name == "postgresql":
            db.session.execute(sa.text("ANALYZE"))
        db.session.commit()
        db.engine.dispose()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(args: list[str], env: dict[str, str], cwd: Path) -> tuple[subprocess.Popen, int]:
    """Start gunicorn on a free loopback port and wait until it answers."""
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603 - our own virtualenv's gunicorn
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            *args,
        ],
        cwd=cwd,
        env={**os.environ, **env},
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return process, port
        time.sleep(0.1)
    raise RuntimeError("gunicorn did not start")


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=20)


def login(port: int) -> str:
    """Log the bench employer in through the real form; returns the session cookie."""
    connection = http.client.HTTPConnection("127.0.0.1", port)
    connection.request("GET", "/auth/login")
    response = connection.getresponse()
    page = response.read().decode()
    cookie = response.getheader("Set-Cookie").split(";")[0]
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    body = f"login={EMPLOYER}&password={PASSWORD}&csrf_token={token}"
    connection.request(
        "POST",
        "/auth/login",
        body=body,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
    )
    response = connection.getresponse()
    response.read()
    assert response.status == 302, response.status
    return response.getheader("Set-Cookie").split(";")[0]


def load(port: int, path: str, cookie: str, seconds: float, threads: int = 8) -> dict[str, float]:
    """Keep-alive GETs from several threads for `seconds`; requests/s and latency percentiles."""
    latencies: list[float] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def worker() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port)
        mine = []
        while time.monotonic() < stop_at:
            start = time.perf_counter()
            connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"{path}: {response.status}")
            mine.append(time.perf_counter() - start)
        with lock:
            latencies.extend(mine)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    latencies.sort()
    return {
        "rps": len(latencies) / seconds,
        "p50": statistics.median(latencies) * 1000,
        "p95": latencies[int(len(latencies) * 0.95) - 1] * 1000,
    }


def statement_counts(url: str, workdir: Path, paths: list[str]) -> list[int]:
    """SQL statements each page issues, in-process."""
    app = create_app(_config(url, workdir))
    counted = []
    with app.app_context():
        employer_id = db.session.scalar(
            sa.text('SELECT id FROM "user" WHERE email = :e'), {"e": EMPLOYER}
        )
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = f"{employer_id}:1"
        seen = []
        event.listen(db.engine, "before_cursor_execute", lambda *a: seen.append(1))
        for path in paths:
            seen.clear()
            assert contextvars.Context().run(client.get, path).status_code == 200
            counted.append(len(seen))
        db.engine.dispose()
    return counted


def _small_counts(paths: list[str]) -> list[int]:
    """The same pages' statement counts on a data set 1,000 times smaller (SQLite)."""
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/small.sqlite3"
        seed(url, Path(tmp), 100, 200, 10)
        return statement_counts(url, Path(tmp), paths)


def run(kind: str, url: str, args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        started = time.monotonic()
        seed(url, workdir, args.projects, args.students, args.organisations)
        print(
            f"\n{kind}: seeded {args.projects:,} projects, {args.students:,} students, "
            f"{args.organisations:,} organisations in {time.monotonic() - started:.0f} s"
        )
        env = {
            "DATABASE_URL": url,
            "INSTANCE_PATH": str(workdir),
            "SECRET_KEY": "b" * 40,
            "APP_ENV": "development",
            "RATELIMIT_ENABLED": "0",
        }
        app_server, app_port = serve(["wsgi:app"], env, ROOT)
        ceiling_server, ceiling_port = serve(["ceiling:app"], {}, ROOT / "bench")
        try:
            cookie = login(app_port)
            pages = [
                ("browse", "/projects"),
                ("search", "/projects?q=clinic+robot"),
                ("project page", f"/projects/{args.projects // 2}"),
            ]
            counts = statement_counts(url, workdir, [p for _, p in pages])
            small = _small_counts(
                [path.replace(str(args.projects // 2), "50") for _, path in pages]
            )
            ceiling = load(ceiling_port, "/projects", "", args.seconds)
            print(
                f"{'page':<14}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'of ceiling':>12}"
                f"{'SQL':>6}{'SQL small':>11}"
            )
            print(
                f"{'ceiling':<14}{ceiling['rps']:>9.0f}{ceiling['p50']:>9.1f}{ceiling['p95']:>9.1f}"
                f"{'100%':>12}{0:>6}{0:>11}"
            )
            for (name, path), statements, few in zip(pages, counts, small, strict=True):
                figures = load(app_port, path, cookie, args.seconds)
                share = figures["rps"] / ceiling["rps"] * 100
                print(
                    f"{name:<14}{figures['rps']:>9.0f}{figures['p50']:>9.1f}{figures['p95']:>9.1f}"
                    f"{share:>11.0f}%{statements:>6}{few:>11}"
                )
        finally:
            stop(app_server)
            stop(ceiling_server)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--projects", type=int, default=100_000)
    parser.add_argument("--students", type=int, default=50_000)
    parser.add_argument("--organisations", type=int, default=2_000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/bench"
        ),
    )
    args = parser.parse_args()
    for kind in args.databases.split(","):
        if kind == "sqlite":
            with tempfile.TemporaryDirectory() as tmp:
                run("SQLite", f"sqlite:///{tmp}/bench.sqlite3", args)
        else:
            admin = sa.create_engine(
                args.postgres_url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT"
            )
            name = args.postgres_url.rsplit("/", 1)[1]
            with admin.connect() as connection:
                exists = connection.scalar(
                    sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
                )
                if not exists:
                    connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
            admin.dispose()
            run("PostgreSQL", args.postgres_url, args)


if __name__ == "__main__":
    main()
