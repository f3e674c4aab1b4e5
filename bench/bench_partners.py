"""The partner network at a district's size, on PostgreSQL.

    .venv/bin/python bench/bench_partners.py [--partners 5000 --entries 200000 --rounds 100]

One school with `--partners` partner records (labels, a contact, an owner, open follow-ups) and
`--entries` communication-log entries spread over them (a few partners with thousands, most
with a few dozen), written with bulk INSERTs. Then, as the school's teacher, through the Flask
app: the partner list (first page, a filtered page, the htmx fragment), the record page of the
busiest partner (its timeline's first page), and the CSV export of all partners. Prints SQL
statements per request (next to the same pages on a 20-partner school: a count that grows with
the data is an N+1) and p50/p95 latency.

The database is BENCH_DATABASE_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/bench,
created if missing); its public schema is dropped and migrated afresh.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import flask_migrate
import sqlalchemy as sa
from sqlalchemy import event as sa_event

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_ladder import ensure_database  # noqa: E402

from config import TestConfig  # noqa: E402
from marketplace import create_app  # noqa: E402
from marketplace.clusters import CAREER_CLUSTERS  # noqa: E402
from marketplace.extensions import db  # noqa: E402
from marketplace.models import (  # noqa: E402
    MANUAL_KINDS,
    Channel,
    FollowUpTask,
    Organisation,
    OrganisationStatus,
    PartnerContact,
    PartnerLabel,
    Partnership,
    PartnerStage,
    Role,
    School,
    Touchpoint,
    User,
    VerificationStatus,
    utcnow,
)
from marketplace.security import hash_password  # noqa: E402

URL = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/bench")
PASSWORD = "bench-password-1"  # noqa: S105  (a throwaway database)


def build_app(workdir: Path, url: str):
    config = TestConfig()
    config.TESTING = False
    config.SQLALCHEMY_DATABASE_URI = url
    config.INSTANCE_PATH = workdir
    config.MAIL_OUTBOX_DIR = str(workdir / "outbox")
    config.WTF_CSRF_ENABLED = False
    app = create_app(config)
    with app.app_context():
        with db.engine.begin() as connection:
            connection.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        flask_migrate.upgrade()
    return app


def seed_school(name: str, partners: int, entries: int) -> tuple[str, int]:
    """A school, its teacher and its partner network; the teacher's e-mail and the busiest
    partner's id."""
    school = School(name=name, slug=name.lower().replace(" ", "-"))
    db.session.add(school)
    teacher = User(
        role=Role.TEACHER,
        school=school,
        email=f"teacher@{school.slug}.example",
        first_name="Maria",
        last_name="Rivera",
        password_hash=hash_password(PASSWORD),
        email_confirmed_at=utcnow(),
    )
    db.session.add(teacher)
    db.session.flush()
    now = utcnow()
    rng = random.Random(7)  # noqa: S311  (made-up data)
    organisations = [
        {"name": f"{name} partner {n:05d}", "status": OrganisationStatus.PROSPECT,
         "website": f"https://p{n}.{school.slug}.example",
         "email_domain": f"p{n}.{school.slug}.example",
         "industry": "", "career_cluster": "", "city": "", "size": "", "timezone": "",
         "created_at": now}
        for n in range(partners)
    ]  # fmt: skip
    ids = (
        db.session.execute(sa.insert(Organisation).returning(Organisation.id), organisations)
        .scalars()
        .all()
    )
    records = db.session.execute(
        sa.insert(Partnership).returning(Partnership.id),
        [
            {"organisation_id": oid, "school_id": school.id, "status": VerificationStatus.PENDING,
             "stage": rng.choice(list(PartnerStage)[:4]),
             "stage_changed_at": now, "source": "", "recommended_by": "", "notes": "",
             "owner_id": teacher.id, "requested_at": now, "note": "",
             "last_contact_at": now - timedelta(days=rng.randint(0, 400)),
             "listed": False, "listing_blurb": "", "listing_consent": "", "logo_key": ""}
            for oid in ids
        ],
    ).scalars().all()  # fmt: skip
    db.session.execute(
        sa.insert(PartnerLabel),
        [{"partnership_id": rid, "kind": "cluster", "value": CAREER_CLUSTERS[i % 14]}
         for i, rid in enumerate(records)]
        + [{"partnership_id": rid, "kind": "tag", "value": f"tag{i % 30}"}
           for i, rid in enumerate(records)],
    )  # fmt: skip
    db.session.execute(
        sa.insert(PartnerContact),
        [{"partnership_id": rid, "name": f"Contact {i}", "title": "", "email": f"c{i}@x.example",
          "phone": "", "channel": Channel.EMAIL, "do_not_contact": False, "nonce": "n",
          "created_at": now}
         for i, rid in enumerate(records)],
    )  # fmt: skip
    db.session.execute(
        sa.insert(FollowUpTask),
        [{"school_id": school.id, "partnership_id": rid, "title": "Call back",
          "due_on": (now + timedelta(days=i % 20 - 5)).date(), "assignee_id": teacher.id,
          "created_at": now}
         for i, rid in enumerate(records[: partners // 2])],
    )  # fmt: skip
    busiest = records[0]
    weights = [50 if i < 10 else 1 for i in range(len(records))]  # ten partners hold a lot
    chosen = rng.choices(records, weights=weights, k=entries)
    for start in range(0, entries, 20_000):
        db.session.execute(
            sa.insert(Touchpoint),
            [{"partnership_id": rid, "kind": rng.choice(MANUAL_KINDS),
              "occurred_at": now - timedelta(minutes=rng.randint(0, 500_000)),
              "owner_id": teacher.id, "summary": "Talked about the spring projects.",
              "automatic": False, "link": ""}
             for rid in chosen[start : start + 20_000]],
        )  # fmt: skip
    db.session.commit()
    return teacher.email, busiest


def measure(
    client, path: str, rounds: int, headers: dict | None = None
) -> tuple[int, float, float]:
    """Statements of one request, and p50/p95 milliseconds over `rounds`."""
    count = 0

    def counter(*_args: object) -> None:
        nonlocal count
        count += 1

    sa_event.listen(db.engine, "before_cursor_execute", counter)
    response = client.get(path, headers=headers or {})
    assert response.status_code == 200, (path, response.status_code)
    response.get_data()
    sa_event.remove(db.engine, "before_cursor_execute", counter)
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        client.get(path, headers=headers or {}).get_data()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return count, statistics.median(times), times[int(len(times) * 0.95) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--partners", type=int, default=5000)
    parser.add_argument("--entries", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=100)
    args = parser.parse_args()
    ensure_database(URL)
    with tempfile.TemporaryDirectory() as tmp:
        app = build_app(Path(tmp), URL)
        with app.app_context():
            started = time.perf_counter()
            small_login, small_busiest = seed_school("Small School", 20, 400)
            big_login, big_busiest = seed_school("Big District", args.partners, args.entries)
            with db.engine.begin() as connection:
                connection.execute(sa.text("ANALYZE"))
            print(f"seeded {args.partners} partners and {args.entries} log entries "
                  f"in {time.perf_counter() - started:.1f} s")  # fmt: skip
            rows = []
            for label, login, busiest in (
                ("20 partners", small_login, small_busiest),
                (f"{args.partners} partners", big_login, big_busiest),
            ):
                client = app.test_client()
                client.post("/auth/login", data={"login": login, "password": PASSWORD})
                pages = [
                    ("list", "/partners", None),
                    ("list filtered", "/partners?stage=engaged&quiet=90&sort=quiet", None),
                    ("list fragment", "/partners?cluster=Construction", {"HX-Request": "true"}),
                    ("record + timeline", f"/partners/{busiest}", None),
                    ("timeline page 5", f"/partners/{busiest}?page=5&fragment=log",
                     {"HX-Request": "true"}),
                    ("follow-ups", "/partners/tasks?who=all", None),
                ]  # fmt: skip
                for name, path, headers in pages:
                    rounds = args.rounds if "export" not in name else 3
                    statements, p50, p95 = measure(client, path, rounds, headers)
                    rows.append((label, name, statements, p50, p95))
                started = time.perf_counter()
                size = len(client.get("/partners/export.csv").get_data())
                rows.append((label, f"export ({size // 1024} KB)", 0,
                             (time.perf_counter() - started) * 1000, 0.0))  # fmt: skip
            print(f"{'school':<16} {'page':<22} {'SQL':>4} {'p50 ms':>8} {'p95 ms':>8}")
            for label, name, statements, p50, p95 in rows:
                print(f"{label:<16} {name:<22} {statements:>4} {p50:>8.1f} {p95:>8.1f}")


if __name__ == "__main__":
    main()
