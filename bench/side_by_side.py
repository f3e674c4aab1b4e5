"""bench_browse's pages on two versions of the app at once, the load alternating between them.

This machine's speed drifts from minute to minute (the ceiling alone has measured 283 to 844
req/s while it compiled its template on every request, 1,150 to 1,500 since), so two
bench_browse runs one after the other can differ by more than a change does. Here an older
checkout (`--before`, e.g. made with `git worktree add /tmp/before REV`) and this one are served
side by side on the database bench_browse seeded, and each page's load alternates
between them in short slices (and the ceiling, `ceiling.py`, between rounds), so a drift falls
on both alike. Prints, per page, the ceiling's requests/s and each version's requests/s, share
of the ceiling, the median of its slices' p95 latency, and the median CPU per request (app +
PostgreSQL + load generator, in ms).

Run `.venv/bin/python bench/bench_browse.py --databases postgresql --no-covers` first (it seeds
the `bench` database), then `.venv/bin/python bench/side_by_side.py --before /tmp/before`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
from functools import partial
from pathlib import Path

import bench_browse as bench

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--before", type=Path, required=True, help="a checkout of the older code")
    parser.add_argument("--slice", type=float, default=4.0, help="seconds of load per slice")
    parser.add_argument("--rounds", type=int, default=5, help="slices per version and page")
    parser.add_argument("--projects", type=int, default=100_000, help="as seeded")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/bench"
        ),
    )
    args = parser.parse_args()
    pages = [
        ("browse", "/projects"),
        ("search", "/projects?q=clinic+robot"),
        ("search, common", "/projects?q=clinic"),
        ("project page", f"/projects/{args.projects // 2}"),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            "DATABASE_URL": args.postgres_url,
            "INSTANCE_PATH": tmp,
            "SECRET_KEY": "b" * 40,
            "APP_ENV": "development",
            "RATELIMIT_ENABLED": "0",
            "STORAGE_BACKEND": "local",
            "UPLOAD_DIR": f"{tmp}/uploads",
        }
        versions = {
            "before": bench.serve(["wsgi:app"], env, args.before.resolve()),
            "after": bench.serve(["wsgi:app"], env, ROOT),
        }
        ceiling, ceiling_port = bench.serve(["ceiling:app"], {}, ROOT / "bench")
        try:
            cookies = {name: bench.login(port) for name, (_, port) in versions.items()}
            for name, (_, port) in versions.items():  # every page once warm in both
                for _, path in pages:
                    bench.load(port, path, cookies[name], 1.0)
            print(
                f"{'page':<16}{'ceiling':>9}   before: req/s, share, p95 ms, CPU ms"
                "   after: the same"
            )
            for page, path in pages:
                rps: dict[str, list[float]] = {"before": [], "after": [], "ceiling": []}
                cpu: dict[str, list[float]] = {"before": [], "after": []}
                p95: dict[str, list[float]] = {"before": [], "after": []}
                for round_ in range(args.rounds):
                    for name in ("before", "after") if round_ % 2 == 0 else ("after", "before"):
                        server, port = versions[name]
                        figures = bench.cpu_split(
                            server, partial(bench.load, port, path, cookies[name], args.slice)
                        )
                        rps[name].append(figures["rps"])
                        p95[name].append(figures["p95"])
                        cpu[name].append(
                            figures["app_cpu"] + figures["db_cpu"] + figures["client_cpu"]
                        )
                    between = bench.load(ceiling_port, "/projects", "", args.slice)
                    rps["ceiling"].append(between["rps"])
                top = statistics.mean(rps["ceiling"])
                line = f"{page:<16}{top:>9.0f}"
                for name in ("before", "after"):
                    mean = statistics.mean(rps[name])
                    line += (
                        f"   {mean:6.0f} {mean / top * 100:4.0f}% "
                        f"{statistics.median(p95[name]):6.1f} {statistics.median(cpu[name]):6.2f}"
                    )
                print(line, flush=True)
        finally:
            for server, _ in versions.values():
                bench.stop(server)
            bench.stop(ceiling)


if __name__ == "__main__":
    main()
