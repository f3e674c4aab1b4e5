"""The embedded default (SQLite, as `make run` serves a classroom) under concurrent writers:
write-ahead logging and a busy timeout, so nobody meets "database is locked"."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from marketplace.extensions import SQLITE_BUSY_TIMEOUT_MS


@pytest.fixture
def engine(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'classroom.sqlite3'}")
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT)"))
    yield engine
    engine.dispose()


def test_sqlite_connections_use_wal_and_wait_their_turn(engine):
    with engine.connect() as connection:
        assert connection.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(sa.text("PRAGMA busy_timeout")).scalar() == (
            SQLITE_BUSY_TIMEOUT_MS
        )


def test_a_writer_commits_while_a_reader_holds_its_snapshot(engine):
    """With a rollback journal the writer would wait for the reader to finish; in WAL mode it
    commits at once and the reader keeps reading its own snapshot."""
    reading, written = threading.Event(), threading.Event()
    seen: dict[str, object] = {}

    def reader() -> None:
        with engine.connect() as connection:
            connection.exec_driver_sql("BEGIN")
            seen["before"] = connection.execute(sa.text("SELECT count(*) FROM note")).scalar()
            reading.set()
            seen["writer_done_in_time"] = written.wait(timeout=5)
            seen["after"] = connection.execute(sa.text("SELECT count(*) FROM note")).scalar()
            connection.exec_driver_sql("COMMIT")

    thread = threading.Thread(target=reader)
    thread.start()
    assert reading.wait(timeout=5)
    with engine.begin() as connection:
        connection.execute(sa.text("INSERT INTO note (body) VALUES ('hello')"))
    written.set()
    thread.join(timeout=10)
    assert seen == {"before": 0, "writer_done_in_time": True, "after": 0}


def test_many_writers_at_once_meet_no_lock_error(engine):
    errors: list[str] = []
    start = threading.Barrier(8)

    def writer(n: int) -> None:
        start.wait(timeout=10)
        for i in range(25):
            try:
                with engine.begin() as connection:
                    count = connection.execute(sa.text("SELECT count(*) FROM note")).scalar()
                    connection.execute(
                        sa.text("INSERT INTO note (body) VALUES (:body)"),
                        {"body": f"{n}-{i}-{count}"},
                    )
            except sa.exc.OperationalError as error:
                errors.append(str(error))

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM note")).scalar() == 200
