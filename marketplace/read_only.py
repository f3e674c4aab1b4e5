"""A request that only read ends its transaction with COMMIT rather than ROLLBACK.

For the database the two are the same when nothing was written. For psycopg they are not: a
rollback makes it forget every statement it had prepared on the connection (DEALLOCATE ALL), and
the session's close at the end of every request rolls back. So no statement ever stayed
prepared from one request to the next, and PostgreSQL planned each one afresh every time: the
project page's eager-loading statement alone spends 2 ms in the planner. Committing a read-only
transaction keeps them: psycopg prepares a statement it has run five times on a connection, and
PostgreSQL then reuses its plan.

"Only read" is decided from what reached the connection, not from the session's bookkeeping: any
statement other than a SELECT (a flush, a Core UPDATE, text SQL, a SELECT … FOR UPDATE) marks
the transaction, and a marked one, or one left with unflushed changes or ended by an error, is
rolled back as before.

On PostgreSQL a transaction also begins only at the first statement that is not a read
(`begin_lazily`). psycopg sends BEGIN as a round trip of its own before a transaction's first
statement, and a read-only page then paid for BEGIN and COMMIT beside its two to four SELECTs
(0.2 to 0.6 ms of CPU a page, the app's and PostgreSQL's). Under READ COMMITTED, PostgreSQL's
default (the app asks for no other), each statement reads from a snapshot of its own whether or
not it is in a transaction, so the reads before the first write see what they saw before;
every write, row lock and savepoint is inside the transaction, committed or rolled back as
one, and a server-side cursor opens it too (it lives in one). A read-only request then has
no transaction to end at all; the COMMIT above still ends one that a connection given another
isolation level (a backup's REPEATABLE READ) began the way psycopg always does.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from flask import Flask, g, has_request_context
from sqlalchemy import Connection, Engine, event
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.pool import ConnectionPoolEntry

from .extensions import db, each_engine

try:
    from psycopg.pq import TransactionStatus
except ImportError:  # pragma: no cover - psycopg is a dependency; SQLite needs none of this
    TransactionStatus = None  # type: ignore[assignment,misc]

_READ = re.compile(r"\s*(SELECT|WITH)\b", re.IGNORECASE)
_WRITE = re.compile(  # a row lock (FOR UPDATE, FOR SHARE) or SELECT … INTO counts as a write too
    r"\b(INSERT|UPDATE|DELETE|MERGE|CREATE|ALTER|DROP|TRUNCATE|LOCK|SHARE|INTO)\b", re.I
)
_SAVEPOINT = re.compile(r"\s*(SAVEPOINT|RELEASE|ROLLBACK TO)\b", re.IGNORECASE)  # no change
WROTE = "marketplace.wrote"  # in a connection's `info`: this transaction ran a non-SELECT
WROTE_IN_REQUEST = "marketplace_wrote"  # under `g`: this request changed something


@functools.lru_cache(maxsize=2048)
def is_read(statement: str) -> bool:
    """A statement that changes nothing: a SELECT (a WITH of SELECTs), without FOR UPDATE.
    Kept per statement text: searching a long SELECT for those words takes 0.1 ms, and the
    same few hundred texts run on every request (`_note` passes SQLAlchemy's compiled text,
    the same object every time, not the text with a search's words written into it)."""
    return bool(_READ.match(statement)) and not _WRITE.search(statement)


@event.listens_for(Engine, "begin")
def _begin(connection: Connection) -> None:
    connection.info[WROTE] = False


@event.listens_for(Engine, "before_cursor_execute")
def _note(
    connection: Connection,
    _cursor: Any,
    statement: str,
    _parameters: Any,
    context: Any,
    _executemany: bool,
) -> None:
    # The compiled text, before any value is written into it: a search for "update" or
    # "share" is still a read (see `search._written_out`). Text run with exec_driver_sql has
    # no compiled form and is read as it is.
    compiled = getattr(context, "compiled", None)
    text = compiled.string if compiled is not None else statement
    if not is_read(text):
        connection.info[WROTE] = True
        if has_request_context() and not _SAVEPOINT.match(text):
            setattr(g, WROTE_IN_REQUEST, True)  # the nav's counts read early may be stale
        _begin_now(connection)
    elif getattr(context, "_is_server_side", False):
        _begin_now(connection)  # a server-side cursor lives in a transaction


def _begin_now(connection: Connection) -> None:
    """Open the transaction of a lazily beginning connection that has none yet (not of one
    asked to run in autocommit: an ANALYZE, a VACUUM)."""
    pooled = connection.connection
    if pooled.info.get(LAZY):
        dbapi_connection: Any = pooled.driver_connection
        if (
            dbapi_connection.autocommit
            and dbapi_connection.info.transaction_status == TransactionStatus.IDLE
            and connection.get_execution_options().get("isolation_level") != "AUTOCOMMIT"
        ):
            dbapi_connection.execute("BEGIN", prepare=False)


LAZY = "marketplace.begins_lazily"  # in a pooled connection's `info`: see `begin_lazily`


@event.listens_for(Session, "after_begin")
def _remember(session: Session, _transaction: SessionTransaction, connection: Connection) -> None:
    session.info["connection"] = connection


def _holds_changes(session: Session) -> bool:
    """Whether the session holds changes it has not written yet."""
    return bool(session.new or session.dirty or session.deleted)


def wrote_in_request() -> bool:
    """Whether this request has changed anything in the database, or holds changes it has not
    written yet."""
    return bool(g.get(WROTE_IN_REQUEST)) or _holds_changes(db.session())


def _nothing_begun(connection: Connection) -> bool:
    """Whether the database never saw the connection's transaction begin (a lazily beginning
    connection that only read): closing it sends nothing and keeps its prepared statements."""
    info = getattr(connection.connection.dbapi_connection, "info", None)  # psycopg's
    status = getattr(info, "transaction_status", None)
    return TransactionStatus is not None and status == TransactionStatus.IDLE


def end(error: BaseException | None = None) -> None:
    """At the end of a request (before the session is closed): commit the session's
    transaction if it only read, so its connection keeps its prepared statements (psycopg
    forgets them at a rollback). Not when the transaction never began on the server
    (`begin_lazily`): then there is nothing to commit, and a commit only expires every object
    the request loaded (0.03–0.07 ms a page)."""
    session = db.session()
    connection = session.info.pop("connection", None)
    if (
        error is None
        and connection is not None
        and session.in_transaction()
        and not connection.closed
        and connection.info.get(WROTE) is False
        and not _holds_changes(session)
        and not _nothing_begun(connection)
    ):
        try:
            session.commit()
        except Exception:
            session.rollback()


def begin_lazily(engine: Engine) -> None:
    """Let `engine`'s psycopg connections begin a transaction at the first statement that is
    not a read: the driver runs in autocommit, and `_note` sends BEGIN before that statement.
    Only where a read has a snapshot of its own in a transaction too: the server's default
    level is READ COMMITTED and the engine asks for no other. A connection SQLAlchemy gives
    another level for a while (autocommit off) is left to psycopg, and made lazy again when it
    next leaves the pool. Not for them: two-phase commits and `postgresql_readonly` (psycopg
    refuses the one in autocommit and cannot send the other with a plain BEGIN; the app uses
    neither)."""
    if engine.dialect.driver != "psycopg":
        return

    @event.listens_for(engine, "connect")
    def _connected(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        # SQLAlchemy has read the server's default level on its first connection by now, and
        # set the engine's own level, if it has one, on this one.
        if (
            dbapi_connection.isolation_level is None
            and engine.dialect.default_isolation_level == "READ COMMITTED"
        ):
            dbapi_connection.autocommit = True
            record.info[LAZY] = True

    @event.listens_for(engine, "checkout")
    def _lent(dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: Any) -> None:
        if (
            record.info.get(LAZY)
            and not dbapi_connection.autocommit
            and dbapi_connection.info.transaction_status == TransactionStatus.IDLE
        ):
            dbapi_connection.autocommit = True


def register(app: Flask) -> None:
    """Run `end` before Flask-SQLAlchemy closes the session (teardowns run last-registered
    first, and the extensions registered theirs already); begin transactions lazily."""
    app.teardown_appcontext(end)
    each_engine(app, begin_lazily)
