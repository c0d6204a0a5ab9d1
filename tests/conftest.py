"""Fixtures for the cross-app tests: live server processes on the test database."""

import pytest

from tests.support.live import LiveServer


@pytest.fixture
def live_servers(transactional_db):
    """Start server processes: `live_servers(2)`; all are killed at the end of the test."""
    started: list[LiveServer] = []

    def start(count: int = 1, **extra_env: str) -> list[LiveServer]:
        servers = [LiveServer(f"server{len(started) + i}", extra_env) for i in range(count)]
        for server in servers:
            server.start()
        started.extend(servers)
        return servers

    yield start
    for server in started:
        server.kill()
