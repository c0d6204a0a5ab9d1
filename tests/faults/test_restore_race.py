"""A version is restored while people are typing."""

import asyncio

import pytest
from asgiref.sync import sync_to_async
from rest_framework.authtoken.models import Token

from documents.services.pages import page_create
from tests.interop.test_history_live import call_api, connected_pair, page_text

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


async def test_restore_during_concurrent_editing_converges(live_servers, user):
    """Guards against: restores implemented as "overwrite the stored document", which drop
    whatever people typed meanwhile or leave open editors on the old copy until they reload.
    A restore lands while two clients keep typing; everyone converges, their later typing
    survives, and the database holds the same document."""
    [server] = await sync_to_async(live_servers)(1)
    page = await sync_to_async(page_create)(owner=user, title="Racing restore")
    token = (await sync_to_async(Token.objects.create)(user=user)).key
    a, b = await connected_pair(server, page, user)
    a.add_paragraph("baseline")
    await a.flush()
    await a.wait_for(lambda: a.updates_received >= 1)
    await sync_to_async(call_api)(server, token, "POST", f"/api/pages/{page.id}/versions/", {"label": "base"})

    async def typing(client, name):
        for i in range(40):
            client.add_paragraph(f"{name} {i}")
            await client.flush()
            await asyncio.sleep(0.01)

    async def restore():
        await asyncio.sleep(0.2)
        await sync_to_async(call_api)(server, token, "POST", f"/api/pages/{page.id}/versions/1/restore/")

    await asyncio.gather(typing(a, "a"), typing(b, "b"), restore())
    await b.wait_for(lambda: a.doc.get_state() == b.doc.get_state() and page_text(a) == page_text(b), 10)
    assert "a 39" in page_text(a)
    assert "b 39" in page_text(b)
    stored = await sync_to_async(call_api)(server, token, "GET", f"/api/pages/{page.id}/content/")
    assert stored["text"] == page_text(a)
    await asyncio.gather(a.close(), b.close())
