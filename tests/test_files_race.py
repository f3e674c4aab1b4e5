"""Completing uploads at the same moment (PostgreSQL): one check per file, and the project's
limit holds across files completed together.

Its own module: the racers commit for real, which a module sharing one world cannot."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import pytest
import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.models import FileStatus, ProjectFile, User
from marketplace.projects import files
from marketplace.storage import staging_key, storage

from . import uploads
from .racing import race

pytestmark = pytest.mark.commits  # threads with connections of their own race


def staged(make, project, filename: str, data: bytes) -> ProjectFile:
    """A pending upload whose bytes have arrived on its staging key."""
    row = make.project_file(project, filename=filename, data=data, status=FileStatus.PENDING)
    storage().write(staging_key(row.key), [data], len(data))
    return row


def complete(file_id: int, user_id: int) -> Callable[[], object]:
    def attempt() -> object:
        row = db.session.get(ProjectFile, file_id)
        user = db.session.get(User, user_id)
        assert row is not None and user is not None
        return files.complete_upload(row, user).sha256

    return attempt


@pytest.fixture
def racer(app_factory):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("races need PostgreSQL: set TEST_DATABASE_URL (SQLite serialises writers)")
    return lambda **config: app_factory(
        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 8, "max_overflow": 0}, **config
    )


def test_one_upload_completed_many_times_at_once_is_checked_once(racer, make):
    """Double clicks and retries: every completion answers with the same hash, which is the
    hash of the bytes served (an image is re-encoded once, not once per request)."""
    project = make.project()
    student_id = project.team.memberships[0].student.id
    row = staged(make, project, "cover.jpg", uploads.jpeg_with_gps())
    db.session.commit()
    results = race(racer(), [complete(row.id, student_id)] * 6, kept=(files.FileRejected,))
    assert len(set(results)) == 1 and all(isinstance(r, str) for r in results), results
    db.session.expire_all()
    with storage().open(row.key) as handle:
        served = handle.read()
    assert db.session.get(ProjectFile, row.id).sha256 == hashlib.sha256(served).hexdigest()
    assert sorted(storage().keys()) == [row.key]


def test_files_completed_together_cannot_pass_the_project_limit(racer, make):
    """Two uploads that fit alone but not together: one is kept, the other refused, whichever
    order the completions land in."""
    project = make.project()
    student_id = project.team.memberships[0].student.id
    rows = [staged(make, project, f"part{n}.pdf", uploads.PDF) for n in range(2)]
    db.session.commit()
    app = racer(MAX_PROJECT_BYTES=len(uploads.PDF) * 3 // 2)
    results = race(app, [complete(row.id, student_id) for row in rows], kept=(files.FileRejected,))
    assert sorted(type(r).__name__ for r in results) == ["FileRejected", "str"], results
    db.session.expire_all()
    kept = db.session.scalars(sa.select(ProjectFile)).all()
    assert [r.status for r in kept] == [FileStatus.STORED]
    assert sorted(storage().keys()) == [kept[0].key]
