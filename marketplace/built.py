"""Statements built once and run many times.

Building a SQLAlchemy statement, and working out its cache key (what finds its compiled SQL),
costs more Python than running it does for the small statements of a page: the nav's counts
are a dozen subqueries, rebuilt for every page of every user. A statement is a pure function of
the few values it is built from, and is immutable once built (its cache key is worked out once,
on first use): so it is kept here under those values and run again as it is.

The key must name *every* value the builder reads (a user's id, role, organisation, school and
the settings that change the statement's shape): the statement is reused whenever the key is
equal. Nothing read from the database is kept, only how to ask; every run reads afresh.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class Built(Generic[T]):
    """A bounded, thread-safe map from a key to what was built for it; the least recently
    used goes first when full."""

    def __init__(self, limit: int = 4096) -> None:
        self.limit = limit
        self._items: OrderedDict[Hashable, T] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, build: Callable[[], T]) -> T:
        """What was built for `key`, building it (outside the lock) the first time."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        made = build()
        with self._lock:
            self._items[key] = made
            while len(self._items) > self.limit:
                self._items.popitem(last=False)
        return made

    def __len__(self) -> int:
        return len(self._items)
