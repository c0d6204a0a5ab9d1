"""Redis (the channel layer between processes) goes away for a while."""

import pytest
from asgiref.sync import sync_to_async

from documents.services.pages import page_create
from tests.faults.support import assert_nothing_lost, close_all, open_editors, type_for
from tests.support.live import session_cookie

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


async def test_redis_down_for_ten_seconds_then_back(live_servers, redis_server, user):
    """Guards against: scale-out designs where the pub/sub bus is the only path between
    processes, so an outage splits a page in two until everyone reloads. Each process keeps
    serving its own editors while Redis is down (and the update log keeps them in step);
    after Redis returns everything has converged without a reload."""
    servers = await sync_to_async(live_servers)(2)
    page = await sync_to_async(page_create)(owner=user, title="Redis outage")
    cookie = await sync_to_async(session_cookie)(user)
    editors = await open_editors(servers, page.id, cookie, per_server=2)
    await type_for(editors, 0.5)
    redis_server.stop()
    try:
        await type_for(editors, 10.0, interval=0.1)
        assert all(e.connected for e in editors), "editors were disconnected by the outage"
        # Even without Redis the log carries edits across: the others already see them.
        await assert_nothing_lost(editors, page.id, timeout=5)
    finally:
        redis_server.start()
    await type_for(editors, 2.0, interval=0.05)
    await assert_nothing_lost(editors, page.id)
    await close_all(editors)
