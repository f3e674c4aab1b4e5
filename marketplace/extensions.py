"""Flask extensions, created unbound; `create_app` binds them. Nothing here imports the app."""

import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import CursorResult, Delete, Engine, MetaData, Update, event
from sqlalchemy.orm import DeclarativeBase, Session

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with a naming convention, so migrations name constraints the same way."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)

SQLITE_BUSY_TIMEOUT_MS = 15_000


@event.listens_for(Engine, "connect")
def _sqlite_for_a_classroom(connection: Any, _record: Any) -> None:
    """The embedded default under a class's load: write-ahead logging, so readers never block
    the writer nor it them, and a writer waits its turn (up to 15 s) instead of failing at once
    with "database is locked". PostgreSQL connections are left alone."""
    if isinstance(connection, sqlite3.Connection):
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


# The models' base class. Flask-SQLAlchemy builds db.Model from Base when it starts (adding the
# table-name and bind mixins), which a type checker cannot follow; it checks against Base.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address)


def rows_matched(statement: Update | Delete, session: Session | None = None) -> int:
    """Run an UPDATE or DELETE in `session` (the app's by default); how many rows it matched."""
    result = (db.session if session is None else session).execute(statement)
    assert isinstance(result, CursorResult)  # what an UPDATE or DELETE always gives
    return result.rowcount


def upsert(model: Any) -> Any:
    """An INSERT of `model` that can say what a conflict does (`on_conflict_do_nothing`,
    `on_conflict_do_update`): PostgreSQL's and SQLite's, which spell it the same way."""
    from sqlalchemy.dialects import postgresql, sqlite

    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(model)


def each_engine(app: Flask, setup: Callable[[Engine], None]) -> None:
    """Call `setup` with each of `app`'s database engines (how their connections are made,
    pooled and used: `pool.watch`, `cursors.describe_lazily`, `read_only.begin_lazily`)."""
    with app.app_context():
        for engine in db.engines.values():
            setup(engine)


def register(app: Flask) -> None:
    """Bind every extension to `app`."""
    from config import ROOT

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to see that page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
