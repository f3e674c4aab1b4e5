"""Fixtures shared by the whole suite.

The suite runs on SQLite by default and on PostgreSQL when TEST_DATABASE_URL is set. The schema
comes from the migrations (upgraded once per run). There is one app for the run, put back as it
was before each test; each test's database work is rolled back after it, and a module may build
one world shared by its tests, each rolled back to it (tests/isolation.py says how).
"""

from __future__ import annotations

import contextvars
import copy
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import flask_migrate
import pytest
import sqlalchemy as sa
from flask import Flask, has_app_context
from flask.ctx import AppContext
from flask.testing import FlaskClient

from config import TestConfig
from marketplace import create_app
from marketplace.extensions import db, limiter
from marketplace.models import User
from marketplace.storage import LocalStorage

from .browsing import browser, live_server, page, tab  # noqa: F401  (fixtures)
from .factories import PASSWORD, Factory
from .helpers import Outbox
from .isolation import SharedTransaction, empty_all_tables, rows_left, transactional_engine
from .redis_store import redis_url  # noqa: F401  (a fixture)
from .s3 import bucket, s3, s3_server  # noqa: F401  (fixtures)
from .world import World, build_world

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
T = TypeVar("T")


def make_config(database_url: str, instance: Path, **overrides: object) -> TestConfig:
    """A test configuration on `database_url`, with instance files under `instance`."""
    config = TestConfig()
    config.SQLALCHEMY_DATABASE_URI = database_url
    config.INSTANCE_PATH = instance
    config.MAIL_OUTBOX_DIR = str(instance / "outbox")
    config.UPLOAD_DIR = str(instance / "uploads")
    config.WTF_CSRF_ENABLED = False  # tests/test_csrf.py turns it on and checks every route
    for key, value in overrides.items():
        setattr(config, key, value)
    return config


def reset_postgres_schema(url: str) -> None:
    """Drop everything in the public schema, so migrations start from an empty database."""
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(sa.text("DROP SCHEMA public CASCADE"))
            connection.execute(sa.text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that serves the app to a browser (another thread) needs real commits."""
    for item in items:
        if "live_server" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.commits)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The database every test uses, migrated from empty to head once per run. At the end of
    the run every table must be empty again: a row left behind means a test leaked one."""
    instance = tmp_path_factory.mktemp("migrate")
    if TEST_DATABASE_URL:
        url = TEST_DATABASE_URL
        reset_postgres_schema(url)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    app = create_app(make_config(url, instance))
    with app.app_context():
        flask_migrate.upgrade()
        db.engine.dispose()
    yield url
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            left = rows_left(connection)
    finally:
        engine.dispose()
    assert left == {}, f"rows leaked out of the tests that wrote them: {left}"


class Database:
    """The run's test database and the transaction that isolates the test in hand."""

    def __init__(self, url: str) -> None:
        self.engine = transactional_engine(url)
        self.module: SharedTransaction | None = None  # a module's shared world lives in it
        self.module_files: Path | None = None  # and its files


@pytest.fixture(scope="session")
def database(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    database.engine.dispose()


@pytest.fixture(scope="session")
def base_app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The one application of the run (building one costs 60 ms and leaves Jinja cold); what a
    test may change on it is put back before the next test (see `reset_app`)."""
    app = create_app(make_config(database_url, tmp_path_factory.mktemp("instance")))
    app.test_client_class = IsolatedClient
    app.extensions["pristine_config"] = copy.deepcopy(dict(app.config))
    yield app
    with app.app_context():
        db.engine.dispose()


def reset_app(app: Flask, folder: Path, *, files_from: Path | None = None) -> None:
    """Put back the configuration, empty the rate limits, and give the test its own outbox and
    upload folders (the upload folder a copy of `files_from`: a shared world's files)."""
    app.config.update(copy.deepcopy(app.extensions["pristine_config"]))
    app.config["MAIL_OUTBOX_DIR"] = str(folder / "outbox")
    app.config["UPLOAD_DIR"] = str(folder / "uploads")
    if files_from is not None and files_from.exists():
        shutil.copytree(files_from, folder / "uploads")
    app.extensions["storage"] = LocalStorage(app.config["UPLOAD_DIR"])
    limiter.reset()


@pytest.fixture(scope="module")
def module_db(base_app: Flask, database: Database, tmp_path_factory) -> Iterator[Database]:
    """One transaction and one app context for a module that builds its world once: each test
    then runs in a savepoint rolled back after it. A module's world fixture depends on this."""
    reset_app(base_app, tmp_path_factory.mktemp("module"))
    database.module_files = Path(base_app.config["UPLOAD_DIR"])
    database.module = SharedTransaction(database.engine)
    database.module.bind(base_app)
    context: AppContext = base_app.app_context()
    context.push()
    try:
        yield database
    finally:
        db.session.remove()
        context.pop()
        database.module.close()
        database.module = None


@pytest.fixture(autouse=True)
def _isolated(request: pytest.FixtureRequest) -> None:
    """A test of a module with a shared world is isolated even if it never asks for `app`."""
    if "module_db" in request.fixturenames:
        request.getfixturevalue("app")


@pytest.fixture
def app(request: pytest.FixtureRequest, base_app: Flask, database: Database, tmp_path: Path):
    """The application, with an app context pushed for the test's own database work; whatever
    the test writes is rolled back after it (see tests/isolation.py)."""
    if request.node.get_closest_marker("commits"):
        assert database.module is None, "a test that commits cannot share a module's world"
        reset_app(base_app, tmp_path)
        with base_app.app_context():
            yield base_app
            db.session.rollback()
            empty_all_tables()
        return
    if database.module is not None:
        reset_app(base_app, tmp_path, files_from=database.module_files)
        db.session.commit()  # the world as built, out of any savepoint of the session
        known = set(db.session.identity_map.keys())
        savepoint = database.module.savepoint()
        yield base_app
        db.session.rollback()
        if savepoint.is_active:
            savepoint.rollback()
        for key, row in list(db.session.identity_map.items()):
            if key not in known:  # a row the test made, gone with the savepoint
                db.session.expunge(row)
        db.session.expire_all()
        return
    reset_app(base_app, tmp_path)
    transaction = SharedTransaction(database.engine)
    request.node.stash[TRANSACTION] = transaction
    transaction.bind(base_app)
    try:
        with base_app.app_context():
            yield base_app
            db.session.rollback()
    finally:
        transaction.close()


TRANSACTION = pytest.StashKey[SharedTransaction]()


def shared_world(build: Callable[[Factory], T], name: str = "world"):
    """A fixture `name` giving `build(Factory())`, built once per module that asks for it; each
    test of the module is rolled back to it (see `module_db`)."""

    @pytest.fixture(scope="module", name=name)
    def fixture(module_db: Database) -> T:
        built = build(Factory())
        db.session.commit()
        return built

    return fixture


world: Callable[..., World] = shared_world(build_world)  # two schools, every role, their rows


@pytest.fixture
def app_factory(request: pytest.FixtureRequest, app: Flask, database: Database, tmp_path: Path):
    """Build extra apps on the test database (for configuration that is read when an app is
    built); they share the test's transaction and are cleaned up."""
    apps: list[Flask] = []
    transaction = database.module or request.node.stash.get(TRANSACTION, None)
    # The limiter is one object: each app built re-points it at that app's store (Redis, say),
    # which the run's app then uses too. It is put back afterwards (no public way to do it).
    rate_store = (limiter._storage, limiter._limiter)

    def build(**overrides: object) -> Flask:
        folders = {key: app.config[key] for key in ("MAIL_OUTBOX_DIR", "UPLOAD_DIR")}
        url = app.config["SQLALCHEMY_DATABASE_URI"]
        built = create_app(make_config(url, tmp_path / "extra", **(folders | overrides)))
        built.test_client_class = IsolatedClient
        if transaction is not None and "SQLALCHEMY_DATABASE_URI" not in overrides:
            transaction.bind(built)
        apps.append(built)
        return built

    yield build
    limiter._storage, limiter._limiter = rate_store
    for built in apps:
        with built.app_context():
            db.session.remove()
            engine = db._app_engines[built][None]
            if isinstance(engine, sa.Engine):
                engine.dispose()


class IsolatedClient(FlaskClient):
    """A test client whose requests run in a fresh context, like real ones.

    Flask would otherwise reuse the test's app context for each request, sharing `g` (and the
    logged-in user Flask-Login caches there) and the database session between requests.
    """

    def open(self, *args, **kwargs):  # type: ignore[override]
        kwargs.setdefault("buffered", True)  # read and close file responses at once
        if has_app_context():
            db.session.commit()  # the request sees what the test wrote, and waits on no lock of it
        response = contextvars.Context().run(super().open, *args, **kwargs)
        if has_app_context():
            db.session.expire_all()  # the test then reads what the request wrote
        return response


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def make(app: Flask) -> Factory:
    """Record builders with sensible defaults: `make.student()`, `make.teacher(school=...)`…"""
    return Factory()


@pytest.fixture
def outbox(app: Flask) -> Outbox:
    """The mail written to the outbox folder during the test."""
    return Outbox(Path(app.config["MAIL_OUTBOX_DIR"]))


def login_as(client: FlaskClient, user: User) -> FlaskClient:
    """Start a session for `user` without the log-in form (the form has its own tests)."""
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    return client


@pytest.fixture
def login(client: FlaskClient):
    """`login(user)`: the test client is now logged in as `user`."""
    return lambda user: login_as(client, user)


@pytest.fixture
def log_in_with_form(client: FlaskClient):
    """`log_in_with_form(login, password)`: log in through the real form."""

    def submit(login: str, password: str = PASSWORD, next_url: str = ""):
        return client.post(
            "/auth/login", data={"login": login, "password": password, "next": next_url}
        )

    return submit
