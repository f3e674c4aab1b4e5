"""A pooled PostgreSQL connection is checked before use when there is a reason to doubt it,
instead of with a round trip on every checkout (SQLAlchemy's `pool_pre_ping`).

`pool_pre_ping` sends `SELECT 1` each time a request takes a connection: one round trip of the
four to six a page makes, about 0.2 ms of every request. A connection can die while it sits in
the pool: PostgreSQL restarted, an administrator or an idle timeout ended the backend, or the
network between dropped it. The first two leave the socket readable (PostgreSQL says why and
closes it), which a zero-timeout `poll` sees without a round trip; the last leaves no trace,
so a connection idle longer than `PING_AFTER` is pinged as before. A failed ping discards the
connection and the pool opens a new one in its place (SQLAlchemy tries a checkout twice).

SQLite has no server to lose: its connections are never pinged.
"""

from __future__ import annotations

import select
import time
from typing import Any

from flask import Flask
from sqlalchemy import Engine, event, exc
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection

from .extensions import each_engine

PING_AFTER = 10.0  # seconds a connection may sit in the pool and still be used without a ping
RETURNED = "marketplace.returned"  # in a pooled connection's `info`: when it was checked in


def _has_news(dbapi_connection: Any) -> bool:
    """Whether the server sent anything to an idle connection (a goodbye, or its closing), or
    the connection is known to be closed or broken already."""
    if getattr(dbapi_connection, "closed", False) or getattr(dbapi_connection, "broken", False):
        return True
    try:
        fileno = dbapi_connection.fileno()
        poll = select.poll()  # not select(): it refuses descriptors past 1023
        poll.register(fileno, select.POLLIN)
        return bool(poll.poll(0))
    except Exception:  # no socket to look at, or psycopg finds it closed: ask
        return True


def is_doubtful(dbapi_connection: Any, entry: ConnectionPoolEntry, now: float) -> bool:
    """Whether a connection leaving the pool should be pinged first."""
    returned = entry.info.get(RETURNED)
    if returned is None:
        return False  # just opened
    return now - returned > PING_AFTER or _has_news(dbapi_connection)


def watch(engine: Engine) -> None:
    """Ping `engine`'s connections at checkout only when in doubt."""
    if engine.dialect.name == "sqlite":
        return
    dialect = engine.dialect

    @event.listens_for(engine.pool, "checkin")
    def _returned(_dbapi_connection: Any, entry: ConnectionPoolEntry) -> None:
        entry.info[RETURNED] = time.monotonic()

    @event.listens_for(engine.pool, "checkout")
    def _check(
        dbapi_connection: Any, entry: ConnectionPoolEntry, _proxy: PoolProxiedConnection
    ) -> None:
        if not is_doubtful(dbapi_connection, entry, time.monotonic()):
            return
        try:
            alive = dialect.do_ping(dbapi_connection)
        except Exception as error:  # whatever the driver raises for a dead connection
            raise exc.DisconnectionError("the pooled connection did not answer") from error
        if not alive:
            raise exc.DisconnectionError("the pooled connection did not answer")


def register(app: Flask) -> None:
    each_engine(app, watch)
