"""A message between processes is lost (the channel layer delivers at most once)."""

import asyncio

import pytest
from asgiref.sync import sync_to_async
from pycrdt import Doc, Text

from documents.models import PageUpdate
from documents.services.pages import page_create
from tests.faults.support import assert_nothing_lost, close_all, open_editors
from tests.support.live import session_cookie

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


def store_without_telling_anyone(page_id, token: str) -> None:
    """What another process does when its layer message is dropped: the row is stored, the
    message never arrives."""
    doc = Doc()
    doc.get("t", type=Text).insert(0, token)
    PageUpdate.objects.create(page_id=page_id, data=doc.get_update())


async def test_a_dropped_layer_message_is_repaired_within_two_seconds(live_servers, user):
    """Guards against: processes drifting apart for good after one lost pub/sub message
    (channels-redis drops messages to full channels and expires them after 60 s)."""
    [server] = await sync_to_async(live_servers)(1)
    page = await sync_to_async(page_create)(owner=user, title="Dropped")
    cookie = await sync_to_async(session_cookie)(user)
    [editor] = await open_editors([server], page.id, cookie, per_server=1)
    started = asyncio.get_running_loop().time()
    await sync_to_async(store_without_telling_anyone)(page.id, "[from-elsewhere]")
    await editor.wait_for(lambda: "[from-elsewhere]" in editor.content(), timeout=2.0)
    assert asyncio.get_running_loop().time() - started < 2.0
    editor.written.append("[from-elsewhere]")
    await assert_nothing_lost([editor], page.id)
    await close_all([editor])
