"""Fixtures shared by every app's tests and the cross-app tests."""

import itertools

import pytest
from django.contrib.auth import get_user_model

from tests.support import plugin

_usernames = itertools.count(1)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2's deliberate slowness costs ~0.5 s per user; tests do not need it."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def make_user(db):
    """Create users: make_user(), make_user("zoë", is_staff=True)."""

    def make(username: str | None = None, *, password: str = "pass-w0rd-long", **extra):
        username = username or f"user{next(_usernames)}"
        extra.setdefault("email", f"{username}@example.com")
        return get_user_model().objects.create_user(username=username, password=password, **extra)

    return make


@pytest.fixture
def user(make_user):
    return make_user("alice", first_name="Alice", last_name="Doe")


@pytest.fixture
def other_user(make_user):
    return make_user("bob", first_name="Bob")


@pytest.fixture
def pg_server(transactional_db):
    """The session's own PostgreSQL, for tests that stop and start it (start it again in a
    `finally`). Afterwards the connections this process held, broken by the restart, are
    closed, so the database flush and the tests after it reconnect."""
    if plugin.postgres is None:
        pytest.skip("uses TEST_DATABASE_URL; cannot stop an external server")
    yield plugin.postgres
    from asgiref.sync import SyncToAsync
    from django.db import connections

    from realtime.db import close_connections

    connections.close_all()
    # Async tests ran their ORM calls on asgiref's shared thread; the realtime side on its own.
    SyncToAsync.single_thread_executor.submit(connections.close_all).result()
    close_connections()


@pytest.fixture
def redis_server():
    """The session's own Redis, for tests that stop and start it."""
    if plugin.redis is None:
        pytest.skip("uses TEST_REDIS_URL; cannot stop an external server")
    return plugin.redis


@pytest.fixture(scope="session", autouse=True)
def _close_stray_connections(django_db_setup, django_db_blocker):
    """Before the test database is dropped, close what other threads and processes hold."""
    yield
    from asgiref.sync import SyncToAsync
    from django.db import connection, connections

    # Async tests ran their ORM calls on asgiref's shared thread.
    SyncToAsync.single_thread_executor.submit(connections.close_all).result()
    with django_db_blocker.unblock():
        connections.close_all()  # a fault test may have restarted the server under it
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
