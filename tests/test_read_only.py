"""A request that only read ends with COMMIT (marketplace.read_only): the same for the data,
and on PostgreSQL its connection keeps the statements psycopg prepared (a rollback drops them)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from marketplace import read_only
from marketplace.extensions import db
from marketplace.models import ProjectStatus, User

from .conftest import login_as
from .databases import one_connection_engine


@pytest.mark.parametrize(
    ("statement", "read"),
    [
        ("SELECT 1", True),
        ('  select "user".id, "user".created_at, "user".updated_at FROM "user"', True),
        ("WITH candidates AS MATERIALIZED (SELECT project.id FROM project) SELECT 1", True),
        ("SELECT id FROM offer WHERE id = 1 FOR UPDATE", False),
        ("UPDATE offer SET status = 'accepted'", False),
        ("INSERT INTO message (body) VALUES ('hi')", False),
        ("DELETE FROM thread_read", False),
        ("WITH gone AS (DELETE FROM message RETURNING id) SELECT count(*) FROM gone", False),
        ("PRAGMA busy_timeout=15000", False),
        ("LOCK TABLE offer", False),
        ("SELECT id FROM offer FOR SHARE", False),
        ("SELECT id INTO kept FROM offer", False),
    ],
)
def test_what_counts_as_only_reading(statement, read):
    assert read_only.is_read(statement) is read


def _ended(app, work) -> bool:
    """Run `work` in a request, end it as a request ends; whether its transaction committed."""
    committed: list[bool] = []
    with app.test_request_context():
        sa.event.listen(db.session(), "after_commit", lambda _session: committed.append(True))
        work()
        read_only.end(None)
        db.session.rollback()
    return bool(committed)


def _begins_lazily() -> bool:
    """Whether the app's connections begin at the first write (PostgreSQL here): a request that
    only read then has nothing to commit."""
    return db.engine.dialect.driver == "psycopg"


@pytest.mark.commits  # a transaction of its own, as a request has
def test_a_transaction_that_only_read_commits_if_it_began(app, make):
    user_id = make.student().id
    db.session.commit()
    assert _ended(app, lambda: db.session.get(User, user_id)) is not _begins_lazily()


@pytest.mark.commits  # a transaction of its own, as a request has
def test_a_change_left_unsaved_is_not_committed_by_the_end_of_the_request(app, make):
    """A view that changed an object and then refused keeps nothing of the change."""
    user_id = make.student(first_name="Ava").id
    db.session.commit()

    def change() -> None:
        db.session.get(User, user_id).first_name = "Changed"

    def change_and_flush() -> None:
        change()
        db.session.flush()

    def update() -> None:
        db.session.execute(sa.update(User).where(User.id == user_id).values(first_name="Changed"))

    for work in (change, change_and_flush, update):
        assert _ended(app, work) is False, work.__name__
        db.session.expire_all()
        assert db.session.get(User, user_id).first_name == "Ava"


@pytest.mark.commits  # a transaction of its own, as a request has
def test_an_error_ends_the_transaction_with_a_rollback(app, make):
    user_id = make.student().id
    db.session.commit()
    committed: list[bool] = []
    with app.test_request_context():
        sa.event.listen(db.session(), "after_commit", lambda _session: committed.append(True))
        db.session.get(User, user_id)
        read_only.end(RuntimeError("the view failed"))
        db.session.rollback()
    assert committed == []


@pytest.mark.commits
@pytest.mark.parametrize("query", ["", "update share into lock"])
def test_a_page_that_only_read_ends_with_commit(app, make, client, query):
    """Through the app as a browser uses it: a GET of the browse page ends its read with a
    COMMIT (read_only.end runs before Flask-SQLAlchemy closes the session) where a transaction
    began for it (SQLite; on PostgreSQL none began, `test_a_page_that_only_reads_sends_no_begin`).
    A search for words that name a write is still a read: on PostgreSQL its words are written
    into its statement, and a request is judged from the compiled text."""
    project = make.project(status=ProjectStatus.PUBLISHED)
    employer = make.employer(make.organisation(verified_by=[project.team.classroom.school]))
    db.session.commit()
    login_as(client, employer)
    ours = db.session()  # the test's own session (the client commits it before each request)
    committed: list[bool] = []

    def note(session) -> None:
        if session is not ours:
            committed.append(True)

    sa.event.listen(sa.orm.Session, "after_commit", note)
    try:
        assert client.get("/projects", query_string={"q": query}).status_code == 200
        # The request's own read, ended by read_only.end.
        assert committed == ([] if _begins_lazily() else [True])
    finally:
        sa.event.remove(sa.orm.Session, "after_commit", note)


@pytest.fixture
def pg_app(app_factory):
    """An app on the test database with its own pool (not the suite's shared transaction)."""
    built = app_factory(SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 1, "max_overflow": 0})
    with built.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("prepared statements are PostgreSQL's: set TEST_DATABASE_URL")
        db.session.remove()
    return built


@pytest.mark.commits
def test_statements_stay_prepared_from_one_page_to_the_next(pg_app, make):
    """Six views of the browse page on one connection: psycopg prepares what it ran five times,
    and the read-only requests' COMMIT keeps it (a ROLLBACK would DEALLOCATE ALL)."""
    project = make.project(status=ProjectStatus.PUBLISHED)
    employer = make.employer(make.organisation(verified_by=[project.team.classroom.school]))
    db.session.commit()
    client = pg_app.test_client()
    login_as(client, employer)
    for _ in range(6):
        assert client.get("/projects").status_code == 200
    with pg_app.app_context():
        prepared = db.session.scalars(sa.text("SELECT statement FROM pg_prepared_statements"))
        statements = list(prepared)
    assert any("FROM project" in statement for statement in statements), statements


# --- on PostgreSQL a transaction begins at the first write (read_only.begin_lazily) ---------

PSYCOPGS = "BEGIN as a round trip of its own is psycopg's"


@pytest.fixture
def lazy(app):
    """An engine of one pooled connection to the test database, beginning lazily as the app's
    do, and the driver's transaction state after each statement it ran."""
    with one_connection_engine(app.config["SQLALCHEMY_DATABASE_URI"], unless=PSYCOPGS) as engine:
        read_only.begin_lazily(engine)
        states: list[str] = []

        def after(conn, cursor, statement, parameters, context, executemany) -> None:
            states.append(conn.connection.driver_connection.info.transaction_status.name)

        sa.event.listen(engine, "after_cursor_execute", after)
        yield engine, states


def test_reads_open_no_transaction_and_the_first_write_opens_one(lazy):
    engine, states = lazy
    with engine.connect() as connection:
        connection.execute(sa.text("CREATE TEMPORARY TABLE scratch (n int PRIMARY KEY)"))
        connection.commit()
        states.clear()
        connection.execute(sa.text("SELECT count(*) FROM scratch"))
        connection.execute(sa.select(sa.literal(1)))
        assert states == ["IDLE", "IDLE"]  # no BEGIN was sent, and none is owed a COMMIT
        connection.execute(sa.text("INSERT INTO scratch VALUES (1)"))
        connection.execute(sa.text("SELECT count(*) FROM scratch"))
        assert states[2:] == ["INTRANS", "INTRANS"]  # and the reads after it are inside
        connection.rollback()
        assert connection.execute(sa.text("SELECT count(*) FROM scratch")).scalar_one() == 0


def test_the_writes_of_a_transaction_are_undone_together(lazy):
    engine, _ = lazy
    with engine.connect() as connection:
        connection.execute(sa.text("CREATE TEMPORARY TABLE scratch (n int PRIMARY KEY)"))
        connection.commit()
        connection.execute(sa.text("SELECT count(*) FROM scratch"))
        connection.execute(sa.text("INSERT INTO scratch VALUES (1)"))
        with pytest.raises(sa.exc.IntegrityError):
            connection.execute(sa.text("INSERT INTO scratch VALUES (1)"))
        connection.rollback()
        assert connection.execute(sa.text("SELECT count(*) FROM scratch")).scalar_one() == 0
        connection.execute(sa.text("INSERT INTO scratch VALUES (2)"))
        connection.execute(sa.text("INSERT INTO scratch VALUES (3)"))
        connection.commit()
        assert connection.execute(sa.text("SELECT count(*) FROM scratch")).scalar_one() == 2


def test_a_row_lock_and_a_savepoint_each_open_the_transaction(lazy):
    engine, states = lazy
    with engine.connect() as connection:
        connection.execute(sa.select(sa.literal(1)).with_for_update())
        assert states == ["INTRANS"]  # the lock is held until the transaction ends
        connection.rollback()
        states.clear()
        with connection.begin_nested():
            connection.execute(sa.select(sa.literal(1)))
        assert states[0] == "INTRANS"


def test_another_isolation_level_is_psycopgs_own_transaction_then_lazy_again(lazy):
    """A backup reads one snapshot (REPEATABLE READ): its reads are in one transaction; the
    connection begins lazily again for whoever takes it next."""
    engine, states = lazy
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection:
        level = connection.execute(sa.text("SHOW transaction_isolation")).scalar_one()
        connection.execute(sa.select(sa.literal(1)))
        assert level == "repeatable read" and states == ["INTRANS", "INTRANS"]
    states.clear()
    with engine.connect() as connection:
        connection.execute(sa.select(sa.literal(1)))
        assert states == ["IDLE"]


def test_a_connection_asked_for_autocommit_gets_no_transaction(lazy):
    """ANALYZE or VACUUM on a connection in autocommit (a bench's statistics) is not wrapped in
    a transaction that its close would roll back, and VACUUM may run at all."""
    engine, states = lazy
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(sa.text("CREATE TEMPORARY TABLE scratch (n int)"))
        connection.execute(sa.text("VACUUM ANALYZE scratch"))
        assert states == ["IDLE", "IDLE"]
    states.clear()
    with engine.connect() as connection:  # back in the pool, it begins lazily again
        connection.execute(sa.text("SELECT 1"))
        connection.execute(sa.text("CREATE TEMPORARY TABLE scratch2 (n int)"))
        assert states == ["IDLE", "INTRANS"]


@pytest.mark.commits
def test_a_page_that_only_reads_sends_no_begin(pg_app, make):
    """Through the app's own engine: every statement of a read-only page runs with no
    transaction open, so neither BEGIN nor COMMIT is sent for it."""
    project = make.project(status=ProjectStatus.PUBLISHED)
    employer = make.employer(make.organisation(verified_by=[project.team.classroom.school]))
    db.session.commit()
    client = pg_app.test_client()
    login_as(client, employer)
    states: list[str] = []

    def after(conn, cursor, statement, parameters, context, executemany) -> None:
        states.append(conn.connection.driver_connection.info.transaction_status.name)

    ours = db.session()  # the test's own session (the client commits it before each request)
    committed: list[bool] = []

    def note(session) -> None:
        if session is not ours:
            committed.append(True)

    with pg_app.app_context():
        engine = db.engine
    sa.event.listen(engine, "after_cursor_execute", after)
    sa.event.listen(sa.orm.Session, "after_commit", note)
    try:
        assert client.get(f"/projects/{project.id}").status_code == 200
    finally:
        sa.event.remove(engine, "after_cursor_execute", after)
        sa.event.remove(sa.orm.Session, "after_commit", note)
    assert states and set(states) == {"IDLE"}, states
    # Nothing began on the server, so the session is closed as it is: a commit would only
    # expire what the page loaded (its statements stay prepared all the same, tested above).
    assert committed == []


def test_a_server_whose_default_is_another_level_begins_as_psycopg_does(app):
    """Reads before the first write are outside a transaction only where that changes nothing:
    an engine asking for REPEATABLE READ keeps psycopg's BEGIN before its first statement."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    with one_connection_engine(url, unless=PSYCOPGS, isolation_level="REPEATABLE READ") as engine:
        read_only.begin_lazily(engine)
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
            driver = connection.connection.driver_connection
            assert driver.info.transaction_status.name == "INTRANS"
            assert not connection.connection.info.get(read_only.LAZY)
