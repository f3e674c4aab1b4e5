"""A project: a student team's solution to a challenge, reviewed by its teacher."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship

from ..extensions import Model
from .base import UTCDateTime, enum_column, utcnow
from .stored_file import StoredFile

if TYPE_CHECKING:
    from .challenge import Challenge
    from .school import School
    from .team import Team
    from .user import User


class ProjectStatus(enum.StrEnum):
    """draft → submitted → changes requested ⇄ submitted → published → archived."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes_requested"
    PUBLISHED = "published"
    ARCHIVED = "archived"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


PROJECT_TRANSITIONS: dict[ProjectStatus, frozenset[ProjectStatus]] = {
    ProjectStatus.DRAFT: frozenset({ProjectStatus.SUBMITTED}),
    ProjectStatus.SUBMITTED: frozenset({ProjectStatus.CHANGES_REQUESTED, ProjectStatus.PUBLISHED}),
    ProjectStatus.CHANGES_REQUESTED: frozenset({ProjectStatus.SUBMITTED}),
    ProjectStatus.PUBLISHED: frozenset({ProjectStatus.ARCHIVED}),
    ProjectStatus.ARCHIVED: frozenset(),
}

EDITABLE = frozenset({ProjectStatus.DRAFT, ProjectStatus.CHANGES_REQUESTED})
SNAPSHOT_FIELDS = (
    "title",
    "pitch",
    "summary",
    "body",
    "skills",
    "demo_url",
    "repo_url",
    "video_url",
    "ask",
)


class Project(Model):
    """What a team built for a challenge. Only published projects are seen by employers."""

    # The browse page: published projects, newest first, without sorting the whole table.
    __table_args__ = (
        sa.Index("ix_project_status_published_at", "status", "published_at"),
        # Counting a school's published projects reads this index alone (migration 0031).
        sa.Index("ix_project_status_school_id", "status", "school_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("team.id"), index=True)
    challenge_id: Mapped[int] = mapped_column(sa.ForeignKey("challenge.id"), index=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("school.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(160))
    pitch: Mapped[str] = mapped_column(sa.String(144), default="")
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    body: Mapped[str] = mapped_column(sa.Text, default="")
    skills: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    demo_url: Mapped[str] = mapped_column(sa.String(500), default="")
    repo_url: Mapped[str] = mapped_column(sa.String(500), default="")
    video_url: Mapped[str] = mapped_column(sa.String(500), default="")
    # "The ask": what the team would like from a partner, shown beside "I'm interested".
    ask: Mapped[str] = mapped_column(sa.String(300), default="", server_default="")
    status: Mapped[ProjectStatus] = mapped_column(
        enum_column(ProjectStatus, length=24), default=ProjectStatus.DRAFT
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # The card's cover thumbnail (a storage key), once the worker has made it: the browse
    # page shows covers without another statement. Kept by `projects.pitch`.
    cover_key: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")

    team: Mapped[Team] = relationship()
    challenge: Mapped[Challenge] = relationship()
    school: Mapped[School] = relationship()
    # Only the stored files: a pending row is an upload in flight.
    files: Mapped[list[ProjectFile]] = relationship(
        order_by="ProjectFile.created_at",
        primaryjoin="and_(ProjectFile.project_id == Project.id, ProjectFile.status == 'stored')",
        viewonly=True,
    )
    snapshots: Mapped[list[ProjectSnapshot]] = relationship(
        back_populates="project", order_by="ProjectSnapshot.number", cascade="all, delete-orphan"
    )
    # Asked with the project by its page (`with_expression`, projects/views.py), so the page
    # skips the statements that would find nothing: whether a member has an endorsement to
    # show, and whether the reader may see an engagement on it. None when not asked. The value
    # is as of the statement that loaded the project (a project already in the session keeps
    # it): the page asks before it writes anything, and only False is trusted, None means ask.
    any_endorsement_shown: Mapped[bool | None] = query_expression()
    any_engagement_seen: Mapped[bool | None] = query_expression()

    def __repr__(self) -> str:
        return f"<Project {self.id} {self.status.value}>"

    def snapshot_data(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in SNAPSHOT_FIELDS}


class ProjectSnapshot(Model):
    """The project as it was submitted, kept so the teacher sees what changed; the review's
    outcome and comment are written on it."""

    __table_args__ = (sa.UniqueConstraint("project_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("project.id"), index=True)
    number: Mapped[int] = mapped_column()
    data: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    submitted_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    outcome: Mapped[ProjectStatus | None] = mapped_column(enum_column(ProjectStatus, length=24))
    review_comment: Mapped[str] = mapped_column(sa.Text, default="")
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    project: Mapped[Project] = relationship(back_populates="snapshots")
    submitted_by: Mapped[User] = relationship(foreign_keys=[submitted_by_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])


class PitchRole(enum.StrEnum):
    """What a file is in the project's pitch; a project has at most one file in each role."""

    COVER = "cover"  # an image: the card's and the page's picture
    DECK = "deck"  # a PDF: shown as its slides
    VIDEO = "video"  # an MP4 or WebM: played inline
    CAPTIONS = "captions"  # a WebVTT file: the video's captions track


class ProjectFile(StoredFile, Model):
    """A file of a project (slides, PDF, image, video, captions, code archive)."""

    __table_args__ = (sa.UniqueConstraint("project_id", "pitch_role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("project.id"), index=True)
    pitch_role: Mapped[PitchRole | None] = mapped_column(enum_column(PitchRole, length=12))

    project: Mapped[Project] = relationship()
    uploaded_by: Mapped[User] = relationship()
