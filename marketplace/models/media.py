"""Media jobs: what the worker makes from a stored file (thumbnails, slide images, a poster
frame), one job per content: the same bytes uploaded twice share one job and one set of images.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model
from .base import UTCDateTime, utcnow


class MediaState(enum.StrEnum):
    """pending → working → done, or failed (the problem is told to the team)."""

    PENDING = "pending"
    WORKING = "working"
    DONE = "done"
    FAILED = "failed"


class MediaJob(Model):
    """The derived images of one file's bytes (by their SHA-256), made by the worker: a
    `leases.Queue` like the outbox. `info` holds what was learnt (pages, size, duration,
    codecs); `problem` what the team is told when the file cannot be shown."""

    __table_args__ = (sa.Index("ix_media_job_due", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(sa.String(64), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(20))  # the file's kind: image, pdf, video
    source_key: Mapped[str] = mapped_column(sa.String(200))  # a stored file with these bytes
    state: Mapped[str] = mapped_column(sa.String(12), default=MediaState.PENDING.value)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(sa.String(80))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    info: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    problem: Mapped[str] = mapped_column(sa.String(400), default="")
    last_error: Mapped[str] = mapped_column(sa.String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def ready(self) -> bool:
        return self.state == MediaState.DONE.value

    @property
    def failed(self) -> bool:
        return self.state == MediaState.FAILED.value

    def __repr__(self) -> str:
        return f"<MediaJob {self.id} {self.kind} {self.state}>"
