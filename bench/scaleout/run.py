"""The scale-out run (`make scaleout`): nginx in front of two app servers, two workers,
PostgreSQL, Redis and SeaweedFS, all on loopback, driven by locust; then the ledger.

    .venv/bin/python bench/scaleout/run.py [--seconds 60] [--users 40]

What is deployed is what the repository ships, used as it is: nginx runs `deploy/nginx.conf`
(its upstream's ports are where the app servers are started), and each app server and worker
runs the `ExecStart` of `deploy/marketplace-web@.service` / `deploy/marketplace-worker@.service`
with `%i` its instance, from this checkout, with the environment file the units name written
here (`APP_ENV=production`, the databases and the bucket of this run).

Three phases of `--seconds` each, locust headless as a process of its own (its own virtualenv,
requirements/locust.txt): one app server; two; two again while one app server is killed and
restarted, then one worker. Printed: requests/s and p95 per kind of request in each phase (how
it scales), the errors users saw during the kills (nginx retries idempotent requests on the
surviving server: GETs should show none), and the ledger: every write locust was told succeeded
is in the database, every mail queued was sent exactly once, no upload is left half-made.
Everything started is stopped at the end, whatever happens.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import re
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_browse import PASSWORD, seed  # noqa: E402

from tests.s3 import weed_mini  # noqa: E402  (the suite's own way of starting SeaweedFS)

PG = os.environ.get(
    "SCALEOUT_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/scaleout"
)
REDIS = os.environ.get("SCALEOUT_REDIS_URL", "redis://127.0.0.1:6379/9")
LOCUST = Path(os.environ.get("LOCUST", ROOT / ".venv-locust" / "bin" / "locust"))
DEPLOY = Path(os.environ.get("SCALEOUT_DEPLOY", ROOT / "deploy"))  # another folder: a trial
S3_OFFSET = 300  # SeaweedFS's fixed ports, moved clear of the test runs' servers
PHASES = ("one", "two", "kill")
DRAFTS = 200  # teams with a draft their students edit, upload to and submit
ORGANISATIONS = 200


# --- processes -----------------------------------------------------------------------------------


class Processes:
    """Every process the run starts, each in a session of its own; all stopped at the end."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.running: dict[str, subprocess.Popen] = {}

    def start(self, name: str, command: list[str], env: dict[str, str], cwd: Path = ROOT) -> None:
        log = (self.logs / f"{name}.log").open("ab")
        self.running[name] = subprocess.Popen(  # noqa: S603 - the repository's own commands
            command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        process = self.running.pop(name)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:  # it would not stop: killed
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

    def alive(self, name: str) -> None:
        """Refuse to go on when a process of the run has already exited (another server on its
        port, a bad configuration): the run would measure something else."""
        code = self.running[name].poll()
        if code is not None:
            log = (self.logs / f"{name}.log").read_text(errors="replace")[-1500:]
            raise RuntimeError(f"{name} exited ({code}):\n{log}")

    def stop_all(self) -> None:
        for name in list(self.running):
            self.kill(name, signal.SIGTERM)


def wait_for_port(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"nothing answered on port {port}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- the deployment files, used as they are ------------------------------------------------------


def unit(path: Path) -> dict[str, list[str]]:
    """A systemd unit's `Key=value` lines (a key may repeat)."""
    values: dict[str, list[str]] = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith(("#", ";", "[")) and "=" in line:
            key, _, value = line.partition("=")
            values.setdefault(key.strip(), []).append(value.strip())
    return values


def unit_command(path: Path, instance: str) -> tuple[list[str], dict[str, str]]:
    """The unit's ExecStart for `instance`, its checkout paths pointed at this checkout, and
    the `Environment=` it sets (on top of its EnvironmentFile, which the run writes)."""
    values = unit(path)
    workdir = values["WorkingDirectory"][0]
    command = values["ExecStart"][0].lstrip("@-+!:").replace("%i", instance)
    command = command.replace(workdir, str(ROOT))
    env = {}
    for line in values.get("Environment", []):
        for pair in shlex.split(line.replace("%i", instance)):
            key, _, value = pair.partition("=")
            env[key] = value
    return shlex.split(command), env


def _code(conf: str) -> str:
    """The configuration without its comments."""
    return "\n".join(line.split("#", 1)[0] for line in conf.splitlines())


def upstream_ports(conf: str) -> list[int]:
    return [int(p) for p in re.findall(r"server\s+127\.0\.0\.1:(\d+)", _code(conf))]


def listen_port(conf: str) -> int:
    found = re.search(r"listen\s+(?:127\.0\.0\.1:)?(\d+)", _code(conf))
    if not found:
        raise RuntimeError("deploy/nginx.conf listens on no port")
    return int(found.group(1))


def nginx_config(prefix: Path, web_unit: Path) -> tuple[Path, str]:
    """deploy/nginx.conf with its checkout paths pointed at this checkout; wrapped in a main
    configuration when it is a site file (a `server` without `http`)."""
    conf = (DEPLOY / "nginx.conf").read_text()
    workdir = unit(web_unit)["WorkingDirectory"][0]
    conf = conf.replace(workdir, str(ROOT))
    if not re.search(r"^\s*http\s*{", _code(conf), re.M):
        conf = (
            f"pid {prefix}/nginx.pid;\nerror_log {prefix}/error.log;\n"
            f"events {{ worker_connections 1024; }}\n"
            f"http {{\n  include /etc/nginx/mime.types;\n  access_log {prefix}/access.log;\n"
            f"{conf}\n}}\n"
        )
    target = prefix / "nginx.conf"
    target.write_text(conf)
    return target, conf


# --- the data ------------------------------------------------------------------------------------


def seed_scaleout(url: str, workdir: Path, projects: int) -> dict[str, str]:
    """bench_browse's data set, plus an employer for every organisation and a draft for the
    first DRAFTS teams; the patterns of their logins for locust."""
    from argon2 import PasswordHasher

    from config import TestConfig
    from marketplace import create_app
    from marketplace.extensions import db

    students = DRAFTS * 4 * 10
    seed(url, workdir, projects, students, ORGANISATIONS)
    config = TestConfig()
    config.TESTING = False
    config.SQLALCHEMY_DATABASE_URI = url
    config.INSTANCE_PATH = workdir
    app = create_app(config)
    hashed = PasswordHasher(time_cost=1, memory_cost=1024).hash(PASSWORD)
    now = datetime.now(UTC)
    with app.app_context():
        user_id = db.session.scalar(
            sa.select(sa.func.max(sa.column("id"))).select_from(sa.table("user"))
        )
        db.session.execute(
            sa.insert(db.metadata.tables["user"]),
            [
                {
                    "id": user_id + o,
                    "role": "employer",
                    "email": f"e{o}@scaleout.example",
                    "email_confirmed_at": now,
                    "first_name": "Load",
                    "last_name": f"Employer{o}",
                    "password_hash": hashed,
                    "organisation_id": o,
                    "session_version": 1,
                    "must_change_password": False,
                    "active": True,
                    "created_at": now,
                }
                for o in range(1, ORGANISATIONS + 1)
            ],
        )
        first_draft = projects + 1
        teams = db.session.execute(
            sa.text("SELECT id, classroom_id FROM team WHERE id BETWEEN 1 AND :n ORDER BY id"),
            {"n": DRAFTS},
        ).all()
        schools = dict(db.session.execute(sa.text("SELECT id, school_id FROM classroom")).all())
        challenges = dict(
            db.session.execute(
                sa.text("SELECT school_id, min(id) FROM challenge GROUP BY school_id")
            ).all()
        )
        db.session.execute(
            sa.insert(db.metadata.tables["project"]),
            [
                {
                    "id": first_draft + n,
                    "team_id": team,
                    "challenge_id": challenges[schools[classroom]],
                    "school_id": schools[classroom],
                    "title": f"Draft of team {team}",
                    "pitch": "A first idea.",
                    "summary": "What we will build.",
                    "body": "Notes so far.",
                    "skills": [],
                    "demo_url": "",
                    "repo_url": "",
                    "video_url": "",
                    "status": "draft",
                    "created_at": now,
                    "updated_at": now,
                }
                for n, (team, classroom) in enumerate(teams)
            ],
        )
        db.session.execute(
            sa.text("SELECT setval('project_id_seq', (SELECT max(id) FROM project))")
        )
        db.session.execute(sa.text("SELECT setval('user_id_seq', (SELECT max(id) FROM \"user\"))"))
        teachers = max(classroom for _, classroom in teams)
        db.session.commit()
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()
        db.engine.dispose()
    return {
        "SCALEOUT_PASSWORD": PASSWORD,
        "SCALEOUT_EMPLOYERS": str(ORGANISATIONS),
        "SCALEOUT_STUDENTS": str(len(teams)),
        "SCALEOUT_TEACHERS": str(teachers),
        "SCALEOUT_FIRST_DRAFT": str(first_draft),
    }


# --- the services --------------------------------------------------------------------------------


def start_seaweedfs(processes: Processes, folder: Path) -> tuple[str, str, str]:
    """SeaweedFS on loopback (ports moved by S3_OFFSET), a bucket; its endpoint and keys."""
    access, secret = "scaleout", secrets.token_hex(16)
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "s3.json"
    identity = {"name": "app", "credentials": [{"accessKey": access, "secretKey": secret}]}
    identity["actions"] = ["Admin", "Read", "Write", "List", "Tagging"]
    config.write_text(json.dumps({"identities": [identity]}))
    weed = Path(sys.executable).parent / "weed"
    processes.start("seaweedfs", weed_mini(weed, folder, config, S3_OFFSET), dict(os.environ))
    endpoint = f"http://127.0.0.1:{8333 + S3_OFFSET}"
    wait_for_port(8333 + S3_OFFSET)
    import boto3

    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=access,
        aws_secret_access_key=secret,
        region_name="us-east-1",
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            client.create_bucket(Bucket="scaleout")
            break
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(1)
    return endpoint, access, secret


class MailCatcher:
    """An SMTP listener counting what arrives by Message-ID (exactly once: never twice)."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.ids: Counter[str] = Counter()
        catcher = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                text = envelope.content.decode("utf-8", "replace")
                found = re.search(r"^Message-ID:\s*(\S+)", text, re.M | re.I)
                catcher.ids[found.group(1) if found else uuid.uuid4().hex] += 1
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()


def environment(
    workdir: Path, s3: tuple[str, str, str], smtp_port: int, public: int
) -> dict[str, str]:
    """The environment file the units name, written for this run."""
    endpoint, access, secret = s3
    return {
        "APP_ENV": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": PG,
        "BASE_URL": f"http://127.0.0.1:{public}",
        "PROXY_FIX_HOPS": "1",
        "SESSION_COOKIE_SECURE": "0",  # plain http on loopback
        "PREFERRED_URL_SCHEME": "http",
        "STORAGE_BACKEND": "s3",
        "S3_ENDPOINT_URL": endpoint,
        "S3_BUCKET": "scaleout",
        "S3_ACCESS_KEY_ID": access,
        "S3_SECRET_ACCESS_KEY": secret,
        "MAIL_BACKEND": "smtp",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp_port),
        "MAIL_DELIVERY": "worker",
        "WORKER_POLL_SECONDS": "0.5",
        "RATELIMIT_STORAGE_URI": REDIS,
        # Every simulated user logs in from 127.0.0.1: the per-address limits are a school's
        # shared address, not a load generator's.
        "LOGIN_LIMIT_PER_ADDRESS": "100000 per 15 minutes",
        "MESSAGE_LIMIT_PER_SENDER": "100000 per hour",
        "MESSAGE_LIMIT_PER_THREAD": "100000 per 10 minutes",
        "INSTANCE_PATH": str(workdir / "instance"),
        "LOG_FORMAT": "json",
    }


# --- the load ------------------------------------------------------------------------------------


def run_locust(
    name: str, seconds: int, users: int, public: int, env: dict[str, str], out: Path
) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 - locust from its own virtualenv
        [
            str(LOCUST),
            "-f",
            str(ROOT / "bench" / "scaleout" / "locustfile.py"),
            "--headless",
            "--users",
            str(users),
            "--spawn-rate",
            str(max(users // 5, 1)),
            "--run-time",
            f"{seconds}s",
            "--host",
            f"http://127.0.0.1:{public}",
            "--csv",
            str(out / name),
            "--only-summary",
            "--stop-timeout",
            "10",  # at the end, each user finishes what it is doing
            "--loglevel",
            "WARNING",
        ],
        env={**env, "SCALEOUT_OFFSET": str(PHASES.index(name) * users)},  # other teams each
        stdout=(out / f"{name}.locust.log").open("wb"),
        stderr=subprocess.STDOUT,
    )


def stats(out: Path, name: str) -> dict[str, dict[str, float]]:
    """locust's figures of a phase, per kind of request."""
    rows = {}
    with (out / f"{name}_stats.csv").open() as handle:
        for row in csv.DictReader(handle):
            key = f"{row['Type']} {row['Name']}".strip() if row["Name"] != "Aggregated" else "all"
            rows[key] = {
                "requests": float(row["Request Count"]),
                "failures": float(row["Failure Count"]),
                "rps": float(row["Requests/s"]),
                "p95": float(row["95%"] or 0),
            }
    return rows


# --- the ledger ----------------------------------------------------------------------------------


def check_ledger(ledger: Path, engine: sa.Engine, s3_client, mail: MailCatcher) -> list[str]:
    """Every write locust was told succeeded, found; every mail sent once; no upload half-made."""
    entries = (
        [json.loads(line) for line in ledger.read_text().splitlines()] if ledger.exists() else []
    )
    kinds = Counter(e["kind"] for e in entries)
    problems: list[str] = []
    # Per project: the last edit confirmed, and those sent after it (their answer lost).
    last_edit: dict[int, set[str]] = {}
    with engine.connect() as db:
        for e in entries:
            if e["kind"] == "interest":
                found = db.execute(
                    sa.text(
                        'SELECT count(*) FROM engagement JOIN "user" u ON '
                        "u.organisation_id = engagement.organisation_id "
                        "WHERE u.email = :email AND engagement.project_id = :project"
                    ),
                    {"email": e["employer"], "project": e["project"]},
                ).scalar()
                if not found:
                    problems.append(
                        f"interest of {e['employer']} in project {e['project']} missing"
                    )
            elif e["kind"] == "edit sent":
                last_edit.setdefault(e["project"], set()).add(e["marker"])
            elif e["kind"] == "edit":
                last_edit[e["project"]] = {e["marker"]}
            elif e["kind"] == "upload":
                row = db.execute(
                    sa.text("SELECT key, status, size FROM project_file WHERE id = :id"),
                    {"id": e["file"]},
                ).first()
                if row is None or row.status != "stored":
                    problems.append(f"upload {e['file']} not stored ({row and row.status})")
                    continue
                head = s3_client.head_object(Bucket="scaleout", Key=row.key)
                if head["ContentLength"] != row.size:
                    problems.append(f"upload {e['file']}: the object's size differs")
            elif e["kind"] in ("submit", "publish"):
                status = db.execute(
                    sa.text("SELECT status FROM project WHERE id = :id"), {"id": e["project"]}
                ).scalar()
                wanted = ("submitted", "published") if e["kind"] == "submit" else ("published",)
                if status not in wanted:
                    problems.append(f"project {e['project']} is {status} after its {e['kind']}")
            elif e["kind"] == "message":
                found = db.execute(
                    sa.text("SELECT count(*) FROM message WHERE thread_id = :t AND body = :b"),
                    {"t": e["thread"], "b": e["body"]},
                ).scalar()
                if found != 1:
                    problems.append(f"message in thread {e['thread']} found {found} times")
        for project, markers in last_edit.items():
            pitch = db.execute(
                sa.text("SELECT pitch FROM project WHERE id = :id"), {"id": project}
            ).scalar()
            if not any(marker in (pitch or "") for marker in markers):
                problems.append(f"project {project}: its last saved edit is not what it holds")
        pending = db.execute(
            sa.text("SELECT count(*) FROM project_file WHERE status != 'stored'")
        ).scalar()
        if pending:
            problems.append(f"{pending} upload(s) left half-made after the reconcile")
        mails = db.execute(
            sa.text("SELECT state, count(*) FROM outgoing_mail GROUP BY state")
        ).all()
        by_state = dict(mails)
    if set(by_state) - {"sent"}:
        problems.append(f"mail not all sent: {by_state}")
    twice = [mid for mid, n in mail.ids.items() if n > 1]
    if twice:
        problems.append(f"{len(twice)} mail(s) delivered more than once")
    if len(mail.ids) != by_state.get("sent", 0):
        problems.append(f"{by_state.get('sent', 0)} mails marked sent, {len(mail.ids)} received")
    received = sum(mail.ids.values())
    print(f"    ledger: {dict(kinds)}; mail sent {by_state.get('sent', 0)}, received {received}")
    return problems


# --- the run -------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=60, help="each phase")
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument(
        "--wait", type=float, default=2.0, help="most seconds between a user's actions (0: busy)"
    )
    parser.add_argument("--projects", type=int, default=20000)
    args = parser.parse_args()
    if not LOCUST.exists():
        raise SystemExit(
            f"{LOCUST} is missing: `make scaleout` installs it (requirements/locust.txt)"
        )
    web_unit, worker_unit = (
        DEPLOY / "marketplace-web@.service",
        DEPLOY / "marketplace-worker@.service",
    )
    with tempfile.TemporaryDirectory(prefix="scaleout-") as tmp:
        workdir = Path(tmp)
        (workdir / "logs").mkdir()
        processes = Processes(workdir / "logs")
        mail = None
        loads: list[subprocess.Popen] = []  # locust's runs, stopped with the rest

        def track(load: subprocess.Popen) -> subprocess.Popen:
            loads.append(load)
            return load

        try:
            from bench_ladder import ensure_database

            ensure_database(PG)
            print(f"seeding {args.projects} projects into {PG.rsplit('/', 1)[-1]} …", flush=True)
            logins = seed_scaleout(PG, workdir, args.projects)
            import redis

            redis.Redis.from_url(REDIS).flushdb()
            s3 = start_seaweedfs(processes, workdir / "seaweedfs")
            mail = MailCatcher()
            nginx_conf_path, nginx_conf = nginx_config(workdir, web_unit)
            public, ports = listen_port(nginx_conf), upstream_ports(nginx_conf)
            if len(ports) < 2:
                raise SystemExit("deploy/nginx.conf's upstream has fewer than two app servers")
            settings = environment(workdir, s3, mail.port, public)
            # What the units' EnvironmentFile would hold (kept with the run's logs).
            (workdir / "marketplace.env").write_text(
                "".join(f"{k}={v}\n" for k, v in settings.items())
            )
            env = {**os.environ, **settings}

            def web(port: int) -> None:
                command, extra = unit_command(web_unit, str(port))
                processes.start(f"web{port}", command, {**env, **extra})
                wait_for_port(port)
                processes.alive(f"web{port}")

            def worker(n: int) -> None:
                command, extra = unit_command(worker_unit, str(n))
                processes.start(f"worker{n}", command, {**env, **extra})

            for port in ports[:2]:
                web(port)
            worker(1)
            worker(2)
            processes.start(
                "nginx",
                ["nginx", "-p", str(workdir), "-c", str(nginx_conf_path), "-g", "daemon off;"],
                env,
            )
            wait_for_port(public)
            processes.alive("nginx")
            locust_env = {
                **os.environ,
                **logins,
                "LEDGER": str(workdir / "ledger.jsonl"),
                "SCALEOUT_WAIT": str(args.wait),
            }
            out = workdir / "locust"
            out.mkdir()

            results = {}
            # (a) one app server: the second one stopped (nginx passes its share to the first).
            processes.kill(f"web{ports[1]}", signal.SIGTERM)
            track(run_locust("one", args.seconds, args.users, public, locust_env, out)).wait()
            results["one app server"] = stats(out, "one")
            # (b) two app servers.
            web(ports[1])
            track(run_locust("two", args.seconds, args.users, public, locust_env, out)).wait()
            results["two app servers"] = stats(out, "two")
            # (c) two, and one killed and restarted, then a worker.
            load = track(run_locust("kill", args.seconds, args.users, public, locust_env, out))
            time.sleep(args.seconds / 3)
            processes.kill(f"web{ports[0]}")
            time.sleep(5)
            web(ports[0])
            time.sleep(args.seconds / 3 - 5)
            processes.kill("worker1")
            time.sleep(3)
            worker(1)
            load.wait()
            results["two, one killed"] = stats(out, "kill")
            # The outbox drains, pending uploads are reconciled, then the ledger is read.
            engine = sa.create_engine(PG)
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                with engine.connect() as db:
                    left = db.execute(
                        sa.text("SELECT count(*) FROM outgoing_mail WHERE state != 'sent'")
                    ).scalar()
                if not left:
                    break
                time.sleep(1)
            subprocess.run(  # noqa: S603
                [
                    str(Path(sys.executable).parent / "flask"),
                    "--app",
                    "wsgi",
                    "storage",
                    "reconcile",
                    "--older-than-minutes",
                    "0",
                ],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
            )
            import boto3

            s3_client = boto3.client(
                "s3",
                endpoint_url=s3[0],
                aws_access_key_id=s3[1],
                aws_secret_access_key=s3[2],
                region_name="us-east-1",
            )
            report(results)
            failures(out, PHASES)
            problems = check_ledger(workdir / "ledger.jsonl", engine, s3_client, mail)
            engine.dispose()
            for problem in problems:
                print(f"    ! {problem}")
            print(
                "    ledger: every write found, every mail sent once"
                if not problems
                else "    ledger: FAILED"
            )
            return 1 if problems else 0
        finally:
            for load in loads:
                if load.poll() is None:
                    load.kill()
            processes.stop_all()
            if mail is not None:
                mail.stop()


def failures(out: Path, names: tuple[str, ...]) -> None:
    """What the failed requests of each phase met, most frequent first."""
    for name in names:
        with (out / f"{name}_failures.csv").open() as handle:
            rows = sorted(csv.DictReader(handle), key=lambda r: -int(r["Occurrences"]))
        for row in rows[:6]:
            error = row["Error"][:90]
            print(f"    {name}: {row['Occurrences']:>4} × {row['Method']} {row['Name']}: {error}")


def report(results: dict[str, dict[str, dict[str, float]]]) -> None:
    kinds = sorted({k for phase in results.values() for k in phase if k != "all"})
    phases = list(results)
    print(f"    {'request':<40}" + "".join(f"{p:>26}" for p in phases))
    print(f"    {'':<40}" + "".join(f"{'req/s':>9}{'p95 ms':>9}{'errors':>8}" for _ in phases))
    for kind in [*kinds, "all"]:
        cells = ""
        for phase in phases:
            row = results[phase].get(kind)
            cells += (
                f"{row['rps']:>9.1f}{row['p95']:>9.0f}{int(row['failures']):>8}"
                if row
                else f"{'—':>26}"
            )
        print(f"    {kind:<40}{cells}")
    kill = results.get("two, one killed", {})
    gets = sum(r["failures"] for k, r in kill.items() if k.startswith("GET"))
    posts = sum(r["failures"] for k, r in kill.items() if k.startswith("POST"))
    print(f"    during the kills: {int(gets)} failed GETs (nginx retries them), ", end="")
    print(f"{int(posts)} failed POSTs")


if __name__ == "__main__":
    sys.exit(main())
