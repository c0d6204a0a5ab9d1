"""A server process dies (SIGKILL) while people edit."""

import asyncio

import pytest
from asgiref.sync import sync_to_async

from documents.services.pages import page_create
from tests.faults.support import Editor, assert_nothing_lost, close_all, open_editors, type_for
from tests.support.live import session_cookie

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


async def test_sigkill_during_heavy_editing_loses_nothing(live_servers, user):
    """Guards against: a crashed server taking with it edits that clients had already seen
    (Hocuspocus/y-websocket servers that keep documents only in memory, or that store on a
    debounce). Two processes, three editors on each; one process is SIGKILLed mid-burst and
    its editors reconnect to the other."""
    servers = await sync_to_async(live_servers)(2)
    page = await sync_to_async(page_create)(owner=user, title="Crash")
    cookie = await sync_to_async(session_cookie)(user)
    editors = await open_editors(servers, page.id, cookie, per_server=3)

    async def kill_midway():
        await asyncio.sleep(1.0)
        servers[0].kill()

    await asyncio.gather(kill_midway(), type_for(editors, 2.5, interval=0.01))
    await assert_nothing_lost(editors, page.id)
    await close_all(editors)


async def test_edit_right_before_the_last_editor_leaves_survives_a_kill(live_servers, user):
    """Guards against: a server that saves on a timer after the last client leaves, and is
    killed before the timer fires. The editor types, leaves within 100 ms, the process is
    killed: the edit is in the database."""
    [server] = await sync_to_async(live_servers)(1)
    page = await sync_to_async(page_create)(owner=user, title="Last words")
    cookie = await sync_to_async(session_cookie)(user)
    [editor] = await open_editors([server], page.id, cookie, per_server=1)
    await editor.type_token()
    await editor.wait_for(lambda: editor.updates_received >= 1, 5)  # echoed: stored
    await asyncio.sleep(0.05)
    await editor.close()
    server.kill()
    server.start()
    reader = Editor([server], page.id, cookie, "reader")
    await reader.connect()
    await reader.wait_synced()
    assert editor.written[0] in reader.content()
    assert await assert_nothing_lost([reader], page.id) == reader.content()
    await reader.close()
