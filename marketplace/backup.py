"""Backup and restore: the database and every stored object, into a folder and back.

`create(folder)` dumps the database first (PostgreSQL: `pg_dump` in its custom format; SQLite:
the online backup API), then copies every object of the storage (S3 bucket or upload folder)
under `objects/`, and writes `manifest.json`: the schema revision, each table's row count, and
each object's size and SHA-256. An object the app adds while the copy runs may be missing from
it (its row is not in the dump either); one it deletes is already gone from the dump's rows.

`restore(folder)` fills an EMPTY database and an EMPTY storage (it refuses anything else, so
it never mixes two installations), checks every object's hash as it writes it, then counts the
rows and objects again against the manifest and says what differs.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import sqlalchemy as sa

from .extensions import db
from .models import utcnow
from .storage import TooLarge, copy_stream, storage

MANIFEST = "manifest.json"
DATABASE_DUMP = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
OBJECTS = "objects"
NO_LIMIT = 1 << 62  # a restored object is as large as it was


class BackupError(Exception):
    """What stops a backup or a restore; the message says what to do."""


@dataclass
class Manifest:
    created_at: str
    dialect: str
    revision: str
    tables: dict[str, int]
    objects: dict[str, dict[str, int | str]] = field(default_factory=dict)  # key: size, sha256

    @property
    def object_bytes(self) -> int:
        return sum(int(o["size"]) for o in self.objects.values())

    def save(self, folder: Path) -> None:
        (folder / MANIFEST).write_text(json.dumps(self.__dict__, indent=1, sort_keys=True))

    @classmethod
    def load(cls, folder: Path) -> Manifest:
        try:
            return cls(**json.loads((folder / MANIFEST).read_text()))
        except (OSError, ValueError, TypeError) as error:
            raise BackupError(f"{folder} holds no readable {MANIFEST}: {error}") from None


# --- the database ------------------------------------------------------------------------------


def _dialect() -> str:
    name = db.engine.dialect.name
    if name not in DATABASE_DUMP:
        raise BackupError(f"Backups know PostgreSQL and SQLite, not {name}.")
    return name


def row_counts(connection: sa.Connection | None = None) -> dict[str, int]:
    """Every table's rows (the schema's revision table included), on `connection` (a snapshot
    of its own) or a new one."""
    if connection is None:
        with db.engine.connect() as fresh:
            return row_counts(fresh)
    names = sa.inspect(connection).get_table_names()
    return {
        name: int(
            connection.execute(sa.select(sa.func.count()).select_from(sa.table(name))).scalar() or 0
        )
        for name in sorted(names)
    }


def _revision() -> str:
    with db.engine.connect() as connection:
        return str(connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar())


def _libpq() -> tuple[list[str], dict[str, str]]:
    """The connection of pg_dump/pg_restore: the URL as libpq reads it (host, port, user,
    database and its query: `sslmode`, a socket folder …), the password in the environment
    (never on a command line `ps` shows)."""
    url = db.engine.url
    uri = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    env = {**os.environ, "PGPASSWORD": url.password} if url.password else dict(os.environ)
    return [f"--dbname={uri}"], env


def _run(command: list[str], env: dict[str, str]) -> None:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    except FileNotFoundError:
        raise BackupError(f"{command[0]} is not installed (Debian: postgresql-client).") from None
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[-2000:]}")


def _sqlite_path() -> Path:
    database = db.engine.url.database
    if not database or database == ":memory:":
        raise BackupError("An in-memory SQLite database has nothing to back up.")
    return Path(database)


def _dump(folder: Path, dialect: str) -> dict[str, int]:
    """The database into `folder`, and its tables' rows counted in the very state dumped: on
    PostgreSQL pg_dump reads the snapshot the counts were taken in (`--snapshot`); on SQLite
    they are counted in the copy."""
    target = folder / DATABASE_DUMP[dialect]
    if dialect == "postgresql":
        args, env = _libpq()
        with db.engine.connect() as connection:
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
            with connection.begin():
                snapshot = connection.execute(sa.text("SELECT pg_export_snapshot()")).scalar()
                counts = row_counts(connection)
                _run(
                    [
                        "pg_dump",
                        "--format=custom",
                        "--no-owner",
                        "--no-privileges",
                        f"--snapshot={snapshot}",
                        f"--file={target}",
                        *args,
                    ],
                    env,
                )
        return counts
    with sqlite3.connect(_sqlite_path()) as source, sqlite3.connect(target) as copy:
        source.backup(copy)  # a consistent copy while the app keeps writing
    engine = sa.create_engine(f"sqlite:///{target}")
    try:
        with engine.connect() as connection:
            return row_counts(connection)
    finally:
        engine.dispose()


def _load(folder: Path, dialect: str) -> None:
    if sa.inspect(db.engine).get_table_names():
        raise BackupError(
            "The database to restore into is not empty: create a new one (restore never "
            "mixes two installations)."
        )
    source = folder / DATABASE_DUMP[dialect]
    if dialect == "postgresql":
        args, env = _libpq()
        _run(
            ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", *args, str(source)],
            env,
        )
        return
    db.engine.dispose()
    with sqlite3.connect(source) as dump, sqlite3.connect(_sqlite_path()) as target:
        dump.backup(target)


# --- the objects -------------------------------------------------------------------------------


def _object_path(folder: Path, key: str) -> Path:
    """Where an object's copy lives: its key as a path under objects/, never outside it."""
    parts = PurePosixPath(key).parts
    if not parts or any(p in ("", ".", "..") for p in parts) or key.startswith("/"):
        raise BackupError(f"An object key the backup cannot keep as a path: {key!r}")
    return folder.joinpath(OBJECTS, *parts)


def _hashed(chunks: Iterator[bytes], digest: hashlib._Hash) -> Iterator[bytes]:
    for chunk in chunks:
        digest.update(chunk)
        yield chunk


# --- the two commands --------------------------------------------------------------------------


def create(folder: Path) -> Manifest:
    """Back the database and every stored object up into `folder` (new or empty)."""
    if folder.exists() and any(folder.iterdir()):
        raise BackupError(f"{folder} is not empty: back up into a new folder.")
    previous = os.umask(0o077)  # students' records: readable by the backup's owner alone
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        folder.chmod(0o700)
        return _create(folder)
    finally:
        os.umask(previous)


def _create(folder: Path) -> Manifest:
    dialect = _dialect()
    revision = _revision()
    manifest = Manifest(
        created_at=utcnow().isoformat(timespec="seconds"),
        dialect=dialect,
        revision=revision,
        tables=_dump(folder, dialect),
    )
    store = storage()
    for key in store.keys(prefix=""):
        path = _object_path(folder, key)
        path.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        with store.open(key) as source, path.open("wb") as out:
            for chunk in _hashed(copy_stream(source), digest):
                out.write(chunk)
                size += len(chunk)
        manifest.objects[key] = {"size": size, "sha256": digest.hexdigest()}
    manifest.save(folder)
    return manifest


@dataclass(frozen=True)
class Restored:
    manifest: Manifest
    tables: dict[str, int]
    objects: int
    problems: list[str]


def restore(folder: Path) -> Restored:
    """Fill an empty database and an empty storage from the backup in `folder`, then check the
    rows and objects against its manifest."""
    manifest = Manifest.load(folder)
    dialect = _dialect()
    if dialect != manifest.dialect:
        raise BackupError(f"This backup is of a {manifest.dialect} database, not {dialect}.")
    store = storage()
    if next(iter(store.keys(prefix="")), None) is not None:
        raise BackupError("The storage to restore into is not empty: use a new bucket or folder.")
    _load(folder, dialect)
    problems: list[str] = []
    for key, expected in sorted(manifest.objects.items()):
        path = _object_path(folder, key)
        try:
            digest = hashlib.sha256()
            with path.open("rb") as source:
                for chunk in copy_stream(source):
                    digest.update(chunk)
            if digest.hexdigest() != expected["sha256"]:  # checked before a byte is written
                problems.append(f"object {key}: its copy does not match the hash taken at backup")
                continue
            with path.open("rb") as source:
                store.write(key, copy_stream(source), NO_LIMIT)
        except (OSError, TooLarge) as error:
            problems.append(f"object {key}: {error}")
    tables = row_counts()
    for name, count in manifest.tables.items():
        if tables.get(name) != count:
            problems.append(f"table {name}: {tables.get(name)} rows, the backup had {count}")
    objects = sum(1 for _ in store.keys(prefix=""))
    if objects != len(manifest.objects):
        problems.append(f"{objects} objects, the backup had {len(manifest.objects)}")
    return Restored(manifest, tables, objects, problems)
