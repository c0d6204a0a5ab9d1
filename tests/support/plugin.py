"""pytest plugin that gives the test session its own PostgreSQL and Redis.

It is loaded with `-p tests.support.plugin` (see pyproject.toml) and wraps
`pytest_load_initial_conftests`, so the servers are up and DATABASE_URL / REDIS_URL are set
before pytest-django loads the settings.
"""

from __future__ import annotations

import os
from collections.abc import Generator

import pytest

from tests.support.servers import PostgresServer, RedisServer, ServerUnavailable

# The servers of this session, or None when TEST_DATABASE_URL / TEST_REDIS_URL name others.
postgres: PostgresServer | None = None
redis: RedisServer | None = None


def _start_servers() -> None:
    global postgres, redis
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("SECRET_KEY", "test-only-secret-key")
    if os.environ.get("TEST_DATABASE_URL"):
        os.environ["DATABASE_URL"] = os.environ["TEST_DATABASE_URL"]
    else:
        postgres = PostgresServer()
        postgres.start()
        os.environ["DATABASE_URL"] = postgres.url
    if os.environ.get("TEST_REDIS_URL"):
        os.environ["REDIS_URL"] = os.environ["TEST_REDIS_URL"]
    else:
        redis = RedisServer()
        redis.start()
        os.environ["REDIS_URL"] = redis.url


@pytest.hookimpl(wrapper=True)
def pytest_load_initial_conftests(early_config: pytest.Config, parser: pytest.Parser, args: list[str]) -> Generator:
    try:
        _start_servers()
    except ServerUnavailable as error:
        raise pytest.UsageError(str(error)) from error
    return (yield)


def pytest_unconfigure(config: pytest.Config) -> None:
    for server in (postgres, redis):
        if server is not None:
            server.destroy()
