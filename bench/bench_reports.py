"""Reports at a district's size on PostgreSQL: the funnel page over 100,000 engagements, and the
work-based-learning record export of 10,000 placements (its time and the peak memory Python
held while it streamed, next to the export of 1,000: constant memory means the same peak).

    .venv/bin/python bench/bench_reports.py
    .venv/bin/python bench/bench_reports.py --engagements 20000 --placements 2000 --rounds 10

The database is BENCH_DATABASE_URL (default the `bench` database on 127.0.0.1, created if
missing); its public schema is dropped and migrated afresh, so never point it at data you keep.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
import tracemalloc
import urllib.request
from pathlib import Path

import sqlalchemy as sa
from bench_ladder import URL, build_app, ensure_database, seed_board
from bench_placements import measure
from bench_placements import seed as seed_placements
from werkzeug.serving import make_server

from marketplace.extensions import db
from marketplace.models import User


def export(app, login_id: str, traced: bool) -> tuple[int, float, float]:
    """Rows, seconds and (`traced`) the peak MiB Python allocated while the CSV streamed,
    fetched over HTTP from the app served in this process (so tracemalloc sees the server's
    memory). Tracing slows Python several times over: time an untraced run."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = login_id, True
    cookie = client.get_cookie("session")
    assert cookie is not None
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    request = urllib.request.Request(
        f"http://127.0.0.1:{server.server_port}/reports/placements/wbl.csv",
        headers={"Cookie": f"session={cookie.value}"},
    )
    if traced:
        tracemalloc.start()
    begun = time.perf_counter()
    lines = 0
    with urllib.request.urlopen(request) as response:  # noqa: S310 (http on loopback)
        while chunk := response.read(64 * 1024):
            lines += chunk.count(b"\n")
    seconds = time.perf_counter() - begun
    peak = 0
    if traced:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    server.shutdown()
    thread.join(timeout=5)
    return lines - 1, seconds, peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--engagements", type=int, default=100_000)
    parser.add_argument("--placements", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    ensure_database(URL)
    with tempfile.TemporaryDirectory() as tmp:
        app = build_app(Path(tmp), 4)
        with app.app_context():
            if db.engine.dialect.name != "postgresql":
                raise SystemExit("bench_reports needs PostgreSQL (BENCH_DATABASE_URL)")
            print(f"database: {URL.split('@')[-1]}")
            seed_board(args.engagements, "funnel")  # every rung and status, accepted offers
            admin = db.session.scalars(
                sa.select(User).where(User.email == "admin-funnel@bench.example")
            ).one()
            admin_login = admin.get_id()
            small = seed_placements("few", args.placements // 10, 10)
            big = seed_placements("many", args.placements, 10)
            logins = {
                name: db.session.get_one(User, world["teacher"]).get_id()
                for name, world in (("few", small), ("many", big))
            }
            db.session.commit()
            with db.engine.connect() as connection:  # the statistics autovacuum would gather
                connection.execution_options(isolation_level="AUTOCOMMIT").execute(
                    sa.text("ANALYZE")
                )
        print(f"    {'page':<36} {'statements':>10} {'p50 ms':>8} {'p95 ms':>8}")
        for label, who, path in (
            ("the funnel", admin_login, "/reports/funnel"),
            ("the funnel, one school year", admin_login, "/reports/funnel?year=2026"),
            ("the placements report", logins["many"], "/reports/placements"),
            ("the students report", admin_login, "/reports/students"),
            ("the events report", admin_login, "/reports/events"),
            ("the partners report", admin_login, "/reports/partners"),
        ):
            count, p50, p95, _ = measure(app, who, path, args.rounds)
            print(f"    {label:<36} {count:>10} {p50:>8.1f} {p95:>8.1f}")
        print(f"    {'export':<36} {'rows':>10} {'seconds':>8} {'peak MiB':>8}")
        for name in ("few", "many"):
            rows, seconds, _ = export(app, logins[name], traced=False)
            _, _, peak = export(app, logins[name], traced=True)
            print(f"    {'the WBL record of ' + name:<36} {rows:>10} {seconds:>8.2f} {peak:>8.1f}")
        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
