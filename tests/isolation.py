"""How tests are kept apart on one database, without rebuilding an app or emptying tables.

A test's database work runs inside one outer transaction on one connection, which every app of
the test uses (the test's own session, each request's, the inline mail delivery's). Sessions join
it with a SAVEPOINT of their own ("create_savepoint"), so a commit inside the test only releases
that savepoint and a rollback only undoes its own work; at the end the outer transaction is
rolled back and nothing the test wrote is left. A module that builds a world once keeps one such
transaction for the whole module and gives each test a savepoint of the connection, rolled back
after it.

Tests that need real commits (another thread serving the app to a browser, racing threads with
connections of their own, a worker in another process) are marked `commits`: they use the app's
own engine and the tables are emptied with DELETE after them.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from marketplace import cursors, read_only
from marketplace.extensions import db

# Every session joins a connection it is given with a savepoint (sessions bound to an engine, as
# in the product, are not affected).
db.session.session_factory.configure(join_transaction_mode="create_savepoint")

SAVEPOINT_STATEMENTS = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


def transactional_engine(url: str) -> sa.Engine:
    """An engine whose connections can hold the outer transaction.

    pysqlite starts a transaction only before a write and lets a SAVEPOINT start one of its own,
    whose RELEASE then commits; SQLAlchemy's recipe turns that off and emits BEGIN itself, so
    savepoints nest inside the outer transaction on SQLite as they do on PostgreSQL."""
    engine = sa.create_engine(url)
    cursors.describe_lazily(engine)  # as the app's engines do
    read_only.begin_lazily(engine)
    if engine.dialect.name == "sqlite":

        @sa.event.listens_for(engine, "connect")
        def _no_implicit_transactions(dbapi_connection, _record) -> None:
            dbapi_connection.isolation_level = None

        @sa.event.listens_for(engine, "begin")
        def _begin(connection) -> None:
            connection.exec_driver_sql("BEGIN")

    return engine


class SharedTransaction:
    """One connection in one open transaction, used by every app bound to it; rolled back at
    the end, so whatever was written through it is gone."""

    def __init__(self, engine: sa.Engine) -> None:
        self.connection = engine.connect()
        self.outer = self.connection.begin()
        self._bound: list[tuple[Flask, sa.Engine]] = []

    def bind(self, app: Flask) -> None:
        """Make `app`'s sessions use this connection. Flask-SQLAlchemy 3 ignores a session's
        own `bind` (pallets-eco/flask-sqlalchemy#1167), so the app's default engine is swapped
        for the connection, which sessions accept as a bind, and put back in `close`."""
        engines = db._app_engines[app]
        self._bound.append((app, engines[None]))
        engines[None] = self.connection  # type: ignore[assignment]

    def savepoint(self) -> sa.NestedTransaction:
        return self.connection.begin_nested()

    def close(self) -> None:
        for app, engine in reversed(self._bound):
            db._app_engines[app][None] = engine
        self._bound.clear()
        if self.outer.is_active:
            self.outer.rollback()
        self.connection.close()


def empty_all_tables() -> None:
    """Delete every row (after a test that committed for real). DELETE, not TRUNCATE: on
    PostgreSQL a TRUNCATE of every table costs 80–200 ms, a DELETE of a few rows about 20."""
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()


def rows_left(connection: sa.Connection) -> dict[str, int]:
    """The tables that still hold rows, with their counts."""
    counts = {}
    for table in db.metadata.sorted_tables:
        count = connection.scalar(sa.select(sa.func.count()).select_from(table))
        if count:
            counts[table.name] = count
    return counts


def database_state() -> dict[str, list[tuple]]:
    """Every row of every table, as the test's session reads it (to prove nothing changed)."""
    db.session.flush()
    state = {}
    for table in db.metadata.sorted_tables:
        query = sa.select(table).order_by(*table.primary_key.columns)
        state[table.name] = [tuple(row) for row in db.session.execute(query)]
    return state


class StatementLog:
    """The SQL statements run while it listens, leaving out the savepoints the suite's own
    isolation adds (a request's session joins the test's transaction with one)."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement: str, *args) -> None:
        if not statement.lstrip().upper().startswith(SAVEPOINT_STATEMENTS):
            self.statements.append(statement)

    def __len__(self) -> int:
        return len(self.statements)

    def __enter__(self) -> StatementLog:
        self.target = db.engine
        sa.event.listen(self.target, "before_cursor_execute", self)
        return self

    def __exit__(self, *exc: object) -> None:
        sa.event.remove(self.target, "before_cursor_execute", self)
