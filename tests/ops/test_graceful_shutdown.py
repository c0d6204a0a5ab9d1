"""SIGTERM of one of two processes while people edit: a rolling restart loses nothing."""

import asyncio
import time

import pytest
from asgiref.sync import sync_to_async

from documents.models import PageUpdate
from documents.services.pages import page_create
from tests.scaleout.test_two_processes import converge, open_clients
from tests.support.live import session_cookie

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


async def test_sigterm_closes_with_1012_stores_everything_and_exits_0(live_servers, user):
    """The stopped process's clients get close code 1012 and reconnect to the other process at
    once; every token any client typed ends up in the database and in every client; the
    stopped process compacts what it held and exits 0 within a few seconds."""
    servers = await sync_to_async(live_servers)(2)
    victim, survivor = servers
    page = await sync_to_async(page_create)(owner=user, title="Rolling restart")
    cookie = await sync_to_async(session_cookie)(user)
    clients = await open_clients(servers, page, cookie, per_server=3)
    close_codes: dict[str, list[int | None]] = {client.name: [] for client in clients}
    survivor_url = f"{survivor.ws_url}/ws/pages/{page.id}"

    async def reconnect_if_closed(client):
        if client.ws is not None and not client.connected:
            await asyncio.gather(client._reader, return_exceptions=True)
            close_codes[client.name].append(client.close_code)
            await client.connect(survivor_url)

    async def edit_through_restart(client, count=60):
        for i in range(count):
            await reconnect_if_closed(client)
            await client.edit(f"[{client.name}:{i}]")
            await asyncio.sleep(0.01)

    stopped: dict[str, float | int | None] = {}

    async def sigterm_soon():
        await asyncio.sleep(0.3)
        started = time.monotonic()
        stopped["code"] = await asyncio.get_running_loop().run_in_executor(None, victim.stop)
        stopped["seconds"] = time.monotonic() - started

    await asyncio.gather(sigterm_soon(), *(edit_through_restart(c) for c in clients))
    for client in clients:
        await client.wait_for(lambda c=client: c.connected or c.ws.close_code is not None, 5)
        await reconnect_if_closed(client)
        await client.wait_synced()

    tokens = [f"[{c.name}:{i}]" for c in clients for i in range(60)]
    await converge(clients, page, tokens)
    assert stopped["code"] == 0, victim.output()
    assert stopped["seconds"] < 5, f"took {stopped['seconds']:.1f} s to stop"
    for client in clients:
        if client.name.startswith(victim.name):
            assert close_codes[client.name] == [1012], close_codes
        else:
            assert close_codes[client.name] == [], close_codes
    log = victim.output()
    assert "unloaded and compacted 1 rooms" in log, log
    # The stopped process merged what it had into the stored state: the log holds only what
    # came after its compaction.
    assert await sync_to_async(PageUpdate.objects.filter(page=page).count)() < len(tokens)
    await asyncio.gather(*(c.close() for c in clients))
