"""/metrics of a live server process before, during and after a scripted editing session."""

import asyncio

import pytest
from asgiref.sync import sync_to_async

from documents.services.pages import page_create
from tests.ops.support import http_get, scrape, value, wait_until
from tests.support.live import SocketClient, session_cookie

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]

EDITS = 5


async def test_metrics_follow_a_session_connect_edit_disconnect(live_servers, user):
    """One client connects, makes five edits and leaves; a REST call is made meanwhile. The
    counters move by what happened, the gauges come back to zero once the room unloads, and
    the unload compacts the page's log."""
    [server] = await sync_to_async(live_servers)(1)
    page = await sync_to_async(page_create)(owner=user, title="Metrics")
    cookie = await sync_to_async(session_cookie)(user)
    get_metrics = sync_to_async(scrape)
    before = await get_metrics(server)

    client = SocketClient(f"{server.ws_url}/ws/pages/{page.id}", cookie, "metrics")
    await client.connect()
    await client.wait_synced()
    for i in range(EDITS):
        await client.edit(f"<{i}>")
        await client.wait_for(lambda i=i: len(client.echoes) >= i + 2)  # the sync step 2, then each echo
    status, _ = await sync_to_async(http_get)(f"{server.http_url}/api/pages/", {"Cookie": cookie})
    assert status == 200
    during = await get_metrics(server)
    assert value(during, "collab_connections_open") == 1
    assert value(during, "collab_rooms_active") == 1
    await client.close()

    def settled() -> bool:
        now = scrape(server)
        return value(now, "collab_rooms_active") == 0 and value(now, "collab_compactions_total") > value(
            before, "collab_compactions_total"
        )

    await asyncio.get_running_loop().run_in_executor(None, lambda: wait_until(settled, 10, "room unloaded"))
    after = await get_metrics(server)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert value(after, "collab_connections_open") == 0
    assert value(after, "collab_store_pending_updates") == 0
    assert value(after, "collab_store_healthy") == 1
    assert delta("collab_updates_received_total") >= EDITS
    assert delta("collab_updates_applied_total") == EDITS
    assert delta("collab_updates_stored_total") == EDITS
    assert delta("collab_updates_broadcast_total") == EDITS  # one connection: each echo once
    assert delta("collab_update_store_seconds_count") == EDITS
    assert delta("collab_fanout_seconds_count") >= EDITS
    assert delta("collab_store_batch_rows_sum") == EDITS
    assert delta("collab_bytes_in_total") > 0
    assert delta("collab_bytes_out_total") > 0
    assert delta("collab_connections_closed_total", code="1000", reason="normal") == 1
    assert delta("collab_compactions_total") == 1
    assert delta("collab_compaction_seconds_count") == 1
    assert delta("collab_http_requests_total", view="api-page-list", method="GET", status="200") == 1
    assert delta("collab_http_request_seconds_count", view="api-page-list", method="GET") == 1
    assert value(after, "process_resident_memory_bytes") > 0
