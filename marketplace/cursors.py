"""psycopg's cursors describe a result's columns only when the description is read.

psycopg builds `cursor.description` afresh each time it is read: one `Column` object per column,
its name decoded and its type looked up. SQLAlchemy reads it after every SELECT, and for a
statement it has run before (nearly all of them: it keeps each compiled statement's result
layout) only looks whether it is `None`, then throws it away. The project page's statements
return 250 columns in all (its eager load alone 104), and describing them cost about 0.6 ms of
the page's 7 ms of CPU. `Described` answers with a `Description`, which builds the columns the
first time something looks inside it.

SQLite's driver is left as it is: its description is a tuple built once per statement.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, overload

from flask import Flask
from sqlalchemy import Engine, event

from .extensions import each_engine

try:
    import psycopg
    from psycopg.pq import ExecStatus
except ImportError:  # pragma: no cover - psycopg is a dependency; SQLite needs none of this
    psycopg = None  # type: ignore[assignment]


class Description(Sequence[Any]):
    """A result's column descriptions, built the first time one is read. They describe the
    result the cursor held when the description was asked for: should the cursor run
    something else before they are read, they are built from that first result, as plain
    DB-API seven-item tuples (name, type code, and five unknowns)."""

    __slots__ = ("_columns", "_cursor", "_result")

    def __init__(self, cursor: Any, result: Any) -> None:
        self._cursor = cursor
        self._result = result
        self._columns: list[Any] | None = None

    def _built(self) -> list[Any]:
        if self._columns is None:
            cursor, result = self._cursor, self._result
            if cursor.pgresult is result:
                self._columns = psycopg.Cursor.description.fget(cursor)  # type: ignore[attr-defined]
            else:
                encoding = cursor.connection.info.encoding
                self._columns = [
                    (
                        (result.fname(i) or f"column_{i + 1}".encode()).decode(encoding),
                        result.ftype(i),
                        None,
                        None,
                        None,
                        None,
                        None,
                    )
                    for i in range(result.nfields)
                ]
            self._cursor = self._result = None
        return self._columns

    def __len__(self) -> int:
        return self._result.nfields if self._columns is None else len(self._columns)

    @overload
    def __getitem__(self, index: int) -> Any: ...
    @overload
    def __getitem__(self, index: slice) -> list[Any]: ...
    def __getitem__(self, index: int | slice) -> Any:
        return self._built()[index]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._built())

    def __repr__(self) -> str:
        return repr(self._built())


if psycopg is not None:

    class Described(psycopg.Cursor[Any]):
        """A psycopg cursor whose `description` is a `Description`."""

        @property
        def description(self) -> Description | None:  # type: ignore[override]
            result = self.pgresult
            if result is None:
                return None
            # psycopg describes a result that has columns, or that said it returns rows
            # (`SELECT ;`): the same test, the same answer.
            if result.nfields or result.status in (
                ExecStatus.TUPLES_OK,
                ExecStatus.SINGLE_TUPLE,
                ExecStatus.TUPLES_CHUNK,
            ):
                return Description(self, result)
            return None


def describe_lazily(engine: Engine) -> None:
    """Give each new psycopg connection of `engine` the lazily describing cursor."""
    if psycopg is None or engine.dialect.driver != "psycopg":
        return

    @event.listens_for(engine, "connect")
    def _connected(dbapi_connection: Any, _record: Any) -> None:
        if dbapi_connection.cursor_factory is psycopg.Cursor:  # not one chosen on purpose
            dbapi_connection.cursor_factory = Described


def register(app: Flask) -> None:
    each_engine(app, describe_lazily)
