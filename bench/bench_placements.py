"""Placements at a district's size: the teacher's placement list, the teacher's ladder (its
placements under way), a student's dashboard and an hours week, with 10,000 placements and
1,000,000 hour entries on PostgreSQL.

    .venv/bin/python bench/bench_placements.py
    .venv/bin/python bench/bench_placements.py --placements 2000 --entries-each 20 --rounds 10

One school, one teacher's class of `--placements / 4` teams of four; each team has an internship
with its own organisation, offered to its four students by name: four placements each, active,
with `--entries-each` hour entries (two a day, three hours each; half verified). Every page is
requested through the Flask test client as the person who opens it; prints the SQL statements
per request (next to the same page with 40 placements: a count that grows with the data is an
N+1) and p50/p95.

The database is BENCH_DATABASE_URL (default the `bench` database on 127.0.0.1, created if
missing); its public schema is dropped and migrated afresh, so never point it at data you keep.
"""

from __future__ import annotations

import argparse
import contextvars
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa
from bench_ladder import (  # the same seeding helpers and counters
    NOW,
    TODAY,
    URL,
    build_app,
    engagements,
    ensure_database,
    insert,
    offer_row,
    percentile,
    school_world,
    stamp_reached,
    statements,
)

from marketplace.extensions import db
from marketplace.models import (
    Offer,
    OfferRecipient,
    OfferStatus,
    Placement,
    PlacementStatus,
    Rung,
    User,
)
from marketplace.placements import hours


def seed(name: str, placements: int, entries_each: int) -> dict[str, int]:
    """The school's placements and their hours; the ids of the people and pages to measure."""
    teams_count = max(1, placements // 4)
    school, teacher, challenge, teams, employer = school_world(name, teams_count, 4)
    rows = engagements(employer, school, challenge, teams, teams_count, spread=False)
    offers = [offer_row(e, Rung.INTERNSHIP, OfferStatus.ACCEPTED, employer, teacher) for e in rows]
    offer_ids = insert(Offer, offers)
    stamp_reached(school.id)
    start = TODAY - timedelta(days=entries_each // 2 + 7)
    recipients, placement_rows = [], []
    for (_, members), engagement, offer_id in zip(teams, rows, offer_ids, strict=True):
        for member in members:
            recipients.append({"offer_id": offer_id, "student_id": member.id})
            placement_rows.append(
                {
                    "offer_id": offer_id,
                    "engagement_id": engagement["id"],
                    "student_id": member.id,
                    "organisation_id": employer.organisation_id,
                    "school_id": school.id,
                    "coordinator_id": teacher.id,
                    "rung": Rung.INTERNSHIP,
                    "status": PlacementStatus.ACTIVE,
                    "start_date": start,
                    "end_date": TODAY + timedelta(days=30),
                    "expected_hours": 120,
                    "supervisor_name": "Sam Bench",
                    "supervisor_email": "sam@bench.example",
                    "training_plan": ["Bench"],
                    "safety_items": ["Bench"],
                    "terms_hash": "0" * 64,
                    "signed_at": NOW,
                    "created_at": NOW,
                }
            )
    db.session.execute(sa.insert(OfferRecipient), recipients)
    placement_ids = insert(Placement, placement_rows)
    db.session.execute(
        sa.text(
            """
            INSERT INTO hour_entry (placement_id, student_id, day, starts, ends, minutes,
                                    activity, status, note, created_at)
            SELECT p.id, p.student_id, p.start_date + (g / 2),
                   CASE WHEN g % 2 = 0 THEN time '09:00' ELSE time '13:00' END,
                   CASE WHEN g % 2 = 0 THEN time '12:00' ELSE time '16:00' END,
                   180, 'Front desk and the waiting-room survey',
                   CASE WHEN g < :verified THEN 'approved' ELSE 'logged' END, '', now()
            FROM placement p CROSS JOIN generate_series(0, :last) AS g
            WHERE p.school_id = :school
            """
        ),
        {"last": entries_each - 1, "verified": entries_each // 2, "school": school.id},
    )
    db.session.execute(
        sa.text(
            """
            INSERT INTO hour_week (placement_id, week_start, status, verified_by, note, version)
            SELECT DISTINCT placement_id, day - CAST(EXTRACT(ISODOW FROM day) AS int) + 1,
                   'open', '', '', 1
            FROM hour_entry WHERE student_id IN (
                SELECT student_id FROM placement WHERE school_id = :school)
            """
        ),
        {"school": school.id},
    )
    db.session.commit()
    db.session.execute(sa.text("ANALYZE"))
    student_id = placement_rows[0]["student_id"]
    print(
        f"    seeded {name}: {len(placement_ids)} placements, "
        f"{len(placement_ids) * entries_each} hour entries"
    )
    return {
        "teacher": teacher.id,
        "student": student_id,
        "employer": employer.id,
        "placement": placement_ids[0],
        "week": hours.monday_of(start + timedelta(days=7)).toordinal(),
    }


def measure(app, login_id: str, path: str, rounds: int) -> tuple[str, float, float, int]:
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = login_id, True
    timings, per_request = [], set()
    response = None
    for _ in range(rounds + 2):  # the first two warm the caches
        before, begun = statements(), time.perf_counter()
        response = contextvars.Context().run(client.get, path)
        timings.append((time.perf_counter() - begun) * 1000)
        per_request.add(statements() - before - 1)
        if response.status_code != 200:
            raise SystemExit(f"! {path} answered {response.status_code}")
    timings = timings[2:]
    assert response is not None
    return (
        "/".join(map(str, sorted(per_request))),
        percentile(timings, 50),
        percentile(timings, 95),
        len(response.data) // 1024,
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--placements", type=int, default=10_000)
    parser.add_argument("--entries-each", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    ensure_database(URL)
    with tempfile.TemporaryDirectory() as tmp:
        app = build_app(Path(tmp), 4)
        with app.app_context():
            if db.engine.dialect.name != "postgresql":
                raise SystemExit("bench_placements needs PostgreSQL (BENCH_DATABASE_URL)")
            print(f"database: {URL.split('@')[-1]}")
            small = seed("small", 40, args.entries_each)
            big = seed("big", args.placements, args.entries_each)
            logins = {
                id(world): {
                    who: db.session.get_one(User, world[who]).get_id()
                    for who in ("teacher", "student", "employer")
                }
                for world in (small, big)
            }
        pages = [
            ("teacher", "/placements", "the teacher's placement list (500 shown)"),
            ("teacher", "/ladder", "the teacher's ladder, placements under way"),
            ("student", "/dashboard", "a student's dashboard with her placement"),
            ("student", "/placements/{placement}/hours?week={week}", "an hours week"),
            ("teacher", "/placements/{placement}", "a placement's page"),
        ]
        print(f"(placements: {args.placements}, {args.placements * args.entries_each} entries)")
        print(f"    {'page':<44} {'statements':>14} {'p50 ms':>8} {'p95 ms':>8} {'KiB':>5}")
        for who, template, label in pages:
            figures = []
            for world in (small, big):
                path = template.format(
                    placement=world["placement"],
                    week=date.fromordinal(world["week"]).isoformat(),
                )
                figures.append(measure(app, logins[id(world)][who], path, args.rounds))
            (count_small, *_), (count_big, p50, p95, size) = figures
            print(
                f"    {label:<44} {count_small + ' | ' + count_big:>14} "
                f"{p50:>8.1f} {p95:>8.1f} {size:>5}"
            )
        print("    statements: with 40 placements | with the full set (equal: no N+1)")
        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
