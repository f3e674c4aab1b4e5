"""The media jobs: written when a file is stored, prepared by the worker.

A job belongs to a content (its SHA-256), not to an upload: the same bytes uploaded twice, in
one project or two, share one job and one set of images. The job table is a `leases.Queue`, as
the outbox is: a job is claimed under a lease, and a worker killed mid-job leaves it to be
claimed again once `MEDIA_CLAIM_SECONDS` have passed. The images' keys follow from the content
(`media/<sha256>/slide-001.webp`), so a job made twice writes the same objects again, and a
finished job removes whatever else its folder holds: exactly one set, however it got there.

What the sandbox refuses (a PDF that cannot be drawn, a bomb, a video whose container lies
about its codec) fails the job for good, with the reason for the team in `problem`, and no
image of it is kept. What the storage refuses (unreachable, say) is retried with back-off.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from ..extensions import db, rows_matched, upsert
from ..leases import Queue, backoff
from ..models import FileStatus, MediaJob, MediaState, PitchRole, Project, ProjectFile, utcnow
from ..storage import copy_stream, storage

log = logging.getLogger(__name__)
WORKER_NAME = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
MEDIA_KINDS = frozenset({"image", "pdf", "video"})
MEDIA = Queue(MediaJob, pending=MediaState.PENDING.value, working=MediaState.WORKING.value)
SANDBOX = Path(__file__).with_name("sandbox.py")
PREFIX = "media/"
THUMB = "thumb.webp"
GAVE_UP = (
    "We could not prepare this file. Remove it and upload it again; if it happens again, tell "
    "your teacher."
)
TOO_MUCH = (
    "This file needs more memory or time to show than we allow (it may be far larger inside "
    "than it looks). Export it again, smaller, and upload it."
)


def key(sha256: str, name: str) -> str:
    """Where one of a content's images is stored: `media/<sha256>/<name>`."""
    return f"{PREFIX}{sha256}/{name}"


def slide_keys(job: MediaJob) -> list[str]:
    """The keys of a prepared deck's slide images, in order."""
    return [key(job.sha256, f"slide-{n:03d}.webp") for n in range(1, job.info.get("pages", 0) + 1)]


def enqueue(row: ProjectFile) -> None:
    """A job for a stored file's content, unless one exists (in the caller's transaction)."""
    if row.kind not in MEDIA_KINDS or not row.sha256:
        return
    values = {
        "sha256": row.sha256,
        "kind": row.kind,
        "source_key": row.key,
        "state": MediaState.PENDING.value,
        "attempts": 0,
        "next_attempt_at": utcnow(),
        "info": {"type": row.content_type},
        "problem": "",
        "last_error": "",
        "created_at": utcnow(),
    }
    db.session.execute(
        upsert(MediaJob).values(**values).on_conflict_do_nothing(index_elements=["sha256"])
    )
    # The same bytes again after the storage failed them for good: this upload tries again
    # (a file the sandbox refused stays refused: the same bytes would be refused again).
    db.session.execute(
        sa.update(MediaJob)
        .where(
            MediaJob.sha256 == row.sha256,
            MediaJob.state == MediaState.FAILED.value,
            MediaJob.last_error != "",
        )
        .values(
            state=MediaState.PENDING.value,
            attempts=0,
            next_attempt_at=utcnow(),
            problem="",
            claimed_by=None,
            claimed_until=None,
        )
        .execution_options(synchronize_session=False)
    )


def job_for(row: ProjectFile) -> MediaJob | None:
    """The job of a file's content (None for files nothing is made from)."""
    if row.kind not in MEDIA_KINDS or not row.sha256:
        return None
    return db.session.scalar(sa.select(MediaJob).where(MediaJob.sha256 == row.sha256))


def jobs_for(rows: Iterable[ProjectFile]) -> dict[str, MediaJob]:
    """The jobs of several files' contents, by SHA-256, in one statement."""
    hashes = {row.sha256 for row in rows if row.kind in MEDIA_KINDS and row.sha256}
    if not hashes:
        return {}
    return {
        job.sha256: job
        for job in db.session.scalars(sa.select(MediaJob).where(MediaJob.sha256.in_(hashes)))
    }


def forget_unused(hashes: Iterable[str]) -> int:
    """Drop the jobs and images of contents no file holds any more; how many."""
    unused = [
        sha
        for sha in set(hashes)
        if sha
        and db.session.scalar(sa.select(ProjectFile.id).where(ProjectFile.sha256 == sha).limit(1))
        is None
    ]
    for sha in unused:
        for stored in list(storage().keys(f"{PREFIX}{sha}/")):
            storage().delete(stored)
        db.session.execute(sa.delete(MediaJob).where(MediaJob.sha256 == sha))
    return len(unused)


def backfill() -> int:
    """Jobs for stored files that have none (stored before media jobs existed, or whose job
    was dropped while the same bytes were uploaded again); how many were written."""
    missing = db.session.scalars(
        sa.select(ProjectFile)
        .outerjoin(MediaJob, MediaJob.sha256 == ProjectFile.sha256)
        .where(
            ProjectFile.status == FileStatus.STORED,
            ProjectFile.kind.in_(MEDIA_KINDS),
            ProjectFile.sha256 != "",
            MediaJob.id.is_(None),
        )
    ).all()
    for row in missing:
        enqueue(row)
    return len({row.sha256 for row in missing})


def resync_covers() -> int:
    """Every project's card cover from its cover file's finished job (a cover chosen at the
    moment its job finished may have missed it); how many projects changed."""
    ready = (
        sa.select(sa.literal(PREFIX) + ProjectFile.sha256 + sa.literal("/" + THUMB))
        .join(MediaJob, MediaJob.sha256 == ProjectFile.sha256)
        .where(
            ProjectFile.project_id == Project.id,
            ProjectFile.pitch_role == PitchRole.COVER,
            ProjectFile.status == FileStatus.STORED,
            MediaJob.state == MediaState.DONE.value,
        )
        .limit(1)
        .scalar_subquery()
    )
    wanted = sa.func.coalesce(ready, "")
    return rows_matched(
        sa.update(Project)
        .where(Project.cover_key != wanted)
        .values(cover_key=wanted)
        .execution_options(synchronize_session=False)
    )


def orphan_prefixes() -> list[str]:
    """Image folders of contents with no job (left by a job deleted mid-way)."""
    known = set(db.session.scalars(sa.select(MediaJob.sha256)))
    seen: set[str] = set()
    for stored in storage().keys(PREFIX):
        sha = stored.removeprefix(PREFIX).split("/", 1)[0]
        if sha not in known:
            seen.add(sha)
    return sorted(seen)


@dataclass
class Batch:
    """What one `prepare_due()` call did."""

    claimed: int = 0
    done: int = 0
    failed: int = 0  # refused for good (the team is told why)
    retried: int = 0  # storage trouble: due again after a back-off
    released: int = 0  # claimed but not started (stopping)


def _lease() -> timedelta:
    return timedelta(seconds=current_app.config["MEDIA_CLAIM_SECONDS"])


def run_sandbox(kind: str, source: Path, out: Path, mime: str, timeout: int | None = None) -> dict:
    """Run `sandbox.py` on one file under the memory and CPU limits, in a session of its own
    and with nothing of the app's environment (no database or storage credentials, no secret
    key: a renderer a hostile file took over finds nothing to use); what it wrote."""
    config = current_app.config
    command = [
        sys.executable,
        "-I",
        str(SANDBOX),
        kind,
        str(source),
        str(out),
        mime,
        str(config["MEDIA_MEMORY_MB"]),
        str(config["MEDIA_CPU_SECONDS"]),
    ]
    bare = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(out), "LANG": "C.UTF-8"}
    process = subprocess.Popen(  # noqa: S603 - our own script, our own arguments
        command,
        cwd=out,
        env=bare,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its ffmpeg too is stopped with it
    )
    try:
        process.wait(timeout=timeout or config["MEDIA_TIMEOUT_SECONDS"])
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        return {"problem": TOO_MUCH}
    written = out / "info.json"
    try:
        result = json.loads(written.read_text())
    except (OSError, ValueError):  # killed by a limit (or crashed): a bomb, or like one
        return {"problem": TOO_MUCH}
    if not isinstance(result, dict) or not ("info" in result or "problem" in result):
        return {"problem": TOO_MUCH}
    return result


class Unplayable(Exception):
    """A video that cannot be read at all; the message is for the team."""


def strip_metadata(source: Path, mime: str, folder: Path) -> Path:
    """A copy of an uploaded video without its metadata (where and when it was recorded, the
    device): its streams copied as they are, in the limited process. Raises Unplayable."""
    out = folder / "stripped"
    out.mkdir()
    result = run_sandbox("strip", source, out, mime)
    if "problem" in result:
        raise Unplayable(result["problem"])
    return out / result["info"]["file"]


def _source(session: Session, job: MediaJob) -> str | None:
    """A stored file with the job's content: its own source, or another if that one is gone."""
    if storage().size(job.source_key) is not None:
        return job.source_key
    other = session.scalar(
        sa.select(ProjectFile.key).where(
            ProjectFile.sha256 == job.sha256, ProjectFile.status == FileStatus.STORED
        )
    )
    return other if other and storage().size(other) is not None else None


def _clear(sha256: str, keep: set[str] = frozenset()) -> None:  # type: ignore[assignment]
    for stored in list(storage().keys(f"{PREFIX}{sha256}/")):
        if stored not in keep:
            storage().delete(stored)


def _covers(session: Session, sha256: str, thumb: str) -> None:
    """Projects whose cover has this content show its thumbnail on their cards from now on."""
    covers = sa.select(ProjectFile.project_id).where(
        ProjectFile.sha256 == sha256,
        ProjectFile.pitch_role == PitchRole.COVER,
        ProjectFile.status == FileStatus.STORED,
    )
    session.execute(
        sa.update(Project)
        .where(Project.id.in_(covers))
        .values(cover_key=thumb)
        .execution_options(synchronize_session=False)
    )


def _still_mine(session: Session, job: MediaJob, worker: str) -> bool:
    """Renew this worker's lease on the job; False if it ran out and another took the job."""
    held, _ = MEDIA.renew(session, [job.id], worker, _lease())
    return job.id in held


def _retry_or_give_up(session: Session, job: MediaJob, worker: str, error: Exception) -> str:
    """Storage trouble (or a fault of ours): try again after a back-off, or give up."""
    config = current_app.config
    attempts = job.attempts + 1
    last = attempts >= config["MEDIA_MAX_ATTEMPTS"]
    log.warning("media job %s failed (attempt %d): %r", job.id, attempts, error)
    wait = backoff(attempts, config["MEDIA_RETRY_BASE_SECONDS"], config["MEDIA_RETRY_MAX_SECONDS"])
    session.rollback()
    MEDIA.finish(
        session,
        job.id,
        worker,
        attempts=attempts,
        state=(MediaState.FAILED if last else MediaState.PENDING).value,
        problem=GAVE_UP if last else "",
        next_attempt_at=utcnow() + wait,
        last_error=f"{type(error).__name__}: {error}"[:500],
    )
    return "failed" if last else "retried"


def prepare(session: Session, job: MediaJob, worker: str) -> str:
    """Make one job's images and finish it: 'done', 'failed', 'retried', 'gone' or 'lost' (the
    lease ran out and another worker has the job: it writes the same images)."""
    try:
        source = _source(session, job)
        if source is None:  # every file of this content was removed meanwhile
            session.execute(
                sa.delete(MediaJob).where(MediaJob.id == job.id, MediaJob.claimed_by == worker)
            )
            session.commit()
            return "gone"
        with tempfile.TemporaryDirectory(prefix="media-") as folder:
            work = Path(folder)
            original, out = work / "source", work / "out"
            out.mkdir()
            with storage().open(source) as stream, original.open("wb") as local:
                for chunk in copy_stream(stream):
                    local.write(chunk)
            result = run_sandbox(job.kind, original, out, job.info.get("type", ""))
            if not _still_mine(session, job, worker):
                return "lost"
            if "problem" in result:
                _clear(job.sha256)
                MEDIA.finish(
                    session,
                    job.id,
                    worker,
                    state=MediaState.FAILED.value,
                    problem=str(result["problem"])[:400],
                    done_at=utcnow(),
                )
                return "failed"
            made = sorted(p for p in out.iterdir() if p.name != "info.json")
            keys = {key(job.sha256, p.name) for p in made}
            for image in made:
                with image.open("rb") as handle:
                    storage().write(key(job.sha256, image.name), copy_stream(handle), 1 << 30)
            if not _still_mine(session, job, worker):
                return "lost"
            _clear(job.sha256, keep=keys)
        info = {"type": job.info.get("type", ""), **result["info"]}
        if job.kind == "image":
            _covers(session, job.sha256, key(job.sha256, THUMB))
        finished = MEDIA.finish(
            session,
            job.id,
            worker,
            state=MediaState.DONE.value,
            info=info,
            problem="",
            done_at=utcnow(),
        )
    except Exception as error:  # storage trouble above all; never a job stuck "working"
        return _retry_or_give_up(session, job, worker, error)
    return "done" if finished else "lost"


def prepare_due(
    *,
    worker: str | None = None,
    batch: int | None = None,
    ids: Iterable[int] | None = None,
    stop: Callable[[], bool] = lambda: False,
) -> Batch:
    """Claim due jobs (only `ids`, when given) and prepare them one after another."""
    worker = worker or WORKER_NAME
    limit = batch or current_app.config["MEDIA_BATCH_SIZE"]
    done = Batch()
    with db.session.session_factory(expire_on_commit=False) as session:
        claimed = MEDIA.claim(session, worker=worker, limit=limit, lease=_lease(), ids=ids)
        done.claimed = len(claimed)
        for position, job_id in enumerate(claimed):
            rest = claimed[position:]
            if stop():
                done.released += MEDIA.release(session, rest, worker)
                break
            held, _ = MEDIA.renew(session, rest, worker, _lease())
            if job_id not in held:
                continue
            job = session.get(MediaJob, job_id)
            session.commit()
            if job is None:
                continue
            outcome = prepare(session, job, worker)
            if outcome == "done":
                done.done += 1
            elif outcome == "failed":
                done.failed += 1
            elif outcome == "retried":
                done.retried += 1
    return done
