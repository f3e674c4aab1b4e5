"""Judging a pitch event under load, on PostgreSQL.

    .venv/bin/python bench/bench_judging.py [--judges 60 --pitches 30 --threads 12]

(a) scores: a live event with `--pitches` pitches and `--judges` judges, each judge assigned
    ~10 pitches (min_judges = judges × 10 / pitches); every judge posts the judging form for
    each of their pitches through the Flask app (the test client, `--threads` requests in
    flight), every fifth one twice at once (a double tap). Prints the p50/p95/max latency of a
    score submission, submissions/s, and the exactly-once check (one judgement per judge and
    pitch, none lost); exits non-zero if violated.
(b) leaderboard: 100 judges × 60 pitches, every judge scoring every pitch (6,000 judgements);
    GET /events/<id>/results as the organiser, the leaderboard fragment (htmx) and the whole
    page. Prints SQL statements per request (next to a 5 × 6 event's: a count that grows with the
    data is an N+1) and p50/p95 latency.

The database is BENCH_DATABASE_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/bench,
created if missing); its public schema is dropped and migrated afresh.
"""

from __future__ import annotations

import argparse
import contextvars
import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
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
from marketplace.extensions import db  # noqa: E402
from marketplace.models import (  # noqa: E402
    EventGuest,
    EventPresenter,
    EventStatus,
    GuestRole,
    Judgement,
    PitchEvent,
    utcnow,
)
from marketplace.pitch_events import judging  # noqa: E402

URL = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/bench")


def build_app(workdir: Path, url: str):
    config = TestConfig()
    config.TESTING = False
    config.SQLALCHEMY_DATABASE_URI = url
    config.SQLALCHEMY_ENGINE_OPTIONS = {"pool_size": 16, "max_overflow": 0}
    config.INSTANCE_PATH = workdir
    config.MAIL_OUTBOX_DIR = str(workdir / "outbox")
    config.UPLOAD_DIR = str(workdir / "uploads")
    config.WTF_CSRF_ENABLED = False
    config.RATELIMIT_ENABLED = False
    app = create_app(config)
    with app.app_context():
        with db.engine.begin() as connection:
            connection.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        flask_migrate.upgrade()
    return app


def make_event(judges: int, pitches: int, min_judges: int) -> tuple[int, str, list[int]]:
    """A live event of a fresh school: `pitches` published projects entered, `judges` judges.
    Returns the event id, its organiser's session id and the judges' ids."""
    from tests.factories import Factory  # the suite's builders: sensible rows, fast

    make = Factory()
    teacher = make.teacher()
    classroom = make.classroom(teacher)
    challenge = make.challenge(teacher.school, author=teacher)
    from marketplace.models import ProjectStatus

    projects = [
        make.project(
            make.team(classroom, [make.student(classroom)]), challenge, ProjectStatus.PUBLISHED
        )
        for _ in range(pitches)
    ]
    event = make.pitch_event(
        author=teacher, status=EventStatus.LIVE, presenters=projects, min_judges=min_judges
    )
    guests = [make.event_guest(event, GuestRole.JUDGE) for _ in range(judges)]
    judging.rubric(event)
    db.session.commit()
    return event.id, teacher.get_id(), [g.id for g in guests]


class Statements:
    """Counts the SQL statements an engine runs while listening."""

    def __init__(self) -> None:
        self.n = 0

    def __call__(self, *_args: object) -> None:
        self.n += 1


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def scores_phase(app, judges: int, pitches: int, threads: int) -> bool:
    with app.app_context():
        per_judge = 10
        event_id, _, judge_ids = make_event(judges, pitches, judges * per_judge // pitches)
        event = db.session.get(PitchEvent, event_id)
        assert event is not None
        judging.assign(event)
        criteria = judging.rubric(event)
        jobs = []
        for judge_id in judge_ids:
            guest = db.session.get(EventGuest, judge_id)
            assert guest is not None
            token = judging.judge_token(guest)
            for n, presenter_id in enumerate(sorted(judging.assigned_to(guest))):
                value = 1 + (judge_id + presenter_id) % 5
                form = {f"c{c.id}": str(value) for c in criteria} | {"comment": f"v{value}"}
                url = f"/events/judge/{token}/pitches/{presenter_id}"
                jobs += [(url, form)] * (2 if n % 5 == 0 else 1)
        db.session.commit()
        expected = sum(len(judging.assigned_to(db.session.get(EventGuest, j))) for j in judge_ids)

    def post(job: tuple[str, dict]) -> tuple[float, int]:
        url, form = job
        client = app.test_client()
        started = time.perf_counter()
        status = contextvars.Context().run(client.post, url, data=form).status_code
        return time.perf_counter() - started, status

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        timings = list(pool.map(post, jobs))
    wall = time.perf_counter() - started
    latencies = [t * 1000 for t, _ in timings]
    bad = [s for _, s in timings if s != 303]
    with app.app_context():
        rows = db.session.execute(
            sa.select(Judgement.guest_id, Judgement.presenter_id).where(
                Judgement.event_id == event_id
            )
        ).all()
    distinct = len(set(rows))
    print(
        f"(a) scores: {len(jobs)} submissions ({len(jobs) - expected} double taps) by {judges} "
        f"judges on {pitches} pitches, {threads} in flight: {len(jobs) / wall:.0f}/s, "
        f"p50 {statistics.median(latencies):.1f} ms, p95 {percentile(latencies, 0.95):.1f} ms, "
        f"max {max(latencies):.1f} ms"
    )
    ok = not bad and len(rows) == expected == distinct
    print(
        f"    exactly once: {len(rows)} judgements, {distinct} distinct, {expected} expected, "
        f"{len(bad)} failed requests — {'OK' if ok else 'VIOLATED'}"
    )
    return ok


def leaderboard_phase(app, judges: int, pitches: int, rounds: int) -> None:
    for size in ((5, 6), (judges, pitches)):
        with app.app_context():
            event_id, organiser_id, judge_ids = make_event(*size, min_judges=1)
            criteria = judging.rubric(db.session.get(PitchEvent, event_id))
            presenter_ids = db.session.scalars(
                sa.select(EventPresenter.id).where(EventPresenter.event_id == event_id)
            ).all()
            now = utcnow()
            db.session.execute(
                sa.insert(Judgement),
                [
                    {
                        "event_id": event_id,
                        "guest_id": g,
                        "presenter_id": p,
                        "scores": {str(c.id): 1 + (g * 7 + p * 3 + c.id) % 5 for c in criteria},
                        "comment": "",
                        "created_at": now - timedelta(minutes=1),
                        "updated_at": now,
                    }
                    for g in judge_ids
                    for p in presenter_ids
                ],
            )
            db.session.commit()
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = organiser_id
            session["_fresh"] = True
        for label, headers in (("leaderboard (htmx)", {"HX-Request": "true"}), ("page", {})):
            counts: list[int] = []
            latencies: list[float] = []
            for _ in range(rounds):
                count = Statements()
                with app.app_context():
                    engine = db.engine
                    sa_event.listen(engine, "before_cursor_execute", count)
                    try:
                        started = time.perf_counter()
                        response = contextvars.Context().run(
                            client.get, f"/events/{event_id}/results", headers=headers
                        )
                        latencies.append((time.perf_counter() - started) * 1000)
                    finally:
                        sa_event.remove(engine, "before_cursor_execute", count)
                assert response.status_code == 200, response.status_code
                counts.append(count.n)
            print(
                f"(b) {size[0]} judges × {size[1]} pitches, {label}: "
                f"{statistics.median(counts):.0f} SQL statements, "
                f"p50 {statistics.median(latencies):.0f} ms, "
                f"p95 {percentile(latencies, 0.95):.0f} ms"
            )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--judges", type=int, default=60)
    parser.add_argument("--pitches", type=int, default=30)
    parser.add_argument("--threads", type=int, default=12)
    parser.add_argument("--board-judges", type=int, default=100)
    parser.add_argument("--board-pitches", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    ensure_database(URL)
    with tempfile.TemporaryDirectory() as workdir:
        app = build_app(Path(workdir), URL)
        ok = scores_phase(app, args.judges, args.pitches, args.threads)
        leaderboard_phase(app, args.board_judges, args.board_pitches, args.rounds)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
