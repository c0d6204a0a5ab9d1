"""PostgreSQL (where every update is stored before anyone sees it) goes away for a while."""

import asyncio

import pytest
from asgiref.sync import sync_to_async

from documents.services.pages import page_create
from tests.faults.support import assert_nothing_lost, close_all, open_editors
from tests.support.live import session_cookie

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


async def test_postgres_down_for_ten_seconds_then_back(live_servers, pg_server, user):
    """Guards against: servers that broadcast first and store later (an edit others saw is
    lost when storing fails), and servers that crash or drop edits when the database is away.
    While PostgreSQL is down nobody is shown an unstored edit and writers keep their edits
    locally (unconfirmed: "Saving…"); when it returns everything is stored and converges."""
    servers = await sync_to_async(live_servers)(2)
    page = await sync_to_async(page_create)(owner=user, title="Database outage")
    cookie = await sync_to_async(session_cookie)(user)
    editors = await open_editors(servers, page.id, cookie, per_server=2)
    for editor in editors:
        await editor.type_token()
    await assert_nothing_lost(editors, page.id)
    pg_server.stop()
    try:
        received_before = [e.updates_received for e in editors]
        for _ in range(10):
            for editor in editors:
                await editor.type_token()
            await asyncio.sleep(1.0)
        # Nothing typed during the outage was shown to anyone, the writer included.
        assert [e.updates_received for e in editors] == received_before
        assert all(e.connected for e in editors)
    finally:
        pg_server.start()
    await assert_nothing_lost(editors, page.id, timeout=30)
    for server in servers:
        assert server.process.poll() is None, f"{server.name} died:\n{server.output()}"
    await close_all(editors)
