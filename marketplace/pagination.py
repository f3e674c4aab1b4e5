"""One page of a list, by Flask-SQLAlchemy's `db.paginate`, for every list that pages."""

from __future__ import annotations

import math
from typing import Any

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
