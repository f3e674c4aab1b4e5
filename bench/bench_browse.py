"""Browse, search and project pages under load, against a bare Flask ceiling, on a large data set.

    .venv/bin/python bench/bench_browse.py                 # SQLite and PostgreSQL, full size
    .venv/bin/python bench/bench_browse.py --projects 5000 --databases sqlite   # a quick look

Seeds 100,000 published projects, 2,000 organisations and 50,000 students (by default) into each
database, serves the app with gunicorn, and measures requests/s and p50/p95 latency of the browse
page, a search and a project page, next to a bare Flask page rendering the same 24 cards from
memory (bench/ceiling.py). It also counts the SQL statements of each page on the large data set
and on a small one: a count that grows with the data is an N+1. Two rows first give the floor
under every page (bench/floor.py): a logged-in request that answers "ok", and the layout
around a heading; then the same two with the reader kept in the worker's memory instead of read
from the database (no page does this: the rows bound what a cache of the reader could give).

Then the covers phase (skipped with --no-covers): 1,000 distinct 640x360 WebP thumbnails are
written into the app's UPLOAD_DIR, one UPDATE gives every published project a cover_key (round
robin), and the browse page is measured again with the same threads and seconds, so each card
signs its cover's media URL; printed next to the browse figures without covers, with the
statement count, which must not grow (the cover comes from the project row itself).
"""

from __future__ import annotations

import argparse
import contextvars
import hashlib
import http.client
import io
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
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from functools import cache, partial
from pathlib import Path

import flask_migrate
import sqlalchemy as sa
from argon2 import PasswordHasher
from PIL import Image, ImageDraw
from sqlalchemy import event

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from floor import BARE, KEPT_BARE, KEPT_LAYOUT, LAYOUT, add_floor  # noqa: E402

from config import TestConfig  # noqa: E402
from marketplace import create_app  # noqa: E402
from marketplace.clusters import CAREER_CLUSTERS  # noqa: E402
from marketplace.extensions import db  # noqa: E402
from marketplace.storage import storage  # noqa: E402

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
COVERS = 1000  # distinct cover thumbnails, assigned to the projects round robin


def _config(url: str, workdir: Path) -> TestConfig:
    config = TestConfig()
    config.TESTING = False
    config.SQLALCHEMY_DATABASE_URI = url
    config.INSTANCE_PATH = workdir
    config.STORAGE_BACKEND = "local"
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
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            # What autovacuum does within a minute of a bulk load, done before measuring: the
            # statistics, and the visibility map that lets a count read an index alone.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(sa.text("VACUUM ANALYZE"))
        db.engine.dispose()


@cache
def thumbnails(count: int) -> tuple[bytes, ...]:
    """`count` distinct 640x360 WebP thumbnails, like the worker's (a gradient, a label)."""
    shade = Image.linear_gradient("L").resize((640, 360))
    saturation = Image.new("L", shade.size, 160)
    made = []
    for n in range(count):
        hue = Image.new("L", shade.size, n * 37 % 256)
        image = Image.merge("HSV", (hue, saturation, shade)).convert("RGB")
        ImageDraw.Draw(image).text((24, 24), f"Bench cover {n}", fill="white")
        out = io.BytesIO()
        image.save(out, format="WEBP", quality=80, method=0)
        made.append(out.getvalue())
    assert len(set(made)) == count
    return tuple(made)


def add_covers(url: str, workdir: Path, count: int) -> tuple[int, float]:
    """Store the thumbnails under media/<sha256>/thumb.webp in the app's storage, then give
    every published project one of them with a single UPDATE; (rows updated, seconds)."""
    app = create_app(_config(url, workdir))
    with app.app_context():
        keys = []
        for data in thumbnails(count):
            key = f"media/{hashlib.sha256(data).hexdigest()}/thumb.webp"
            storage().write(key, [data], len(data))
            keys.append(key)
        project = db.metadata.tables["project"]
        started = time.monotonic()
        db.session.execute(
            sa.update(project)
            .where(project.c.status == "published")
            .values(cover_key=sa.case(dict(enumerate(keys)), value=project.c.id % count))
        )
        db.session.commit()
        seconds = time.monotonic() - started
        updated = db.session.execute(
            sa.select(sa.func.count()).select_from(project).where(project.c.cover_key != "")
        ).scalar_one()
        if db.engine.dialect.name == "postgresql":  # no dead row versions left from the UPDATE
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(sa.text("VACUUM ANALYZE project"))
        db.engine.dispose()
    return updated, seconds


def check_covers(port: int, cookie: str, thumbs: tuple[bytes, ...]) -> int:
    """The browse page shows cover images only, and the first one is served as the WebP
    written; returns how many the page has."""
    connection = http.client.HTTPConnection("127.0.0.1", port)
    connection.request("GET", "/projects", headers={"Cookie": cookie})
    page = connection.getresponse().read().decode()
    sources = re.findall(r'<img class="cover cover-image" src="([^"]+)"', page)
    assert sources and "cover-placeholder" not in page, "the browse page shows no covers"
    connection.request("GET", sources[0].replace("&amp;", "&"), headers={"Cookie": cookie})
    response = connection.getresponse()
    body = response.read()
    assert response.status == 200, response.status
    assert response.getheader("Content-Type") == "image/webp", response.getheader("Content-Type")
    assert body in thumbs
    return len(sources)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(
    args: list[str], env: dict[str, str], cwd: Path, workers: int = 2
) -> tuple[subprocess.Popen, int]:
    """Start gunicorn (sync workers) on a free loopback port and wait until it answers."""
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603 - our own virtualenv's gunicorn
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--workers",
            str(workers),
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


def _cookies(response: http.client.HTTPResponse) -> str:
    """Every cookie the response sets, as a Cookie header (the session and, after a log-in,
    the known-device note: reading only the first Set-Cookie could miss the session)."""
    return "; ".join(c.split(";")[0] for c in response.headers.get_all("Set-Cookie") or [])


def _merged(cookie: str, given: str) -> str:
    """A Cookie header with the cookies `given` (a response's, as `_cookies` reads them) in
    place of those of the same name."""
    kept = dict(part.split("=", 1) for part in cookie.split("; ") if part)
    kept.update(part.split("=", 1) for part in given.split("; ") if part)
    return "; ".join(f"{name}={value}" for name, value in kept.items())


def login(port: int) -> str:
    """Log the bench employer in through the real form; returns the cookies to send."""
    connection = http.client.HTTPConnection("127.0.0.1", port)
    connection.request("GET", "/auth/login")
    response = connection.getresponse()
    page = response.read().decode()
    cookie = _cookies(response)
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
    cookie = _cookies(response)
    # A first page as a browser would open it: the session notes the reader for the nav
    # (marketplace/nav.py), and every later page, each load below, reads the counts with the user.
    connection.request("GET", "/projects", headers={"Cookie": cookie})
    response = connection.getresponse()
    response.read()
    cookie = _merged(cookie, _cookies(response))
    connection.request("GET", "/projects", headers={"Cookie": cookie})
    response = connection.getresponse()
    response.read()
    assert not response.getheader("Set-Cookie"), "the session still changes on every page"
    return cookie


def _cpu_seconds(pids: list[int]) -> float:
    """CPU time used so far by these processes (Linux's /proc; 0 for one that is gone)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def _server_pids(server: subprocess.Popen) -> list[int]:
    """gunicorn's master and its workers."""
    try:
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    except OSError:
        children = []
    return [server.pid, *map(int, children)]


def _postgres_pids() -> list[int]:
    """PostgreSQL's processes, when it runs on this machine."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/comm"):
        try:
            if stat.read_text().strip() == "postgres":
                pids.append(int(stat.parent.name))
        except OSError:
            continue
    return pids


def cpu_split(
    server: subprocess.Popen, measure: Callable[[], dict[str, float]]
) -> dict[str, float]:
    """`measure()`'s figures with the CPU time each request cost, in ms: the app server's
    (`app_cpu`), PostgreSQL's on this machine (`db_cpu`) and the load generator's (`client_cpu`).
    On a machine where they share the cores, their sum is what one request costs."""
    pids, database = _server_pids(server), _postgres_pids()
    app, db_, client = _cpu_seconds(pids), _cpu_seconds(database), time.process_time()
    figures = measure()
    requests = figures["requests"] or 1
    figures["app_cpu"] = (_cpu_seconds(pids) - app) / requests * 1000
    figures["db_cpu"] = (_cpu_seconds(database) - db_) / requests * 1000
    figures["client_cpu"] = (time.process_time() - client) / requests * 1000
    return figures


def load(port: int, path: str, cookie: str, seconds: float, threads: int = 8) -> dict[str, float]:
    """Keep-alive GETs from several threads for `seconds`; requests/s and latency percentiles."""
    latencies: list[float] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def worker() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port)
        mine = []
        kept = cookie  # as a browser keeps it: the session cookie slides once a minute
        while time.monotonic() < stop_at:
            start = time.perf_counter()
            connection.request("GET", path, headers={"Cookie": kept} if kept else {})
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"{path}: {response.status}")
            mine.append(time.perf_counter() - start)
            if kept and response.getheader("Set-Cookie"):
                kept = _merged(kept, _cookies(response))
        with lock:
            latencies.extend(mine)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    latencies.sort()
    return {
        "requests": len(latencies),
        "rps": len(latencies) / seconds,
        "p50": statistics.median(latencies) * 1000,
        "p95": latencies[int(len(latencies) * 0.95) - 1] * 1000,
    }


def statement_counts(url: str, workdir: Path, paths: list[str]) -> list[int]:
    """SQL statements each page issues, in-process."""
    app = create_app(_config(url, workdir))
    add_floor(app)
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
            # Counted on a second visit: a session's first page asks the nav's counts on its
            # own, its later pages with the user (marketplace/nav.py).
            assert contextvars.Context().run(client.get, path).status_code == 200
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
            "STORAGE_BACKEND": "local",
            "UPLOAD_DIR": str(workdir / "uploads"),  # where add_covers writes the thumbnails
        }
        # The app of wsgi.py, with the floor's two pages added (bench/floor.py).
        served = ["--pythonpath", str(ROOT / "bench"), "floor:served()"]
        app_server, app_port = serve(served, env, ROOT, args.workers)
        ceiling_server, ceiling_port = serve(["ceiling:app"], {}, ROOT / "bench", args.workers)
        try:
            cookie = login(app_port)
            pages = [
                ("logged in only", BARE),  # the floor: what every page costs first
                ("layout only", LAYOUT),
                ("user kept", KEPT_BARE),  # the two again, the reader from memory: a bound
                ("layout, kept", KEPT_LAYOUT),
                ("browse", "/projects"),
                ("search", "/projects?q=clinic+robot"),  # no project has both words
                ("search, common", "/projects?q=clinic"),  # in 1 project of 16: ranked
                ("project page", f"/projects/{args.projects // 2}"),
            ]
            counts = statement_counts(url, workdir, [p for _, p in pages])
            small = _small_counts(
                [path.replace(str(args.projects // 2), "50") for _, path in pages]
            )
            ceiling = cpu_split(
                ceiling_server, lambda: load(ceiling_port, "/projects", "", args.seconds)
            )
            print(
                f"{'page':<16}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'of ceiling':>12}"
                f"{'SQL':>6}{'SQL small':>11}   CPU ms per request: app + database + client"
            )

            def cpu(figures: dict[str, float]) -> str:
                return (
                    f"   {figures['app_cpu']:.2f} + {figures['db_cpu']:.2f} + "
                    f"{figures['client_cpu']:.2f}"
                )

            print(
                f"{'ceiling':<16}{ceiling['rps']:>9.0f}{ceiling['p50']:>9.1f}{ceiling['p95']:>9.1f}"
                f"{'100%':>12}{0:>6}{0:>11}{cpu(ceiling)}"
            )
            measured = {}
            for (name, path), statements, few in zip(pages, counts, small, strict=True):
                figures = cpu_split(app_server, partial(load, app_port, path, cookie, args.seconds))
                share = figures["rps"] / ceiling["rps"] * 100
                measured[name] = (share, statements)
                print(
                    f"{name:<16}{figures['rps']:>9.0f}{figures['p50']:>9.1f}{figures['p95']:>9.1f}"
                    f"{share:>11.0f}%{statements:>6}{few:>11}{cpu(figures)}"
                )
            if args.covers:
                covers(url, workdir, args, app_port, cookie, ceiling["rps"], *measured["browse"])
        finally:
            stop(app_server)
            stop(ceiling_server)


def covers(
    url: str,
    workdir: Path,
    args: argparse.Namespace,
    port: int,
    cookie: str,
    ceiling: float,
    share: float,
    statements: int,
) -> None:
    """The covers phase: the same browse load once every card has a cover image."""
    count = min(COVERS, args.projects)
    thumbs = thumbnails(count)
    updated, seconds = add_covers(url, workdir, count)
    (with_covers,) = statement_counts(url, workdir, ["/projects"])
    shown = check_covers(port, cookie, thumbs)
    figures = load(port, "/projects", cookie, args.seconds)
    covered = figures["rps"] / ceiling * 100
    print(
        f"{'browse+covers':<16}{figures['rps']:>9.0f}{figures['p50']:>9.1f}{figures['p95']:>9.1f}"
        f"{covered:>11.0f}%{with_covers:>6}{'-':>11}"
    )
    print(
        f"covers: {count:,} distinct 640x360 WebP thumbnails "
        f"({sum(map(len, thumbs)) / 1024:,.0f} KiB in all) in UPLOAD_DIR, round robin over "
        f"{updated:,} published projects by one UPDATE ({seconds:.1f} s); "
        f"{shown} cover images per page, the first served as image/webp"
    )
    grew = "" if with_covers <= statements else " - GREW: the cover must come from the row"
    print(
        f"browse with covers: {figures['rps']:.0f} req/s, p50 {figures['p50']:.1f} ms, "
        f"p95 {figures['p95']:.1f} ms, share of ceiling {covered:.0f}% "
        f"(without covers: {share:.0f}%); SQL {with_covers} (without covers: {statements}){grew}"
    )


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
        "--workers",
        type=int,
        default=2,
        help="gunicorn sync workers of the app and of the ceiling alike (deploy/gunicorn.conf.py "
        "runs 2 per core and one more)",
    )
    parser.add_argument(
        "--no-covers",
        dest="covers",
        action="store_false",
        help="skip the covers phase (browse again with a cover image on every card)",
    )
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
