"""Fixtures shared by the whole suite.

The suite runs on SQLite by default and on PostgreSQL when TEST_DATABASE_URL is set. The schema
comes from the migrations (upgraded once per run); each test starts from empty tables.
"""

from __future__ import annotations

import contextvars
import os
from collections.abc import Iterator
from pathlib import Path

import flask_migrate
import pytest
import sqlalchemy as sa
from flask import Flask, has_app_context
from flask.testing import FlaskClient

from config import TestConfig
from marketplace import create_app
from marketplace.extensions import db
from marketplace.models import User

from .browsing import browser, live_server, page  # noqa: F401  (fixtures)
from .factories import PASSWORD, Factory
from .helpers import Outbox

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")


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


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The database every test uses, migrated from empty to head once per run."""
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
    return url


def empty_all_tables() -> None:
    """Delete every row (fast enough per test, and it works for threads and other processes too)."""
    tables = [t for t in db.metadata.sorted_tables]
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        db.session.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in reversed(tables):
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture
def app_factory(database_url: str, tmp_path: Path) -> Iterator:
    """Build extra apps on the test database (for config variations); all are cleaned up."""
    apps: list[Flask] = []

    def build(**overrides: object) -> Flask:
        app = create_app(make_config(database_url, tmp_path / "instance", **overrides))
        app.test_client_class = IsolatedClient
        apps.append(app)
        return app

    yield build
    for app in apps:
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def app(app_factory) -> Iterator[Flask]:
    """The application, with an app context pushed for the test's own database work."""
    app = app_factory()
    with app.app_context():
        yield app
        db.session.rollback()
        empty_all_tables()
        db.session.remove()


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
