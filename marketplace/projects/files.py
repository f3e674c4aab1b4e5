"""Project files: two-phase uploads, checked by their bytes, and cleaned up when abandoned.

1. `start_upload` writes a pending row and returns a short-lived upload target for exactly the
   announced size, pointing at the file's staging key (see `storage`).
2. The browser sends the bytes straight to storage (S3 presigned POST, or a signed local PUT).
3. `complete_upload` moves what arrived to the file's own key (which no client can write), then
   reads it there: size, SHA-256, type by magic bytes against the allowlist (and against the
   file name's extension), zip-bomb and pixel-bomb limits; images are re-encoded without their
   EXIF/GPS data, videos remuxed without their metadata (where and when a phone recorded),
   PDFs lose what they would run; the project's limit counts what was checked. Anything wrong
   deletes the objects and the row. Bytes sent later with the same target are refused (local)
   or land only on the staging key (S3), which is never served and which `reconcile` removes.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import re
import tempfile
import unicodedata
import uuid
import zipfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import IO

import filetype
import sqlalchemy as sa
from flask import current_app
from PIL import Image, ImageOps, UnidentifiedImageError

from .. import media
from ..extensions import db
from ..models import FileStatus, MessageAttachment, PitchRole, Project, ProjectFile, User, utcnow
from ..storage import (
    STAGING,
    UPLOAD_EXPIRES,
    Readable,
    StorageError,
    TooLarge,
    UploadTarget,
    copy_stream,
    staging_key,
    storage,
)
from . import rules, scrub
from .file_kinds import (
    ALLOWED,  # the allowlist; messaging's attachments read it here too
    ODP,
    PPTX,
    allowed_summary,
    expected_name,
    human_size,
    too_large,
    type_name,
)

IMAGE_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG", "image/gif": "GIF", "image/webp": "WEBP"}
ZIP_MAX_UNPACKED = 1024 * 1024 * 1024
ZIP_MAX_RATIO = 100
ZIP_MAX_ENTRIES = 10_000


class FileRejected(Exception):
    """An upload that cannot be kept; the message is shown to the user."""


class UploadClosed(Exception):
    """Bytes sent to the target of a file already checked (or no longer there)."""

    def __init__(self, message: str, gone: bool) -> None:
        super().__init__(message)
        self.gone = gone


def clean_filename(raw: str) -> str:
    """A safe display name: no path, no control characters (NUL included), at most 120 chars."""
    name = unicodedata.normalize("NFC", raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r"\s+", " ", name).strip(" .")
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem:
        raise FileRejected("The file needs a name with an extension, such as slides.pdf.")
    return f"{stem[:110]}.{ext[:10]}"


def extension(filename: str) -> str:
    return filename.rpartition(".")[2].lower()


def _limits() -> tuple[int, int]:
    return current_app.config["MAX_FILE_BYTES"], current_app.config["MAX_PROJECT_BYTES"]


def max_bytes(kind: str, project: Project | None) -> int:
    """The most one file may hold: a project's video, what its school allows for a pitch video
    (never above MAX_VIDEO_BYTES); anything else, MAX_FILE_BYTES."""
    if kind == "video" and project is not None:
        school = project.school.video_max_mb * 1024 * 1024
        return min(school, current_app.config["MAX_VIDEO_BYTES"])
    return _limits()[0]


def _too_large(name: str, kind: str, size: int, limit: int) -> str:
    if kind == "video":
        said = human_size(size)
        return f"{name} is {said}, over the {human_size(limit)} allowed for a video."
    return too_large(name, size, limit)


def used_bytes(project: Project, *, stored_only: bool = False) -> int:
    """Bytes the project's files take: the checked size of stored files, plus (unless
    `stored_only`) the size announced by pending uploads, which their targets hold them to."""
    query = sa.select(sa.func.coalesce(sa.func.sum(ProjectFile.size), 0)).where(
        ProjectFile.project_id == project.id
    )
    if stored_only:
        query = query.where(ProjectFile.status == FileStatus.STORED)
    return int(db.session.execute(query).scalar_one())  # an aggregate: one row, never NULL


def _over_limit(name: str, size: int, used: int, max_project: int) -> FileRejected:
    return FileRejected(
        f"Adding {name} ({human_size(size)}) would pass the project's limit of "
        f"{human_size(max_project)} ({human_size(used)} used); remove a file first."
    )


def accepted_name(filename: str) -> tuple[str, str]:
    """The cleaned file name and its extension, if that extension is on the allowlist."""
    name = clean_filename(filename)
    ext = extension(name)
    if ext not in ALLOWED:
        raise FileRejected(
            f"{name} is a .{ext} file, which cannot be added; allowed: {allowed_summary()}."
        )
    return name, ext


def start_upload(
    project: Project, user: User, filename: str, size: int
) -> tuple[ProjectFile, UploadTarget]:
    """Check name and size, write a pending row, and return where the bytes go."""
    if not rules.can_edit(project, user):
        raise PermissionError
    name, ext = accepted_name(filename)
    _, max_project = _limits()
    max_file = max_bytes(ALLOWED[ext][0], project)
    if size <= 0:
        raise FileRejected(f"{name} is empty.")
    if size > max_file:
        raise FileRejected(_too_large(name, ALLOWED[ext][0], size, max_file))
    used = used_bytes(project)
    if used + size > max_project:
        raise _over_limit(name, size, used, max_project)
    row = ProjectFile(
        project=project,
        key=f"projects/{project.id}/{uuid.uuid4().hex}.{ext}",
        filename=name,
        kind=ALLOWED[ext][0],
        size=size,  # what was announced (and all the target takes); then what was checked
        uploaded_by=user,
    )
    db.session.add(row)
    db.session.flush()
    return row, storage().upload_target(row.key, size)


def delete_objects(key: str) -> None:
    """Remove a file's object and anything still staged for it."""
    try:
        storage().delete(staging_key(key))
    finally:
        storage().delete(key)


def _discard(row: ProjectFile) -> None:
    try:
        delete_objects(row.key)
    finally:
        db.session.delete(row)
        db.session.flush()


def upload_whole(
    project: Project, user: User, filename: str, stream: Readable, size: int
) -> ProjectFile:
    """Without JavaScript: the three steps in one request; a failure leaves no row behind."""
    row, _ = start_upload(project, user, filename, size)
    max_file = max_bytes(row.kind, project)
    try:
        receive(row.key, stream, max_file)
    except TooLarge:
        _discard(row)
        raise FileRejected(_too_large(row.filename, row.kind, size, max_file)) from None
    except StorageError:
        _discard(row)
        raise
    return complete_upload(row, user)


def complete_upload(row: ProjectFile, user: User) -> ProjectFile:
    """Check what arrived and keep it, or delete objects and row and say why."""
    try:
        db.session.refresh(row, with_for_update=True)  # one completion at a time per file
    except sa.exc.InvalidRequestError:  # refused meanwhile by another request
        raise FileRejected("This upload was cancelled; start it again.") from None
    if row.status is FileStatus.STORED:
        return row
    if not rules.can_change_files(row, user):
        raise PermissionError
    try:
        verify_and_store(row)
        _check_room(row)
    except (FileRejected, StorageError):
        _discard(row)
        raise
    media.enqueue(row)  # its thumbnails, slides or poster: made by the worker, never here
    return row


def _check_room(row: ProjectFile) -> None:
    """The project's limit, counted in checked bytes; concurrent completions of one project
    wait for each other (a row lock on the project, held until the request commits)."""
    db.session.execute(sa.select(Project.id).where(Project.id == row.project_id).with_for_update())
    _, max_project = _limits()
    used = used_bytes(row.project, stored_only=True)  # this file's checked size included
    if used > max_project:
        raise _over_limit(row.filename, row.size, used - row.size, max_project)


def verify_and_store(row: ProjectFile | MessageAttachment) -> None:
    """Move the staged bytes to the row's key, check them there against the name and the
    announced size (type by its bytes, zip bombs, images re-encoded), then record size, hash
    and type and mark it stored; FileRejected if not. The one check for every file a user
    sends: projects' files and messages' attachments."""
    max_file = max_bytes(row.kind, getattr(row, "project", None))
    # Checked where no client can write, so what is checked is what is served.
    storage().promote(row.key)
    arrived = storage().size(row.key)
    if arrived is None:
        raise FileRejected("The upload did not arrive; try again.")
    if arrived > max_file:
        raise FileRejected(_too_large(row.filename, row.kind, arrived, max_file))
    if arrived != row.size:
        raise FileRejected(
            f"{row.filename} arrived as {human_size(arrived)}, not the "
            f"{human_size(row.size)} announced; send it again."
        )
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as local:
        with storage().open(row.key) as source:
            for chunk in copy_stream(source):
                local.write(chunk)
        kind, _ = ALLOWED[extension(row.filename)]
        mime = _captions(local, row.filename) if kind == "captions" else _by_bytes(local, row)
        local.seek(0)
        if mime in (PPTX, ODP, "application/zip"):
            _check_zip(local)
        with contextlib.ExitStack() as stack:
            if kind == "video":
                kept: IO[bytes] = stack.enter_context(_video_without_metadata(local, mime, row))
            else:
                data = _without_personal_metadata(local, kind, mime, row.filename)
                kept = io.BytesIO(data) if data is not None else local
            if kept is not local:  # what is kept replaces what was sent
                kept.seek(0)
                storage().write(row.key, copy_stream(kept), 2 * max_file)
            kept.seek(0)
            digest = hashlib.sha256()
            size = 0
            for chunk in copy_stream(kept):
                digest.update(chunk)
                size += len(chunk)
    row.size = size
    row.sha256 = digest.hexdigest()
    row.content_type = mime
    row.status = FileStatus.STORED
    row.stored_at = utcnow()
    db.session.flush()


def _by_bytes(handle: IO[bytes], row: ProjectFile | MessageAttachment) -> str:
    """The type the file's first bytes show, if its name's extension allows it."""
    handle.seek(0)
    guess = filetype.guess(handle.read(8192))
    ext = extension(row.filename)
    if guess is None or guess.mime not in ALLOWED[ext][1]:
        found = (
            f"it looks like {type_name(guess.mime, guess.extension)}"
            if guess
            else "we cannot tell what it is"
        )
        raise FileRejected(
            f"{row.filename} is not {expected_name(ext)} ({found}); allowed: {allowed_summary()}."
        )
    return guess.mime


CAPTIONS_MAX_BYTES = 512 * 1024
WEBVTT_HEADER = re.compile(r"\AWEBVTT(?:[ \t][^\n]*)?(?:\r?\n|\Z)")


def _captions(handle: IO[bytes], filename: str) -> str:
    """A WebVTT captions file: UTF-8 text that begins `WEBVTT` (what a <track> accepts)."""
    handle.seek(0)
    data = handle.read(CAPTIONS_MAX_BYTES + 1)
    if len(data) > CAPTIONS_MAX_BYTES:
        raise FileRejected(f"{filename} is too long for a captions file.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRejected(f"{filename} is not UTF-8 text; save it as UTF-8.") from None
    if "\x00" in text or not WEBVTT_HEADER.match(text):
        raise FileRejected(
            f"{filename} is not {expected_name('vtt')}: its first line must be WEBVTT."
        )
    return "text/vtt"


def _check_zip(handle: IO[bytes]) -> None:
    """Refuse zip bombs: too many entries, too much unpacked, or an absurd ratio."""
    try:
        with zipfile.ZipFile(handle) as archive:
            entries = archive.infolist()
    except zipfile.BadZipFile:
        raise FileRejected("The archive is damaged.") from None
    unpacked = sum(e.file_size for e in entries)
    packed = sum(e.compress_size for e in entries) or 1
    if len(entries) > ZIP_MAX_ENTRIES or unpacked > ZIP_MAX_UNPACKED:
        raise FileRejected("The archive unpacks to too much; send a smaller one.")
    if unpacked / packed > ZIP_MAX_RATIO:
        raise FileRejected("The archive compresses suspiciously well (a zip bomb?).")


def _without_personal_metadata(
    handle: IO[bytes], kind: str, mime: str, filename: str
) -> bytes | None:
    """The bytes to keep instead of those sent, when they carry who made them or where: an
    image re-encoded (EXIF, GPS), a PDF or a deck without its authors; None: keep as sent."""
    try:
        if kind == "image":
            return _reencode_image(handle, mime)
        if mime == "application/pdf":
            return scrub.pdf(handle)
        if mime in (PPTX, ODP):
            return scrub.office(handle)
    except scrub.Unreadable:
        raise FileRejected(f"{filename} could not be read; export it again and send it.") from None
    return None


@contextlib.contextmanager
def _video_without_metadata(
    handle: IO[bytes], mime: str, row: ProjectFile | MessageAttachment
) -> Iterator[IO[bytes]]:
    """The video with its streams as sent and none of its metadata (a phone writes where and
    when it recorded): remuxed by ffmpeg in the limited process, never decoded here."""
    with tempfile.TemporaryDirectory(prefix="upload-") as folder:
        source = Path(folder) / "sent"
        handle.seek(0)
        with source.open("wb") as out:
            for chunk in copy_stream(handle):
                out.write(chunk)
        try:
            clean = media.strip_metadata(source, mime, Path(folder))
        except media.Unplayable as error:
            raise FileRejected(f"{row.filename}: {error}") from None
        with clean.open("rb") as stripped:
            yield stripped


def _reencode_image(handle: IO[bytes], mime: str) -> bytes:
    """Decode and re-encode, dropping EXIF (GPS included) and anything hidden after the image."""
    handle.seek(0)
    limit = current_app.config["MAX_IMAGE_PIXELS"]
    try:
        with Image.open(handle) as image:
            width, height = image.size
            if width * height > limit:
                raise FileRejected(f"The image has more than {limit // 1_000_000} million pixels.")
            image.load()
            clean = ImageOps.exif_transpose(image)
            if mime == "image/jpeg" and clean.mode not in ("RGB", "L"):
                clean = clean.convert("RGB")
            out = io.BytesIO()
            clean.save(out, format=IMAGE_FORMATS[mime])
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise FileRejected("The image could not be read.") from error
    return out.getvalue()


def receive(key: str, stream: Readable, max_bytes: int) -> int:
    """Local mode: write the body sent for the file `key` to its staging key, in chunks and at
    most `max_bytes`; UploadClosed once the file is checked (or gone)."""
    row = db.session.scalar(sa.select(ProjectFile).where(ProjectFile.key == key))
    if row is None:
        raise UploadClosed("This upload was cancelled; start it again.", gone=True)
    if row.status is not FileStatus.PENDING:
        raise UploadClosed(
            f"{row.filename} is already added; upload it again to replace it.", gone=False
        )
    return storage().write(staging_key(key), copy_stream(stream), max_bytes)


def delete_file(row: ProjectFile, user: User) -> None:
    """A team member removes a file while the project can be edited; its images go with it
    unless another file holds the same bytes, and a cover gone leaves the card's placeholder."""
    if not rules.can_change_files(row, user):
        raise PermissionError
    delete_objects(row.key)
    if row.pitch_role is PitchRole.COVER:
        row.project.cover_key = ""
    db.session.delete(row)
    db.session.flush()
    media.forget_unused([row.sha256])


def reconcile(older_than: timedelta = timedelta(hours=1)) -> tuple[int, int]:
    """Delete abandoned pending uploads, objects without a row, and staged bytes nothing will
    check (sent after their file was checked, or for no file) once their target has expired;
    returns (rows, objects)."""
    now = utcnow()
    cutoff = now - older_than
    stale = list(
        db.session.scalars(
            sa.select(ProjectFile).where(
                ProjectFile.status == FileStatus.PENDING, ProjectFile.created_at < cutoff
            )
        )
    )
    for row in stale:
        delete_objects(row.key)
        db.session.delete(row)
    db.session.flush()
    for sha in media.orphan_prefixes():  # images left by a job removed mid-way
        media.forget_unused([sha])
    media.backfill()  # stored files without their media job
    media.resync_covers()  # cards whose cover was chosen as its job finished
    known = set(db.session.scalars(sa.select(ProjectFile.key)))
    orphans = [key for key in storage().keys("projects/") if key not in known]
    pending = set(
        db.session.scalars(
            sa.select(ProjectFile.key).where(ProjectFile.status == FileStatus.PENDING)
        )
    )
    expired = now - timedelta(seconds=UPLOAD_EXPIRES)
    orphans += [
        key
        for key in storage().keys(STAGING, before=expired)
        if key.removeprefix(STAGING) not in pending
    ]
    for key in orphans:
        storage().delete(key)
    return len(stale), len(orphans)
