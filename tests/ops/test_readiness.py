"""/healthz and /readyz of a live server process while its PostgreSQL or Redis goes away."""

import pytest
from django.db import connection

from tests.ops.support import http_get, readyz, wait_until

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


def test_healthz_and_readyz_answer_when_everything_is_up(live_servers):
    """/healthz says the process is up without any I/O; /readyz lists each check with its time."""
    [server] = live_servers(1)
    status, body = http_get(f"{server.http_url}/healthz", {"Host": "10.0.0.7:8000"})
    assert (status, body) == (200, b"ok\n"), "health checks do not depend on ALLOWED_HOSTS"
    status, report = readyz(server)
    assert status == 200
    assert report["status"] == "ok"
    assert set(report["checks"]) == {"database", "redis", "update_writer", "serving"}
    for check in report["checks"].values():
        assert check["ok"] is True
        assert check["ms"] >= 0


def test_readyz_fails_while_redis_is_down(live_servers, redis_server):
    """Redis stopped: /readyz answers 503 naming the Redis check; Redis back: 200 again."""
    [server] = live_servers(1)
    assert readyz(server)[0] == 200
    redis_server.stop()
    try:
        status, report = readyz(server)
        assert status == 503
        assert report["status"] == "fail"
        assert report["checks"]["redis"]["ok"] is False
        assert report["checks"]["redis"]["error"]
        assert report["checks"]["database"]["ok"] is True
        assert http_get(f"{server.http_url}/healthz")[0] == 200, "the process itself is still up"
    finally:
        redis_server.start()
    wait_until(lambda: readyz(server)[0] == 200, what="/readyz back to 200 after Redis returned")


def test_readyz_fails_while_postgresql_is_down(live_servers, pg_server):
    """PostgreSQL stopped: /readyz answers 503 naming the database; back: 200 again."""
    [server] = live_servers(1)
    assert readyz(server)[0] == 200
    pg_server.stop()
    try:
        status, report = readyz(server)
        assert status == 503
        assert report["checks"]["database"]["ok"] is False
        assert report["checks"]["database"]["error"]
        assert report["checks"]["redis"]["ok"] is True
    finally:
        pg_server.start()
        connection.close()  # this test's own connection died with the server
    wait_until(lambda: readyz(server)[0] == 200, what="/readyz back to 200 after PostgreSQL returned")
