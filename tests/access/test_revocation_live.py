"""Taking a role away through the API of one process closes the editor on another."""

import asyncio
import json
import time
import urllib.request

import pytest
from asgiref.sync import sync_to_async
from rest_framework.authtoken.models import Token

from documents.models import PageMember, PageUpdate, Role
from documents.services.pages import page_create
from tests.support.live import SocketClient, session_cookie

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


def api(server, token, method, path):
    request = urllib.request.Request(
        f"{server.http_url}{path}", method=method, headers={"Authorization": f"Token {token}"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        body = response.read()
        return response.status, json.loads(body) if body else None


async def test_removed_editor_on_another_process_is_closed_within_two_seconds(live_servers, user, other_user):
    a, b = await sync_to_async(live_servers)(2)
    page = await sync_to_async(page_create)(owner=user, title="Revocable")
    await PageMember.objects.acreate(page=page, user=other_user, role=Role.EDITOR)
    token = (await sync_to_async(Token.objects.create)(user=user)).key
    editor = SocketClient(f"{a.ws_url}/ws/pages/{page.id}", await sync_to_async(session_cookie)(other_user), "editor")
    await editor.connect()
    await editor.wait_synced()
    await editor.edit("allowed ")
    await editor.wait_for(lambda: editor.updates_received >= 1)
    rows = await PageUpdate.objects.filter(page=page).acount()

    started = time.monotonic()
    status, _ = await sync_to_async(api)(b, token, "DELETE", f"/api/pages/{page.id}/members/{other_user.pk}/")
    assert status == 204
    await editor.edit("not allowed any more")
    await editor.wait_for(lambda: not editor.connected, timeout=2.0)
    assert time.monotonic() - started < 2.0
    assert editor.close_code == 4403
    await asyncio.sleep(0.5)
    assert await PageUpdate.objects.filter(page=page).acount() == rows
