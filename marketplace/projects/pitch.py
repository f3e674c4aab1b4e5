"""The pitch: the files a team puts forward (a cover, a deck, a video and its captions) and how
far the worker has got with each.

A file takes a role by the team's choice (`choose`); a project has at most one file per role
(a unique constraint, so two teammates choosing at once cannot both win). What a page shows of
the pitch comes from `of`, which reads the files the page already has and their media jobs in
one statement.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from .. import media
from ..extensions import db
from ..models import FileStatus, MediaJob, PitchRole, Project, ProjectFile, User
from . import rules

# Which files may take each role: by kind, and for a video by what plays in every browser.
ROLE_KINDS = {
    PitchRole.COVER: frozenset({"image"}),
    PitchRole.DECK: frozenset({"pdf"}),
    PitchRole.VIDEO: frozenset({"video"}),
    PitchRole.CAPTIONS: frozenset({"captions"}),
}
VIDEO_TYPES = frozenset({"video/mp4", "video/webm"})
ROLE_LABELS = {
    PitchRole.COVER: "cover",
    PitchRole.DECK: "pitch deck",
    PitchRole.VIDEO: "pitch video",
    PitchRole.CAPTIONS: "captions",
}


class PitchError(Exception):
    """The file cannot take that role; the message says why."""


def roles_for(row: ProjectFile) -> list[PitchRole]:
    """The roles a file could take (none until its bytes are checked and stored)."""
    if row.status is not FileStatus.STORED:
        return []
    roles = [role for role, kinds in ROLE_KINDS.items() if row.kind in kinds]
    if row.kind == "video" and row.content_type not in VIDEO_TYPES:
        return []  # a QuickTime file stays a download: not every browser plays it
    return roles


@dataclass
class Shown:
    """A pitch file with its media job (None: nothing is made from it, e.g. captions)."""

    file: ProjectFile
    job: MediaJob | None

    @property
    def ready(self) -> bool:
        if self.file.kind not in media.MEDIA_KINDS:
            return True  # captions: nothing is made from them
        return self.job is not None and self.job.ready

    @property
    def preparing(self) -> bool:
        """Its images are not made yet (a file stored before media jobs existed has no job
        until `choose` or `flask storage reconcile` writes one)."""
        if self.file.kind not in media.MEDIA_KINDS:
            return False
        return self.job is None or not (self.job.ready or self.job.failed)

    @property
    def problem(self) -> str:
        return self.job.problem if self.job is not None and self.job.failed else ""

    def image(self, name: str) -> str:
        """The storage key of one of its images."""
        return media.key(self.file.sha256, name)

    @property
    def slides(self) -> list[str]:
        return media.slide_keys(self.job) if self.job is not None and self.job.ready else []

    @property
    def info(self) -> dict:
        return self.job.info if self.job is not None else {}


@dataclass
class Pitch:
    """What a project puts forward, and the media state of each of its files."""

    project: Project
    roles: dict[PitchRole, Shown] = field(default_factory=dict)
    jobs: dict[str, MediaJob] = field(default_factory=dict)

    @property
    def cover(self) -> Shown | None:
        return self.roles.get(PitchRole.COVER)

    @property
    def deck(self) -> Shown | None:
        return self.roles.get(PitchRole.DECK)

    @property
    def video(self) -> Shown | None:
        return self.roles.get(PitchRole.VIDEO)

    @property
    def captions(self) -> Shown | None:
        return self.roles.get(PitchRole.CAPTIONS)

    @property
    def video_limit(self) -> int:
        return self.project.school.video_max_seconds

    @property
    def video_too_long(self) -> bool:
        """A ready video longer than the school allows is not shown (the team is told)."""
        video = self.video
        return bool(video and video.ready and video.info.get("duration", 0) > self.video_limit)

    @property
    def preparing(self) -> bool:
        """Something in the pitch is still being prepared: the page asks again shortly."""
        return any(shown.preparing for shown in self.roles.values())

    def job_of(self, row: ProjectFile) -> MediaJob | None:
        return self.jobs.get(row.sha256)

    def problem_of(self, row: ProjectFile) -> str:
        """Why a file cannot be shown, for the team ('' when it can, or is being prepared)."""
        job = self.jobs.get(row.sha256)
        return job.problem if job is not None and job.failed else ""

    def visible_files(self, inside: bool) -> list[ProjectFile]:
        """The files listed: the team and its teacher see every one (with what went wrong);
        others never see a file the worker refused to show."""
        files = self.project.files
        return files if inside else [f for f in files if not self.problem_of(f)]


def of(project: Project) -> Pitch:
    """The project's pitch, from its stored files and their jobs (one statement more)."""
    files = project.files
    jobs = media.jobs_for(files)
    pitch = Pitch(project=project, jobs=jobs)
    for row in files:
        if row.pitch_role is not None:
            pitch.roles[row.pitch_role] = Shown(row, jobs.get(row.sha256))
    return pitch


def _cover_key(row: ProjectFile) -> str:
    job = media.job_for(row)
    return media.key(row.sha256, media.THUMB) if job is not None and job.ready else ""


def choose(row: ProjectFile, role: PitchRole, user: User) -> None:
    """The file becomes the project's `role` (the file that had it before steps back)."""
    if not rules.can_change_files(row, user):
        raise PermissionError
    if role not in roles_for(row):
        raise PitchError(f"{row.filename} cannot be the {ROLE_LABELS[role]}.")
    project = row.project
    db.session.execute(
        sa.update(ProjectFile)
        .where(
            ProjectFile.project_id == project.id,
            ProjectFile.pitch_role == role,
            ProjectFile.id != row.id,
        )
        .values(pitch_role=None)
        .execution_options(synchronize_session="fetch")
    )
    db.session.flush()
    row.pitch_role = role
    media.enqueue(row)  # a file stored before media jobs existed gets its job now
    if role is PitchRole.COVER:
        project.cover_key = _cover_key(row)
    try:
        db.session.flush()
    except sa.exc.IntegrityError:  # a teammate chose another file for it at the same moment
        raise PitchError(
            f"A teammate chose another {ROLE_LABELS[role]} at the same moment; look again."
        ) from None


def step_back(row: ProjectFile, user: User) -> None:
    """The file is no longer part of the pitch (it stays among the files)."""
    if not rules.can_change_files(row, user):
        raise PermissionError
    if row.pitch_role is PitchRole.COVER:
        row.project.cover_key = ""
    row.pitch_role = None
    db.session.flush()
