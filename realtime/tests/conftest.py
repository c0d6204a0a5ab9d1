"""Fixtures for WebSocket tests: signed-in communicators on the real ASGI application."""

import asyncio

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connections
from django.test import Client

from collab_site.asgi import application
from documents.services.pages import page_create
from realtime.auth import forget_sessions
from realtime.db import close_connections
from realtime.hub import get_hub
from tests.support.yclient import CommunicatorClient


@pytest.fixture
def fast_rooms(settings):
    """Rooms that unload, render and compact quickly, so tests need not wait."""
    settings.REALTIME = {
        **settings.REALTIME,
        "ROOM_GRACE_SECONDS": 0.2,
        "RENDER_DELAY_SECONDS": 0.1,
        "REPAIR_INTERVAL_SECONDS": 0.2,
        "COMPACT_MIN_AGE_SECONDS": 0.0,
    }
    return settings.REALTIME


@pytest.fixture
async def hub(transactional_db, fast_rooms):
    """The Hub of this test's event loop, stopped (and its rooms unloaded) at the end."""
    hub = get_hub()
    await hub.start()
    yield hub
    stopping = asyncio.ensure_future(hub.stop())
    done, _ = await asyncio.wait({stopping}, timeout=15)
    if not done:
        for task in asyncio.all_tasks():
            task.print_stack()
        raise AssertionError("hub did not stop")
    await sync_to_async(close_connections)()
    forget_sessions()
    # The async ORM calls of the test itself ran on asgiref's shared thread.
    await sync_to_async(connections.close_all)()


@pytest.fixture
def cookie_for():
    """The Cookie header of a signed-in session for a user."""

    def cookie(user) -> bytes:
        client = Client()
        client.force_login(user)
        return f"sessionid={client.cookies['sessionid'].value}".encode()

    return cookie


@pytest.fixture
def page(transactional_db, user):
    return page_create(owner=user, title="Shared page")


@pytest.fixture
def connect(cookie_for):
    """Open a client on a page: `await connect(page, user)`; closed at the end of the test."""

    async def open_client(page, user=None, *, path=None, name=None, headers=None, sync=True):
        all_headers = [(b"origin", b"http://127.0.0.1:8000")]
        if user is not None:
            all_headers.append((b"cookie", await sync_to_async(cookie_for)(user)))
        all_headers += headers or []
        communicator = WebsocketCommunicator(application, path or f"/ws/pages/{page.id}", headers=all_headers)
        client = CommunicatorClient(communicator, name=name or (user.username if user else "anonymous"))
        connected, _ = await client.connect()
        assert connected
        if sync:
            await client.sync()
        return client

    return open_client


async def settle(*clients: CommunicatorClient, rounds: int = 3, timeout: float = 0.15) -> None:
    """Let every client send what it has and take in what arrives, a few times over."""
    for _ in range(rounds):
        for client in clients:
            await client.flush()
        for client in clients:
            await client.pump(timeout)
