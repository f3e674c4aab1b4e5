"""Where uploaded files live: a Storage interface with a local-disk and an S3 back end.

Both hand the browser a short-lived, signed upload target (an S3 presigned POST, or a signed
PUT URL of this app in local mode), so the app never buffers a whole file, and both hand out
short-lived signed download URLs that serve the file as an attachment.

A file has two keys. The browser's target only ever points at its *staging* key
(`staging_key`), for exactly the announced number of bytes; `promote` then moves what arrived
to the file's own key, which no client ever had a URL for and which is the only key served.
So bytes sent again with an old upload target never reach what was checked and published.
"""

from __future__ import annotations

import tempfile
import time
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from flask import Flask, current_app, url_for
from itsdangerous import BadSignature, URLSafeSerializer, URLSafeTimedSerializer

if TYPE_CHECKING:
    from botocore.exceptions import ClientError
    from types_boto3_s3 import S3Client

CHUNK = 64 * 1024
SPOOL = 8 * 1024 * 1024  # bytes held in memory before a file being written spills to disk
UPLOAD_EXPIRES = 900  # seconds an upload target stays valid
MEDIA_EXPIRES = 3600  # a media link lives one to two hours (a video is watched, and sought, in it)
STAGING = "staging/"


def staging_key(key: str) -> str:
    """Where the browser's bytes for `key` land until they are checked (never served)."""
    return STAGING + key


class StorageError(Exception):
    """The storage could not be reached or refused; the message is shown to the user."""


class TooLarge(Exception):
    """More bytes arrived than allowed."""


class Readable(Protocol):
    """A binary stream read in chunks: an open file, a request body, an S3 object's body."""

    def read(self, size: int = -1, /) -> bytes: ...


@dataclass(frozen=True)
class UploadTarget:
    """Where the browser sends the bytes: `method` PUT (body is the file) or POST (form)."""

    method: str
    url: str
    fields: dict[str, str] = field(default_factory=dict)


class Storage(ABC):
    """Objects addressed by key."""

    @abstractmethod
    def upload_target(self, key: str, size: int, expires: int = UPLOAD_EXPIRES) -> UploadTarget:
        """Where the browser sends the `size` bytes of `key`: its staging key, never `key`."""

    @abstractmethod
    def promote(self, key: str) -> None:
        """Move the staged bytes of `key`, if any, to `key` (replacing what was there); the
        staging object is gone afterwards. Nothing staged later can reach `key`."""

    @abstractmethod
    def write(self, key: str, chunks: Iterable[bytes], max_bytes: int) -> int:
        """Store the chunks under `key`; raises TooLarge past `max_bytes` (nothing is kept)."""

    @abstractmethod
    def size(self, key: str) -> int | None:
        """The stored size, or None when nothing is stored under `key`."""

    @abstractmethod
    @contextmanager
    def open(self, key: str) -> Iterator[Readable]: ...

    @abstractmethod
    def delete(self, key: str) -> None: ...

    @abstractmethod
    def keys(self, prefix: str = "", before: datetime | None = None) -> Iterator[str]:
        """The keys under `prefix`; with `before`, only objects last written before then."""

    @abstractmethod
    def download_url(self, key: str, filename: str, expires: int = 60) -> str: ...

    @abstractmethod
    def media_url(self, key: str, content_type: str) -> str:
        """A link that shows the object in the page (an image, a video, a captions track),
        answering byte ranges so a video can be sought; it lasts one to two hours."""

    @abstractmethod
    def check(self) -> None:
        """Raise StorageError unless files can be stored now (the readiness check)."""


def _media_expiry(now: float | None = None) -> int:
    """When a media link made now expires: the end of the next hour, so every page of the
    hour gets the same link and the browser's cache serves it again."""
    now = time.time() if now is None else now
    return (int(now) // MEDIA_EXPIRES + 2) * MEDIA_EXPIRES


@lru_cache(maxsize=4096)
def _media_token(secret: str, key: str, content_type: str, expires: int) -> str:
    """A media link's signed token. It names only the object, its type and the end of the
    hour after next, the same for every reader in the hour (whoever may see the page may see
    the picture), so a browse page's covers are signed once an hour, not on every request."""
    return URLSafeSerializer(secret, salt="storage.media").dumps(
        {"k": key, "t": content_type, "e": expires}
    )


def _signer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"storage.{purpose}")


class LocalStorage(Storage):
    """Files under a folder (the default); uploads and downloads go through signed app URLs."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def check(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=self.root, prefix=".ready-"):
                pass
        except OSError as error:
            raise StorageError(f"The upload folder is not writable: {error}") from error

    def path(self, key: str) -> Path:
        """Where a key lives on disk (never outside the storage folder)."""
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:
            raise StorageError("Invalid file key.")
        return path

    def upload_target(self, key: str, size: int, expires: int = UPLOAD_EXPIRES) -> UploadTarget:
        # the token names the file's key; files.receive writes only to its staging key
        token = _signer("upload").dumps({"k": key, "m": size})
        return UploadTarget("PUT", url_for("files.receive", token=token))

    @staticmethod
    def read_upload_token(token: str, expires: int = UPLOAD_EXPIRES) -> tuple[str, int]:
        """The file's key and the most bytes its upload may send."""
        data = _signer("upload").loads(token, max_age=expires)
        return data["k"], data["m"]

    def write(self, key: str, chunks: Iterable[bytes], max_bytes: int) -> int:
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".part")
        written = 0
        try:
            with partial.open("wb") as out:
                for chunk in chunks:
                    written += len(chunk)
                    if written > max_bytes:
                        raise TooLarge
                    out.write(chunk)
            partial.replace(path)
        finally:
            partial.unlink(missing_ok=True)
        return written

    def promote(self, key: str) -> None:
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        with suppress(FileNotFoundError):  # nothing staged: what is at `key` stays
            self.path(staging_key(key)).replace(target)  # atomic: one whole upload or another

    def size(self, key: str) -> int | None:
        path = self.path(key)
        return path.stat().st_size if path.is_file() else None

    @contextmanager
    def open(self, key: str) -> Iterator[Readable]:
        with self.path(key).open("rb") as handle:
            yield handle

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def keys(self, prefix: str = "", before: datetime | None = None) -> Iterator[str]:
        if not self.root.exists():
            return
        for path in self.root.rglob("*"):
            if path.is_file() and not path.name.endswith(".part"):
                key = path.relative_to(self.root).as_posix()
                if not key.startswith(prefix):
                    continue
                if before is None or datetime.fromtimestamp(path.stat().st_mtime, UTC) < before:
                    yield key

    def download_url(self, key: str, filename: str, expires: int = 60) -> str:
        token = _signer("download").dumps({"k": key, "f": filename})
        return url_for("files.serve", token=token)

    @staticmethod
    def read_download_token(token: str, expires: int = 60) -> tuple[str, str]:
        data = _signer("download").loads(token, max_age=expires)
        return data["k"], data["f"]

    def media_url(self, key: str, content_type: str) -> str:
        token = _media_token(current_app.config["SECRET_KEY"], key, content_type, _media_expiry())
        return url_for("files.media", token=token)

    @staticmethod
    def read_media_token(token: str) -> tuple[str, str]:
        """The key and type a media link names; BadSignature when forged or expired."""
        serializer = URLSafeSerializer(current_app.config["SECRET_KEY"], salt="storage.media")
        data = serializer.loads(token)
        if data["e"] < time.time():
            raise BadSignature("expired")
        return data["k"], data["t"]


class S3Storage(Storage):
    """An S3-compatible bucket through boto3; the browser talks to the bucket directly."""

    def __init__(self, bucket: str, client: S3Client) -> None:
        self.bucket = bucket
        self.client = client

    @classmethod
    def from_config(cls, config: dict) -> S3Storage:
        import boto3
        from botocore.config import Config as BotoConfig

        client = boto3.client(
            "s3",
            endpoint_url=config["S3_ENDPOINT_URL"],
            region_name=config["S3_REGION"],
            aws_access_key_id=config["S3_ACCESS_KEY_ID"],
            aws_secret_access_key=config["S3_SECRET_ACCESS_KEY"],
            config=BotoConfig(
                signature_version="s3v4",
                s3={"addressing_style": "path"},
                connect_timeout=config["S3_TIMEOUT"],
                read_timeout=config["S3_TIMEOUT"],
                retries={"max_attempts": 2},
            ),
        )
        return cls(config["S3_BUCKET"], client)

    @contextmanager
    def _errors(self) -> Iterator[None]:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            yield
        except (BotoCoreError, ClientError) as error:
            raise StorageError("File storage is unreachable right now; try again later.") from error

    def check(self) -> None:
        with self._errors():
            self.client.head_bucket(Bucket=self.bucket)

    def upload_target(self, key: str, size: int, expires: int = UPLOAD_EXPIRES) -> UploadTarget:
        with self._errors():
            post = self.client.generate_presigned_post(
                self.bucket,
                staging_key(key),
                Conditions=[["content-length-range", size, size]],  # exactly what was announced
                ExpiresIn=expires,
            )
        return UploadTarget("POST", post["url"], dict(post["fields"]))

    def promote(self, key: str) -> None:
        from botocore.exceptions import ClientError

        staged = staging_key(key)
        try:
            with self._errors():
                self.client.copy_object(  # server-side: the bytes never pass through the app
                    Bucket=self.bucket, Key=key, CopySource={"Bucket": self.bucket, "Key": staged}
                )
        except StorageError as error:
            cause = error.__cause__
            if isinstance(cause, ClientError) and _missing(cause):
                return
            raise
        self.delete(staged)

    def write(self, key: str, chunks: Iterable[bytes], max_bytes: int) -> int:
        # Spooled to disk past 8 MB and sent in 8 MB parts one at a time: a large file (a
        # video rewritten without its metadata) never sits whole in the app's memory.
        from boto3.s3.transfer import TransferConfig

        written = 0
        with tempfile.SpooledTemporaryFile(max_size=SPOOL) as spool:
            for chunk in chunks:
                written += len(chunk)
                if written > max_bytes:
                    raise TooLarge
                spool.write(chunk)
            spool.seek(0)
            # No threads: boto3's threaded transfer reads up to ten parts ahead (+100 MB for a
            # 200 MB video, bench_media.py); one part at a time costs one part.
            parts = TransferConfig(
                multipart_threshold=SPOOL, multipart_chunksize=SPOOL, use_threads=False
            )
            with self._errors():
                self.client.upload_fileobj(spool, self.bucket, key, Config=parts)
        return written

    def size(self, key: str) -> int | None:
        from botocore.exceptions import ClientError

        try:
            with self._errors():
                head = self.client.head_object(Bucket=self.bucket, Key=key)
        except StorageError as error:
            cause = error.__cause__
            if isinstance(cause, ClientError) and _missing(cause):
                return None
            raise
        return int(head["ContentLength"])

    @contextmanager
    def open(self, key: str) -> Iterator[Readable]:
        with self._errors():
            body = self.client.get_object(Bucket=self.bucket, Key=key)["Body"]
        try:
            yield body
        finally:
            body.close()

    def delete(self, key: str) -> None:
        with self._errors():
            self.client.delete_object(Bucket=self.bucket, Key=key)

    def keys(self, prefix: str = "", before: datetime | None = None) -> Iterator[str]:
        with self._errors():
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=prefix
            )
            for page in pages:
                for item in page.get("Contents", []):
                    if before is None or item["LastModified"] < before:
                        yield item["Key"]

    def download_url(self, key: str, filename: str, expires: int = 60) -> str:
        with self._errors():
            return self.client.generate_presigned_url(
                "get_object",
                Params={
                    "Bucket": self.bucket,
                    "Key": key,
                    "ResponseContentDisposition": content_disposition(filename),
                    "ResponseContentType": "application/octet-stream",
                },
                ExpiresIn=expires,
            )

    def media_url(self, key: str, content_type: str) -> str:
        # The bucket answers byte ranges itself; the page's origin reads it by the bucket's CORS.
        with self._errors():
            return self.client.generate_presigned_url(
                "get_object",
                Params={
                    "Bucket": self.bucket,
                    "Key": key,
                    "ResponseContentType": content_type,
                    "ResponseContentDisposition": "inline",
                    "ResponseCacheControl": f"private, max-age={MEDIA_EXPIRES}",
                },
                ExpiresIn=2 * MEDIA_EXPIRES,
            )


def _missing(error: ClientError) -> bool:
    """The S3 error of a key with no object."""
    return error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey")


def content_disposition(filename: str) -> str:
    """An attachment header that survives any file name."""
    from urllib.parse import quote

    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


def storage() -> Storage:
    """The configured storage of the current app."""
    return current_app.extensions["storage"]


def register(app: Flask) -> None:
    """Choose the back end from STORAGE_BACKEND."""
    backend = app.config["STORAGE_BACKEND"]
    if backend == "local":
        app.extensions["storage"] = LocalStorage(app.config["UPLOAD_DIR"])
    elif backend == "s3":
        app.extensions["storage"] = S3Storage.from_config(app.config)
    else:
        raise RuntimeError(f"STORAGE_BACKEND must be 'local' or 's3', not {backend!r}")


def copy_stream(source: Readable, chunks: int = CHUNK) -> Iterator[bytes]:
    """Read a file-like object in chunks."""
    while block := source.read(chunks):
        yield block
