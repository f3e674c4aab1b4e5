"""Latency and query counts of the first pages each role opens, on the seeded demo data.

.venv/bin/python bench/bench_pages.py [--rounds 200]
BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \
        .venv/bin/python bench/bench_pages.py
"""

from __future__ import annotations

import argparse
import contextvars
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import flask_migrate
import sqlalchemy as sa
from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from config import TestConfig
from marketplace import create_app
from marketplace.demo import seed_demo
from marketplace.extensions import db
from marketplace.models import Classroom, User

PAGES = [
    ("student", "ava.m", ["/dashboard", "/classes/{class_id}", "/teams/{team_id}"]),
    ("teacher", "rivera@riverside.example", ["/dashboard", "/classes", "/classes/{class_id}"]),
    (
        "school admin",
        "admin@riverside.example",
        ["/dashboard", "/partners/verification", "/school/staff"],
    ),
    ("employer", "jordan@harborhealth.example", ["/dashboard", "/organisation"]),
]


def build_app(workdir: Path):
    config = TestConfig()
    config.TESTING = False
    config.SQLALCHEMY_DATABASE_URI = os.environ.get(
        "BENCH_DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}"
    )
    config.INSTANCE_PATH = workdir
    config.MAIL_OUTBOX_DIR = str(workdir / "outbox")
    config.WTF_CSRF_ENABLED = False
    app = create_app(config)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        flask_migrate.upgrade()
        seed_demo()
        db.session.commit()
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = build_app(Path(tmp))
        statements = 0

        with app.app_context():
            ava = db.session.scalar(sa.select(User).filter_by(username="ava.m"))
            classroom = db.session.scalars(sa.select(Classroom).order_by(Classroom.id)).first()
            ids = {"class_id": classroom.id, "team_id": classroom.teams[0].id}

            @event.listens_for(db.engine, "before_cursor_execute")
            def count(*_args: object) -> None:
                nonlocal statements
                statements += 1

            assert ava is not None
        print(
            f"database: {app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}, "
            f"rounds: {args.rounds}"
        )
        print(f"{'role':<14}{'page':<26}{'median ms':>10}{'p95 ms':>9}{'queries':>9}")
        for role, login, urls in PAGES:
            client = app.test_client()
            client.post("/auth/login", data={"login": login, "password": "wbl-demo-2026"})
            for template in urls:
                url = template.format(**ids)
                timings = []
                for _ in range(args.rounds):
                    before = statements
                    start = time.perf_counter()
                    response = contextvars.Context().run(client.get, url)
                    timings.append((time.perf_counter() - start) * 1000)
                    queries = statements - before
                    assert response.status_code == 200, (url, response.status_code)
                timings.sort()
                p95 = timings[int(len(timings) * 0.95) - 1]
                print(
                    f"{role:<14}{url:<26}{statistics.median(timings):>10.2f}{p95:>9.2f}{queries:>9}"
                )


if __name__ == "__main__":
    main()
