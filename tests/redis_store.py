"""Redis for the tests that need one (the shared rate limits of production): a database of its
own (TEST_REDIS_URL, default db 5; CI gives its PostgreSQL pass another), emptied before and
after each test. Without Redis those tests are skipped loudly; REQUIRE_REDIS=1 (CI) fails them.
The fixture is installed by conftest.py."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import redis

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/5")


def _skip_or_fail(reason: str) -> None:
    message = f"REDIS TESTS NOT RUN: {reason}"
    if os.environ.get("REQUIRE_REDIS") == "1":
        pytest.fail(message)
    print(f"\n{'!' * 70}\n{message}\n{'!' * 70}")
    pytest.skip(message)


@pytest.fixture
def redis_url() -> Iterator[str]:
    """TEST_REDIS_URL, its database empty, emptied again after the test."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as error:
        client.close()
        _skip_or_fail(f"no Redis at {REDIS_URL} ({error}; apt-get install -y redis-server)")
    client.flushdb()
    yield REDIS_URL
    client.flushdb()
    client.close()
