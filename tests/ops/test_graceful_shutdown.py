"""SIGTERM of server processes while people edit: a rolling restart loses nothing."""

import asyncio
import time

import pytest
from asgiref.sync import sync_to_async

from documents.models import PageUpdate
from documents.services.pages import page_create
from tests.scaleout.test_two_processes import converge, open_clients
from tests.support.live import session_cookie

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]

TOKENS_PER_PHASE = 40


async def test_rolling_restart_under_editing_loses_nothing(live_servers, user):
    """Two processes, three clients on each, everyone typing. SIGTERM the first: its clients
    get close code 1012 and reconnect to the second at once; it stores and compacts what it
    held and exits 0 within a few seconds. Start it again, then SIGTERM the second the same
    way. Every token any client typed ends up in the database and in every client."""
    servers = await sync_to_async(live_servers)(2)
    first, second = servers
    page = await sync_to_async(page_create)(owner=user, title="Rolling restart")
    cookie = await sync_to_async(session_cookie)(user)
    clients = await open_clients(servers, page, cookie, per_server=3)
    close_codes: dict[str, list[int | None]] = {client.name: [] for client in clients}
    tokens: list[str] = []

    async def reconnect_if_closed(client, target) -> None:
        if client.ws is not None and not client.connected:
            await asyncio.gather(client._reader, return_exceptions=True)
            close_codes[client.name].append(client.close_code)
            await client.connect(f"{target.ws_url}/ws/pages/{page.id}")

    async def type_through(client, phase: int, target) -> None:
        for i in range(TOKENS_PER_PHASE):
            await reconnect_if_closed(client, target)
            token = f"[{client.name}:{phase}:{i}]"
            tokens.append(token)
            await client.edit(token)
            await asyncio.sleep(0.01)

    async def restart(victim, target, phase: int) -> tuple[int | None, float]:
        stopped: dict[str, float | int | None] = {}

        async def sigterm_soon() -> None:
            await asyncio.sleep(0.2)
            started = time.monotonic()
            stopped["code"] = await asyncio.get_running_loop().run_in_executor(None, victim.stop)
            stopped["seconds"] = time.monotonic() - started

        await asyncio.gather(sigterm_soon(), *(type_through(c, phase, target) for c in clients))
        for client in clients:
            await client.wait_for(lambda c=client: c.connected or c.ws.close_code is not None, 5)
            await reconnect_if_closed(client, target)
            await client.wait_synced()
        return stopped["code"], stopped["seconds"]

    code, seconds = await restart(first, second, 1)
    assert (code, seconds < 5) == (0, True), first.output()
    assert "unloaded and compacted 1 rooms" in first.output()
    assert all(codes == ([1012] if name.startswith(first.name) else []) for name, codes in close_codes.items()), (
        close_codes
    )
    await converge(clients, page, tokens)
    # The stopped process merged what it had into the stored state.
    assert await sync_to_async(PageUpdate.objects.filter(page=page).count)() < len(tokens)

    await sync_to_async(first.start)()
    code, seconds = await restart(second, first, 2)
    assert (code, seconds < 5) == (0, True), second.output()
    assert all(codes[-1] == 1012 for codes in close_codes.values()), close_codes
    await converge(clients, page, tokens)
    await asyncio.gather(*(c.close() for c in clients))
