"""History and REST writes against a live server while clients stay connected."""

import asyncio
import json
import urllib.request

import pytest
from asgiref.sync import sync_to_async
from rest_framework.authtoken.models import Token

from documents.models import PageVersion
from documents.rendering import render
from documents.services.pages import page_create
from tests.support.live import SocketClient, session_cookie

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


def call_api(server, token, method, path, body=None):
    request = urllib.request.Request(
        f"{server.http_url}{path}",
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b"null")


def page_text(client) -> str:
    return render(client.doc).text


async def connected_pair(server, page, user):
    cookie = await sync_to_async(session_cookie)(user)
    url = f"{server.ws_url}/ws/pages/{page.id}"
    a, b = SocketClient(url, cookie, "a"), SocketClient(url, cookie, "b")
    await asyncio.gather(a.connect(), b.connect())
    await asyncio.gather(a.wait_synced(), b.wait_synced())
    return a, b


async def test_restore_reaches_connected_editors_without_a_reconnect(live_servers, user):
    """Two clients stay connected while a version is restored through the API: both show the
    restored content at once, on the same socket, and the history before it is unchanged."""
    [server] = await sync_to_async(live_servers)(1)
    page = await sync_to_async(page_create)(owner=user, title="Restore me")
    token = (await sync_to_async(Token.objects.create)(user=user)).key
    a, b = await connected_pair(server, page, user)
    a.add_paragraph("The original plan.")
    await a.flush()
    await b.wait_for(lambda: "original plan" in page_text(b))
    await a.wait_for(lambda: a.updates_received >= 1)  # stored
    await sync_to_async(call_api)(server, token, "POST", f"/api/pages/{page.id}/versions/", {"label": "v1"})
    a.add_paragraph("A risky change.")
    b.add_paragraph("Another risky change.")
    await asyncio.gather(a.flush(), b.flush())
    for client in (a, b):
        await client.wait_for(lambda c=client: "Another risky" in page_text(c) and "A risky" in page_text(c))
    sockets = (a.ws, b.ws)
    restored = await sync_to_async(call_api)(server, token, "POST", f"/api/pages/{page.id}/versions/1/restore/")
    assert (restored["reason"], restored["restored_from"]) == ("restore", 1)
    for client in (a, b):
        await client.wait_for(lambda c=client: "risky" not in page_text(c) and "original plan" in page_text(c))
    assert (a.ws, b.ws) == sockets
    assert a.connected
    assert b.connected
    assert page_text(a) == page_text(b)
    history = await sync_to_async(call_api)(server, token, "GET", f"/api/pages/{page.id}/versions/")
    assert [(v["number"], v["reason"]) for v in history["results"]] == [(3, "restore"), (2, "auto"), (1, "named")]
    first = await PageVersion.objects.aget(page=page, number=1)
    latest = await PageVersion.objects.aget(page=page, number=3)
    assert first.label == "v1"
    assert first.html == latest.html
    await asyncio.gather(a.close(), b.close())


async def test_rest_write_while_a_client_types_keeps_both(live_servers, user):
    """A script appends through the REST API while someone types: both changes survive, in
    every client and in the database."""
    [server] = await sync_to_async(live_servers)(1)
    page = await sync_to_async(page_create)(owner=user, title="Busy page")
    token = (await sync_to_async(Token.objects.create)(user=user)).key
    a, b = await connected_pair(server, page, user)

    async def typing():
        for i in range(30):
            a.add_paragraph(f"typed {i}")
            await a.flush()
            await asyncio.sleep(0.02)

    async def script():
        await asyncio.sleep(0.2)
        await sync_to_async(call_api)(
            server, token, "POST", f"/api/pages/{page.id}/content/", {"markdown": "## From a script\n\nHello"}
        )

    await asyncio.gather(typing(), script())
    wanted = [f"typed {i}" for i in range(30)] + ["From a script"]
    for client in (a, b):
        await client.wait_for(lambda c=client: all(w in page_text(c) for w in wanted))
    await b.wait_for(lambda: page_text(a) == page_text(b))
    stored = await sync_to_async(call_api)(server, token, "GET", f"/api/pages/{page.id}/content/")
    assert stored["text"] == page_text(a)
    await asyncio.gather(a.close(), b.close())
