"""One page of a list, by Flask-SQLAlchemy's `db.paginate`, for every list that pages."""

from __future__ import annotations

import math
from typing import Any

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination

from .extensions import db


def page_of(query: Any, page: int, per_page: int, total: int) -> Pagination:
    """Page `page` of `query` (clamped to the pages there are), when the caller already knows
    the `total` more cheaply than a COUNT of the whole query (a grouped or a capped count)."""
    pages = max(1, math.ceil(total / per_page))
    pagination = db.paginate(
        query,
        page=min(max(page, 1), pages),
        per_page=per_page,
        max_per_page=None,
        error_out=False,
        count=False,
    )
    pagination.total = total
    return pagination


class _GivenPage(Pagination):
    """A page whose items and total were read already (by `counted_page`)."""

    def _query_items(self) -> list[Any]:
        return self._query_args["items"]

    def _query_count(self) -> int:
        return self._query_args["total"]


def counted_page(
    query: sa.Select, page: int, per_page: int, paged: sa.Select | None = None
) -> Pagination:
    """Page `page` of `query` in one statement, when the query's last column is the number of
    rows in all (a scalar subquery, e.g. a capped count); `paged` is that page's statement if
    the caller has it built already. `query` selects columns, not ORM entities: each item is
    its row without the count. A page past the end, which has no row to carry that number,
    asks for the total alone and reads the last page instead."""
    page = max(page, 1)
    if paged is None:
        paged = query.limit(per_page).offset((page - 1) * per_page)
    # Plain rows: run on the session's connection, without the ORM's result machinery (which
    # builds no object here and cost 0.17 ms of the browse page's statement). What the session
    # holds unwritten is written first, as the ORM's own execute would (even under
    # no_autoflush); no `do_orm_execute` hook is registered that this would skip, and the
    # session's `after_begin` (read_only's bookkeeping) still runs through `connection()`.
    db.session.flush()
    rows = db.session.connection().execute(paged).all()
    if rows or page == 1:
        total = rows[0][-1] if rows else 0
    else:
        total = db.session.scalar(sa.select(list(query.selected_columns)[-1])) or 0
        last = max(1, math.ceil(total / per_page))
        if total and page > last:
            return counted_page(query, last, per_page)
    items = [tuple(row[:-1]) for row in rows]
    return _GivenPage(
        page=page, per_page=per_page, max_per_page=None, error_out=False, items=items, total=total
    )
