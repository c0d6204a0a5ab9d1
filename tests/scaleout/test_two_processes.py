"""Two server processes sharing PostgreSQL and Redis, with clients on each."""

import asyncio

import pytest
from asgiref.sync import sync_to_async
from pycrdt import Text

from documents.selectors.content import page_document_load
from documents.services.pages import page_create
from documents.ydoc import doc_from_stored
from tests.support.live import SocketClient, session_cookie

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


def stored_text(page_id) -> str:
    stored = page_document_load(page_id=page_id)
    return str(doc_from_stored(stored.state, (d for _, d in stored.updates)).get("t", type=Text))


async def open_clients(servers, page, cookie, per_server):
    clients = []
    for server in servers:
        for i in range(per_server):
            clients.append(SocketClient(f"{server.ws_url}/ws/pages/{page.id}", cookie, f"{server.name}-{i}"))
    await asyncio.gather(*(c.connect() for c in clients))
    await asyncio.gather(*(c.wait_synced() for c in clients))
    return clients


async def type_tokens(client, count, interval=0.01):
    for i in range(count):
        await client.edit(f"[{client.name}:{i}]")
        await asyncio.sleep(interval)


async def converge(clients, page, expected_tokens, timeout=15):
    for client in clients:
        await client.wait_for(lambda c=client: all(t in c.content() for t in expected_tokens), timeout)
    first = clients[0]
    for client in clients[1:]:
        await client.wait_for(lambda c=client: c.content() == first.content(), timeout)
    stored = await sync_to_async(stored_text)(page.id)
    assert stored == first.content()


async def test_clients_on_two_processes_converge(live_servers, user):
    """Edits made through either process reach every client and the database."""
    servers = await sync_to_async(live_servers)(2)
    page = await sync_to_async(page_create)(owner=user, title="Two processes")
    cookie = await sync_to_async(session_cookie)(user)
    clients = await open_clients(servers, page, cookie, per_server=3)
    await asyncio.gather(*(type_tokens(c, 30) for c in clients))
    tokens = [f"[{c.name}:{i}]" for c in clients for i in range(30)]
    await converge(clients, page, tokens)
    await asyncio.gather(*(c.close() for c in clients))


async def test_sigkill_of_one_process_loses_nothing(live_servers, user):
    """A process is killed (SIGKILL) in the middle of editing; its clients reconnect to the
    other one. Every token any client wrote ends up in the database and in every client."""
    servers = await sync_to_async(live_servers)(2)
    victim, survivor = servers
    page = await sync_to_async(page_create)(owner=user, title="Crash")
    cookie = await sync_to_async(session_cookie)(user)
    clients = await open_clients(servers, page, cookie, per_server=3)

    async def edit_and_failover(client, count=60):
        for i in range(count):
            if not client.connected:
                await client.connect(f"{survivor.ws_url}/ws/pages/{page.id}")
            await client.edit(f"[{client.name}:{i}]")
            await asyncio.sleep(0.01)

    async def kill_soon():
        await asyncio.sleep(0.3)
        victim.kill()

    await asyncio.gather(kill_soon(), *(edit_and_failover(c) for c in clients))
    for client in clients:
        if not client.connected:
            await client.connect(f"{survivor.ws_url}/ws/pages/{page.id}")
        await client.wait_synced()
    tokens = [f"[{c.name}:{i}]" for c in clients for i in range(60)]
    await converge(clients, page, tokens)
    await asyncio.gather(*(c.close() for c in clients))
