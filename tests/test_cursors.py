"""psycopg's cursors describe a result's columns only when asked (marketplace.cursors): a
statement SQLAlchemy has run before builds no description at all, and whoever does read one
gets what psycopg would have given."""

from __future__ import annotations

import psycopg
import pytest
import sqlalchemy as sa

from marketplace import cursors
from marketplace.extensions import db

from .databases import one_connection_engine


@pytest.fixture
def engine(app):
    """An engine on the test database whose connections describe lazily, as the app's do."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    with one_connection_engine(url, unless="SQLite's driver describes a statement once") as made:
        cursors.describe_lazily(made)
        yield made


@pytest.fixture
def built(monkeypatch):
    """How many descriptions were built from their result."""
    made: list[int] = []
    build = cursors.Description._built

    def counted(self):
        if self._columns is None:
            made.append(1)
        return build(self)

    monkeypatch.setattr(cursors.Description, "_built", counted)
    return made


def _select(n: int) -> sa.Select:
    return sa.select(sa.literal(n, sa.Integer).label("n"), sa.literal("x").label("word"))


def test_an_apps_connections_use_the_lazy_cursor(engine, app, app_factory):
    built = app_factory(SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])
    with built.app_context(), db.engine.connect() as connection:
        assert type(connection.connection.driver_connection.cursor()) is cursors.Described


def test_a_statement_run_before_builds_no_description(engine, built):
    with engine.connect() as connection:
        first = connection.execute(_select(1)).mappings().one()
        assert built == [1]  # the first run: SQLAlchemy matches the columns by their names
        second = connection.execute(_select(2)).mappings().one()
        assert built == [1]  # the same statement again: its layout is known, nothing built
    assert (first["n"], first["word"], second["n"]) == (1, "x", 2)


def test_a_description_read_says_what_psycopgs_would(engine):
    with engine.connect() as connection:
        raw = connection.connection.driver_connection
        plain = psycopg.Cursor(raw)  # as psycopg makes them
        lazy = raw.cursor()
        for cursor in (plain, lazy):
            cursor.execute("SELECT 1 AS n, 'x'::text AS word, now() AS at")
        described = lazy.description
        assert isinstance(described, cursors.Description)
        assert len(described) == 3
        assert [tuple(column) for column in described] == [
            tuple(column) for column in plain.description
        ]
        assert [(c.name, c.type_code) for c in described] == [
            ("n", 23),
            ("word", 25),
            ("at", 1184),
        ]
        assert described[-1].name == "at" and [c.name for c in described[:2]] == ["n", "word"]


def test_a_description_read_after_the_cursor_moved_on_describes_its_own_result(engine):
    with engine.connect() as connection:
        cursor = connection.connection.driver_connection.cursor()
        cursor.execute("SELECT 1 AS n, 'x'::text AS word")
        described = cursor.description
        cursor.execute("SELECT 2 AS other")
        assert [column[:2] for column in described] == [("n", 23), ("word", 25)]
        assert [column.name for column in cursor.description] == ["other"]


def test_a_statement_without_rows_has_no_description(engine):
    with engine.connect() as connection:
        cursor = connection.connection.driver_connection.cursor()
        assert cursor.description is None  # nothing run yet
        cursor.execute("CREATE TEMPORARY TABLE scratch (n int)")
        assert cursor.description is None
        cursor.execute("SELECT n FROM scratch")
        assert [column.name for column in cursor.description] == ["n"]  # no rows, one column
