"""The traction ladder under load: racing acceptances, and the employer's pipeline board.

    .venv/bin/python bench/bench_ladder.py                     # both parts
    .venv/bin/python bench/bench_ladder.py --only race --offers 1000 --clients 100 --per-offer 5
    .venv/bin/python bench/bench_ladder.py --only board --engagements 5000 --rounds 20

(a) race: N engagements each with an approved offer; `--clients` threads (each its own app
    context, session and pooled connection) in groups of `--per-offer`, every group accepting the
    same offers in the same order, released together on each one. Prints transitions/s,
    refusals, p50/p95 latency, and the exactly-once check: every offer accepted once, with one
    "offer accepted" timeline row, its engagement lifted once. Exits non-zero if violated.
(b) board: one organisation with `--engagements` engagements over every rung and status, with
    offers and timeline rows; GET /pipeline as its employer through the Flask test client. Prints
    the SQL statements per request (next to a 50-engagement organisation's: a count that grows
    with the data is an N+1) and p50/p95 latency.

The database is BENCH_DATABASE_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/bench);
its public schema is dropped and migrated afresh, so never point it at data you keep.
"""

from __future__ import annotations

import argparse
import contextvars
import itertools
import os
import sys
import tempfile
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import flask_migrate
import sqlalchemy as sa
from sqlalchemy import event

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from config import TestConfig  # noqa: E402
from marketplace import create_app  # noqa: E402
from marketplace.engagements import ladder  # noqa: E402
from marketplace.extensions import db  # noqa: E402
from marketplace.models import (  # noqa: E402
    LADDER,
    OFFER_RUNGS,
    BackgroundCheck,
    Challenge,
    Classroom,
    Engagement,
    EngagementEvent,
    EngagementStatus,
    Offer,
    OfferStatus,
    Organisation,
    OrganisationStatus,
    Partnership,
    Project,
    ProjectStatus,
    Role,
    Rung,
    School,
    Team,
    TeamMembership,
    User,
    VerificationStatus,
)
from marketplace.models.classroom import new_join_code  # noqa: E402

# Its own database (created if missing): the bench drops the schema it runs on, so never the
# `test` database the suite and CI use.
URL = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/bench")


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database of `url` if it does not exist yet."""
    if not url.startswith("postgresql"):
        return
    base, name = url.rsplit("/", 1)
    admin = sa.create_engine(base + "/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.scalar(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
        )
        if not exists:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


TODAY = date.today()
NOW = datetime.now(UTC)
STATEMENTS = itertools.count()  # every SQL statement the app sends (next() is thread-safe)


def statements() -> int:
    """How many statements so far (reading the counter adds one: callers subtract pairs)."""
    return next(STATEMENTS)


def build_app(workdir: Path, pool: int):
    """An app on a freshly migrated bench database, with a pool for the racing threads."""
    config = TestConfig()
    config.TESTING = False
    config.SQLALCHEMY_DATABASE_URI = URL
    config.SQLALCHEMY_ENGINE_OPTIONS = {"pool_size": pool, "max_overflow": 0, "pool_timeout": 120}
    config.INSTANCE_PATH = workdir
    config.MAIL_OUTBOX_DIR = str(workdir / "outbox")
    config.WTF_CSRF_ENABLED = False
    config.RATELIMIT_ENABLED = False
    app = create_app(config)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        flask_migrate.upgrade()
        event.listen(db.engine, "before_cursor_execute", lambda *_: next(STATEMENTS))
    return app


def insert(model, rows: list[dict]) -> list[int]:
    """Bulk-insert `rows`; their ids, in order."""
    ids: list[int] = []
    for start in range(0, len(rows), 2000):
        query = sa.insert(model).returning(model.id, sort_by_parameter_order=True)
        ids += db.session.scalars(query, rows[start : start + 2000]).all()
    return ids


UNUSABLE = "!"  # a password hash nothing matches: the bench logs in through the session


def person(role: Role, key: str, **kw) -> User:
    """A user with the bench's placeholder names (an adult's e-mail address, or a username)."""
    login = {"username": key} if role is Role.STUDENT else {"email": f"{key}@bench.example"}
    kw.setdefault("email_confirmed_at", NOW)
    return User(
        role=role, first_name=key[:20], last_name="Bench", password_hash=UNUSABLE, **login, **kw
    )


def school_world(name: str, teams: int, students_per_team: int):
    """A school with a teacher, a class, teams of adult students, a challenge, and a verified
    organisation with a background-checked employer."""
    school = School(name=f"{name} school", slug=f"{name}-school")
    db.session.add(school)
    db.session.flush()
    teacher = person(Role.TEACHER, f"teacher-{name}", school_id=school.id)
    admin = person(Role.SCHOOL_ADMIN, f"admin-{name}", school_id=school.id)
    org = Organisation(name=f"{name} org", status=OrganisationStatus.ACTIVE, career_cluster="IT")
    db.session.add_all([teacher, admin, org])
    db.session.flush()
    employer = person(Role.EMPLOYER, f"boss-{name}", organisation_id=org.id)
    classroom = Classroom(
        school_id=school.id, teacher_id=teacher.id, name="Class", join_code=new_join_code()
    )
    challenge = Challenge(
        school_id=school.id, created_by_id=teacher.id, title="Bench", career_cluster="IT"
    )
    db.session.add_all([employer, classroom, challenge])
    db.session.add(
        Partnership(
            organisation_id=org.id,
            school_id=school.id,
            decided_at=NOW,
            status=VerificationStatus.VERIFIED,
        )
    )
    db.session.flush()
    db.session.add(
        BackgroundCheck(
            school_id=school.id,
            user_id=employer.id,
            attested_by_id=admin.id,
            checked_on=TODAY - timedelta(30),
        )
    )
    team_rows = []
    for t in range(teams):
        team = Team(classroom_id=classroom.id, name=f"Team {t}")
        members = [
            person(
                Role.STUDENT, f"{name}-{t}-{n}", school_id=school.id, date_of_birth=date(2000, 1, 1)
            )
            for n in range(students_per_team)
        ]
        db.session.add_all([team, *members])
        team_rows.append((team, members))
    db.session.flush()
    db.session.add_all(
        TeamMembership(team_id=team.id, student_id=m.id, classroom_id=classroom.id)
        for team, members in team_rows
        for m in members
    )
    db.session.flush()
    return school, teacher, challenge, team_rows, employer


def engagements(employer, school, challenge, teams, count: int, spread: bool) -> list[dict]:
    """`count` projects and engagements (at interest, or over every rung and status)."""
    projects = insert(
        Project,
        [
            {
                "team_id": teams[i % len(teams)][0].id,
                "challenge_id": challenge.id,
                "school_id": school.id,
                "title": f"Project {i}",
                "status": ProjectStatus.PUBLISHED,
                "published_at": NOW,
            }
            for i in range(count)
        ],
    )
    rows = []
    for i, project_id in enumerate(projects):
        status = EngagementStatus.ACTIVE
        if spread and i % 10 == 8:
            status = EngagementStatus.COMPLETED
        elif spread and i % 10 == 9:
            status = EngagementStatus.CLOSED
        rung = LADDER[i % len(LADDER)] if spread else Rung.INTEREST
        if status is EngagementStatus.COMPLETED:
            rung = Rung.INTERNSHIP
        rows.append(
            {
                "organisation_id": employer.organisation_id,
                "project_id": project_id,
                "team_id": teams[i % len(teams)][0].id,
                "school_id": school.id,
                "rung": rung,
                "status": status,
                "opened_by_id": employer.id,
                "last_event_at": NOW - timedelta(days=i % 40),
                "created_at": NOW - timedelta(60),
            }
        )
    for row, engagement_id in zip(rows, insert(Engagement, rows), strict=True):
        row["id"] = engagement_id
    return rows


def offer_row(engagement: dict, rung: Rung, status: OfferStatus, employer, teacher) -> dict:
    approved = status in (OfferStatus.APPROVED, OfferStatus.ACCEPTED)
    accepted = status is OfferStatus.ACCEPTED
    return {
        "engagement_id": engagement["id"],
        "rung": rung,
        "status": status,
        "accepted_rung": rung if accepted else None,
        "start_date": TODAY + timedelta(days=14),
        "end_date": TODAY + timedelta(days=40),
        "days_per_week": 1,
        "hours_per_week": 3,
        "remote": True,
        "supervisor": "Dr. Bench",
        "respond_by": TODAY + timedelta(days=7),
        "created_by_id": employer.id,
        "approved_by_id": teacher.id if approved else None,
        "approved_at": NOW if approved else None,
        # An accepted offer was answered (the funnel's medians measure the days between).
        "answered_at": NOW - timedelta(days=40 - 8 * rung.level) if accepted else None,
    }


# --- (a) the race ------------------------------------------------------------------------------


def race(app, offers: int, clients: int, per_offer: int) -> bool:
    """Every group of `per_offer` clients races on its offers, one after the other."""
    groups = clients // per_offer
    with app.app_context():
        school, teacher, challenge, teams, employer = school_world("race", groups, per_offer)
        rows = engagements(employer, school, challenge, teams, offers, spread=False)
        approved = [
            offer_row(e, Rung.MENTORSHIP, OfferStatus.APPROVED, employer, teacher) for e in rows
        ]
        offer_ids = insert(Offer, approved)
        students = [[m.id for m in members] for _, members in teams]
        db.session.commit()
    # Offer i goes to group i % groups (the engagement of team i % groups): its students race.
    plans = [offer_ids[g::groups] for g in range(groups)]
    barriers = [threading.Barrier(per_offer) for _ in range(groups)]
    timings: dict[str, list[float]] = {"ok": [], "done": [], "refused": []}
    errors: list[str] = []

    def client(group: int, seat: int) -> None:
        with app.app_context():
            student = students[group][seat]
            for offer_id in plans[group]:
                barriers[group].wait()
                start, outcome = time.perf_counter(), "ok"
                try:
                    offer = db.session.get(Offer, offer_id)
                    ladder.accept(offer, db.session.get(User, student), TODAY)
                    db.session.commit()
                except ladder.AlreadyDone:
                    outcome = "done"
                except ladder.LadderError:
                    outcome = "refused"
                except Exception as error:  # reported, and the run fails
                    errors.append(f"{type(error).__name__}: {str(error)[:200]}")
                    outcome = ""
                finally:
                    db.session.rollback()
                if outcome:
                    timings[outcome].append((time.perf_counter() - start) * 1000)
            db.session.remove()

    threads = [
        threading.Thread(target=client, args=(g, s))
        for g in range(groups)
        for s in range(per_offer)
    ]
    first, start = statements(), time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall, issued = time.perf_counter() - start, statements() - first - 1
    ok, attempts = len(timings["ok"]), sum(map(len, timings.values())) + len(errors)
    pool = app.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_size"]
    print(
        f"(a) race: {offers} approved offers, {len(threads)} clients in threads ({per_offer} "
        f"per offer), {pool} pooled connections"
    )
    print(
        f"    {attempts} attempts in {wall:.1f} s: {ok / wall:.1f} transitions/s, "
        f"{attempts / wall:.1f} attempts/s, {issued / attempts:.1f} SQL statements per attempt"
    )
    print(
        f"    accepted {ok}, refused as already done {len(timings['done'])}, other refusals "
        f"{len(timings['refused'])}, errors {len(errors)}"
    )
    for kind, label in (("ok", "transition"), ("done", "refusal")):
        if timings[kind]:
            print(
                f"    latency per {label:<10}  p50 {percentile(timings[kind], 50):7.1f} ms"
                f"   p95 {percentile(timings[kind], 95):7.1f} ms"
            )
    for error in errors[:5]:
        print(f"    ! {error}")
    return exactly_once(app, offer_ids) and not errors


def exactly_once(app, offer_ids: list[int]) -> bool:
    """Every offer accepted once, one "offer accepted" row each, every engagement lifted once."""
    with app.app_context():
        accepted = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Offer)
            .where(Offer.id.in_(offer_ids), Offer.status == OfferStatus.ACCEPTED)
        )
        per_offer = dict(
            db.session.execute(
                sa.select(EngagementEvent.offer_id, sa.func.count())
                .where(EngagementEvent.action == "offer accepted")
                .group_by(EngagementEvent.offer_id)
            ).all()
        )
        lifted = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Engagement)
            .where(Engagement.rung == Rung.MENTORSHIP, Engagement.version == 2)
        )
    wrong = [o for o in offer_ids if per_offer.get(o) != 1]
    ok = accepted == len(offer_ids) and not wrong and lifted == len(offer_ids)
    print(
        f"    exactly once: {accepted}/{len(offer_ids)} offers accepted, "
        f"{len(offer_ids) - len(wrong)}/{len(offer_ids)} with one 'offer accepted' row, "
        f"{lifted}/{len(offer_ids)} engagements lifted once -> {'OK' if ok else 'VIOLATED'}"
    )
    return ok


def percentile(values: list[float], p: int) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(len(ordered) * p / 100) - 1))]


# --- (b) the board ------------------------------------------------------------------------------


def stamp_reached(school_id: int) -> None:
    """Each engagement of the school keeps when it reached each rung, from its accepted offers
    (as accepting one does)."""
    for rung in OFFER_RUNGS:
        answered = (
            sa.select(Offer.answered_at)
            .where(Offer.engagement_id == Engagement.id, Offer.accepted_rung == rung)
            .scalar_subquery()
        )
        db.session.execute(
            sa.update(Engagement)
            .where(Engagement.school_id == school_id)
            .values({Engagement.reached_column(rung): answered})
            .execution_options(synchronize_session=False)
        )


def seed_board(count: int, name: str) -> User:
    """One organisation with `count` engagements over every rung and status, each with its
    accepted offers, sometimes an open one, and their timeline rows."""
    school, teacher, challenge, teams, employer = school_world(name, 200, 2)
    rows = engagements(employer, school, challenge, teams, count, spread=True)
    offers, events = [], []
    for i, e in enumerate(rows):
        events.append(
            {
                "engagement_id": e["id"],
                "actor_id": employer.id,
                "action": "interest",
                "to_state": "interest",
                "created_at": e["created_at"],
            }
        )
        for rung in LADDER[1 : e["rung"].level + 1]:
            offers.append(offer_row(e, rung, OfferStatus.ACCEPTED, employer, teacher))
        nxt = e["rung"].next
        if nxt is not None and e["status"] is EngagementStatus.ACTIVE and i % 3:
            status = (OfferStatus.DRAFT, OfferStatus.PROPOSED, OfferStatus.APPROVED)[i % 3]
            offers.append(offer_row(e, nxt, status, employer, teacher))
    offer_ids = insert(Offer, offers)
    stamp_reached(school.id)
    for offer, offer_id in zip(offers, offer_ids, strict=True):
        accepted = offer["status"] is OfferStatus.ACCEPTED
        events.append(
            {
                "engagement_id": offer["engagement_id"],
                "offer_id": offer_id,
                "actor_id": employer.id,
                "action": "offer accepted" if accepted else "offer drafted",
                "to_state": offer["status"].value,
                "created_at": NOW - timedelta(days=5),
            }
        )
    insert(EngagementEvent, events)
    db.session.commit()
    print(f"    seeded {name}: {count} engagements, {len(offers)} offers, {len(events)} events")
    return employer


def board(app, count: int, rounds: int) -> bool:
    if "engagements.pipeline" not in app.view_functions:
        print(
            "(b) board: the /pipeline page (endpoint engagements.pipeline) is not there yet: "
            "skipped."
        )
        return True
    print(f"(b) board: GET /pipeline, {rounds} requests per organisation")
    with app.app_context():
        employers = {n: seed_board(n, f"board{n}").get_id() for n in (50, count)}
    print(f"    {'engagements':>11} {'statements':>11} {'p50 ms':>8} {'p95 ms':>8} {'KiB':>6}")
    for n, user_id in employers.items():
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"], session["_fresh"] = user_id, True
        timings, per_request = [], set()
        for _ in range(rounds + 2):  # the first two warm the caches
            before, start = statements(), time.perf_counter()
            response = contextvars.Context().run(client.get, "/pipeline")
            timings.append((time.perf_counter() - start) * 1000)
            per_request.add(statements() - before - 1)
            if response.status_code != 200:
                print(f"    ! /pipeline answered {response.status_code}")
                return False
        timings = timings[2:]
        print(
            f"    {n:>11} {'/'.join(map(str, sorted(per_request))):>11} "
            f"{percentile(timings, 50):>8.1f} {percentile(timings, 95):>8.1f} "
            f"{len(response.data) / 1024:>6.0f}"
        )
    return True


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--only", choices=["race", "board"])
    parser.add_argument("--offers", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--per-offer", type=int, default=5)
    parser.add_argument(
        "--pool",
        type=int,
        default=80,
        help="connections shared by the clients (PostgreSQL allows 100 by default)",
    )
    parser.add_argument("--engagements", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    ok = True
    ensure_database(URL)
    with tempfile.TemporaryDirectory() as tmp:
        app = build_app(Path(tmp), min(args.pool, args.clients))
        print(f"database: {URL.split('@')[-1]}")
        if args.only in (None, "race"):
            with app.app_context():
                postgres = db.engine.dialect.name == "postgresql"
            if postgres:
                ok = race(app, args.offers, args.clients, args.per_offer) and ok
            else:
                print("(a) race: needs PostgreSQL (SQLite serialises writers): skipped.")
        if args.only in (None, "board"):
            ok = board(app, args.engagements, args.rounds) and ok
        with app.app_context():
            db.engine.dispose()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
