"""Pooled PostgreSQL connections are pinged only when in doubt (marketplace.pool): a backend
that died while its connection sat in the pool is replaced without the request noticing, and a
connection used a moment ago goes out without a round trip."""

from __future__ import annotations

import time

import psycopg
import pytest
import sqlalchemy as sa

from marketplace import pool

from .databases import one_connection_engine


@pytest.fixture
def engine(app):
    """An engine of one pooled connection to the test database, watched as the app's are."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    with one_connection_engine(url, unless="SQLite has no server to lose") as made:
        pool.watch(made)
        yield made


@pytest.fixture
def pings(engine, monkeypatch):
    """The pings the engine's pool sends."""
    sent: list[object] = []
    ping = engine.dialect.do_ping

    def counted(dbapi_connection):
        sent.append(dbapi_connection)
        return ping(dbapi_connection)

    monkeypatch.setattr(engine.dialect, "do_ping", counted)
    return sent


def _backend(engine) -> int:
    with engine.connect() as connection:
        return connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()


def _psycopg_url(engine) -> str:
    return engine.url.set(drivername="postgresql").render_as_string(False)


def _end_backend(engine) -> int:
    """End the backend of `engine`'s one pooled connection, as an administrator or a restart
    would, and wait until its goodbye reaches the pooled socket; returns the backend's pid."""
    pid = _backend(engine)
    with psycopg.connect(_psycopg_url(engine)) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    idle = engine.pool._pool.queue[0].dbapi_connection  # the one idle connection
    deadline = time.monotonic() + 5
    while not pool._has_news(idle) and time.monotonic() < deadline:
        time.sleep(0.01)  # polling for the state, not a fixed wait
    return pid


def test_a_connection_used_a_moment_ago_is_not_pinged(engine, pings):
    first = _backend(engine)
    assert _backend(engine) == first  # the same connection, from the pool
    assert pings == []


def test_a_connection_idle_too_long_is_pinged(engine, pings, monkeypatch):
    """A dropped network leaves no trace on the socket: an old connection is asked."""
    first = _backend(engine)
    monkeypatch.setattr(pool, "PING_AFTER", -1.0)  # any time in the pool is too long
    assert _backend(engine) == first
    assert len(pings) == 1


def test_a_backend_ended_while_in_the_pool_is_replaced(engine, pings):
    """PostgreSQL restarted, or an administrator or an idle timeout ended the backend: the
    next checkout sees it, pings, and takes a new connection; the statement never fails."""
    first = _end_backend(engine)
    second = _backend(engine)
    assert second != first
    assert len(pings) == 1


def test_without_the_watch_that_backend_would_have_failed_the_statement(engine):
    """The case above is real: an unwatched pool hands out the dead connection."""
    bare = sa.create_engine(engine.url, pool_size=1, max_overflow=0)
    try:
        _end_backend(bare)
        with pytest.raises(sa.exc.OperationalError):
            _backend(bare)
    finally:
        bare.dispose()


def test_a_connection_closed_on_our_side_is_doubted_not_an_error(engine):
    """psycopg raises for the socket of a closed connection: that counts as news (ping it,
    and the failed ping replaces it), never as an error of the checkout."""
    with engine.connect() as connection:
        dbapi_connection = connection.connection.dbapi_connection
        assert pool._has_news(dbapi_connection) is False  # idle and well
    closed = psycopg.connect(_psycopg_url(engine))
    closed.close()
    assert pool._has_news(closed) is True

    class Odd:  # a driver that raises for its socket without saying it is closed
        closed = broken = False

        def fileno(self) -> int:
            raise psycopg.OperationalError("the connection is lost")

    assert pool._has_news(Odd()) is True
