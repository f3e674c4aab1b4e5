"""Pictures made from what teams upload, by the worker: a cover's thumbnails, a deck's slides, a
video's poster frame. Never in a request: `enqueue` writes a job when a file is stored, and the
worker (`prepare_due`) makes the images in a limited process of its own (`sandbox.py`) and stores
them under the file's content (`media/<sha256>/…`), one set per content.
"""

from .jobs import (
    MEDIA_KINDS,
    THUMB,
    Batch,
    Unplayable,
    backfill,
    enqueue,
    forget_unused,
    job_for,
    jobs_for,
    key,
    orphan_prefixes,
    prepare_due,
    resync_covers,
    slide_keys,
    strip_metadata,
)

__all__ = [
    "MEDIA_KINDS",
    "THUMB",
    "Batch",
    "Unplayable",
    "backfill",
    "enqueue",
    "forget_unused",
    "job_for",
    "jobs_for",
    "key",
    "orphan_prefixes",
    "prepare_due",
    "resync_covers",
    "slide_keys",
    "strip_metadata",
]
