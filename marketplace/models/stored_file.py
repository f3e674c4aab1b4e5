"""What every file a user sends is, wherever it belongs (a project's, a message's): its key in
`Storage`, its name, kind, type, size and hash, and whether its bytes were checked and stored."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from .base import UTCDateTime, enum_column, utcnow


class FileStatus(enum.StrEnum):
    """Two phases: a row is pending until its bytes are checked and stored."""

    PENDING = "pending"
    STORED = "stored"


class StoredFile:
    """The columns of a stored file, shared by `ProjectFile` and `MessageAttachment`."""

    key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    filename: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[str] = mapped_column(sa.String(20))
    content_type: Mapped[str] = mapped_column(sa.String(120), default="")
    size: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    sha256: Mapped[str] = mapped_column(sa.String(64), default="")
    status: Mapped[FileStatus] = mapped_column(
        enum_column(FileStatus), default=FileStatus.PENDING, index=True
    )
    uploaded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    stored_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
