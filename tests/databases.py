"""Scratch databases for the tests that need one of their own (migrations, backup and restore),
of the kind the suite runs on."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")


@contextmanager
def empty_database(folder: Path) -> Iterator[str]:
    """A brand-new, empty database: a file in `folder` on SQLite, a database of its own on
    PostgreSQL (dropped afterwards)."""
    if not TEST_DATABASE_URL:
        yield f"sqlite:///{folder / f'empty-{uuid.uuid4().hex[:8]}.sqlite3'}"
        return
    name = f"scratch_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield (
            sa.engine.make_url(TEST_DATABASE_URL)
            .set(database=name)
            .render_as_string(hide_password=False)
        )
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def one_connection_engine(url: str, *, unless: str, **options: object) -> Iterator[sa.Engine]:
    """An engine of its own with one pooled connection to the test database, on PostgreSQL;
    on SQLite the test is skipped, saying `unless` (why it is PostgreSQL's)."""
    if not url.startswith("postgresql"):
        pytest.skip(f"{unless}: set TEST_DATABASE_URL")
    made = sa.create_engine(url, pool_size=1, max_overflow=0, **options)
    try:
        yield made
    finally:
        made.dispose()
