"""Clients that come back with an old copy of the page."""

import asyncio

import pytest
from asgiref.sync import sync_to_async

from documents.models import PageUpdate, PageVersion
from documents.services.pages import page_create
from tests.faults.support import Editor, assert_nothing_lost, close_all, open_editors, stored_text
from tests.support.live import session_cookie

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


async def test_client_back_from_a_long_sleep_keeps_its_edits_and_gets_the_others(live_servers, user):
    """Guards against Outline #5770: a laptop wakes up with a stale document and local edits;
    either its edits or the others' were lost. Both survive."""
    [server] = await sync_to_async(live_servers)(1)
    page = await sync_to_async(page_create)(owner=user, title="Sleepy")
    cookie = await sync_to_async(session_cookie)(user)
    sleeper, awake = await open_editors([server], page.id, cookie, per_server=2)
    await sleeper.type_token()
    await assert_nothing_lost([sleeper, awake], page.id)
    await sleeper.abort()  # the lid closes: no close frame
    for _ in range(20):
        await awake.type_token()
    sleeper.written.append("[while-asleep]")
    sleeper.append("[while-asleep]")  # typed offline, never sent
    await asyncio.sleep(1.0)  # the room unloads and compacts meanwhile
    await sleeper.ensure_connected()
    await assert_nothing_lost([sleeper, awake], page.id)
    await close_all([sleeper, awake])


async def test_opening_and_closing_without_editing_writes_nothing(live_servers, user):
    """Guards against: servers that write (or version) a page on every open, and stale
    clients whose sync rolls the stored state back. Viewing writes no update and no version;
    a client holding an old copy cannot undo later edits."""
    [server] = await sync_to_async(live_servers)(1)
    page = await sync_to_async(page_create)(owner=user, title="Quiet")
    cookie = await sync_to_async(session_cookie)(user)
    [writer] = await open_editors([server], page.id, cookie, per_server=1)
    await writer.type_token()
    await assert_nothing_lost([writer], page.id)
    stale = Editor([server], page.id, cookie, "stale")
    stale.doc.apply_update(writer.doc.get_update())  # an old copy, taken now
    await writer.type_token()
    await assert_nothing_lost([writer], page.id)
    await writer.close()
    await asyncio.sleep(1.5)  # unload, compaction, versions
    updates = await PageUpdate.objects.filter(page=page).acount()
    versions = await PageVersion.objects.filter(page=page).acount()
    text = await sync_to_async(stored_text)(page.id)
    for _ in range(3):
        viewer = Editor([server], page.id, cookie, "viewer")
        await viewer.connect()
        await viewer.wait_synced()
        await asyncio.sleep(0.2)
        await viewer.close()
    await stale.connect()
    await stale.wait_synced()
    await asyncio.sleep(0.3)
    await stale.close()
    await asyncio.sleep(1.5)
    assert await PageUpdate.objects.filter(page=page).acount() == updates
    assert await PageVersion.objects.filter(page=page).acount() == versions
    assert await sync_to_async(stored_text)(page.id) == text
    assert all(token in text for token in writer.written)
