"""What a live server process logs during a session: JSON lines, with context, without secrets."""

import asyncio
import json
import re
import urllib.request

import pytest
from asgiref.sync import sync_to_async
from rest_framework.authtoken.models import Token

from documents.services.pages import page_create
from tests.ops.support import http_get
from tests.support.live import SocketClient, session_cookie

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


def ticket_for(server, page, token: str) -> str:
    """A real WebSocket ticket from the API (a ticket is the only credential looked at)."""
    request = urllib.request.Request(
        f"{server.http_url}/api/pages/{page.id}/ticket/", method="POST", headers={"Authorization": f"Token {token}"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())["ticket"]


CONTENT = ["Quokka-7f3a confidential merger plan", "Zoë's naïve café — 秘密"]
TICKET = "tkt-9d8c7b6a5f4e3d2c"
QUERY_TOKEN = "qtok-1a2b3c4d5e6f"


async def test_session_logs_are_json_with_context_and_no_secrets(live_servers, user):
    """A session with a ticket in the WebSocket URL, an API token, a session cookie, typed
    content and a malformed frame, logged in JSON at DEBUG with the access log on: every line
    parses, realtime lines name the page, connection and user, and no line holds the content,
    the ticket, the token or the session id."""
    [server] = await sync_to_async(live_servers)(1, LOG_FORMAT="json", LOG_LEVEL="DEBUG", ACCESS_LOG="1")
    page = await sync_to_async(page_create)(owner=user, title="Logged page")
    cookie = await sync_to_async(session_cookie)(user)
    token = (await sync_to_async(Token.objects.create)(user=user)).key

    status, _ = await sync_to_async(http_get)(
        f"{server.http_url}/api/pages/?search=x&token={QUERY_TOKEN}&ticket={TICKET}",
        {"Authorization": f"Token {token}"},
    )
    assert status == 200
    tickets = [await sync_to_async(ticket_for)(server, page, token) for _ in range(2)]
    client = SocketClient(f"{server.ws_url}/ws/pages/{page.id}?ticket={tickets[0]}", None, "logged")
    await client.connect()
    await client.wait_synced()
    for text in CONTENT:
        await client.edit(text)
    await client.wait_for(lambda: len(client.echoes) >= 1 + len(CONTENT))
    await client.close()
    bad = SocketClient(f"{server.ws_url}/ws/pages/{page.id}?ticket={tickets[1]}", cookie, "bad")
    await bad.connect()
    await bad.wait_synced()
    await bad.ws.send(b"\x00\x02\xff\xff\xff")  # a sync update whose length runs past the frame
    await bad.wait_for(lambda: not bad.connected)
    assert bad.close_code == 4400
    await asyncio.sleep(1.0)  # the room unloads (render, compaction) and logs it
    assert await asyncio.get_running_loop().run_in_executor(None, server.stop) == 0

    output = server.output()
    secrets = [TICKET, *tickets, QUERY_TOKEN, token, cookie.split("=", 1)[1], *CONTENT, "Quokka"]
    for secret in secrets:
        assert secret not in output, f"{secret!r} is in the log"
    # No frame's payload (the document, in hex) shows: our WebSocket protocol logs no frames,
    # and websockets' frame dumps (WS_COMPRESSION=1) are cut to their size (test_logging.py).
    assert not re.search(r"[<>] (BINARY|TEXT|CONT) (?!\[)", output), "a frame payload is in the log"
    assert CONTENT[0].encode()[-7:].hex(" ") not in output
    lines = [json.loads(line) for line in output.splitlines() if line.strip()]
    assert any("[redacted]" in line["message"] and "WebSocket" in line["message"] for line in lines)
    assert any("[redacted]" in line["message"] and "GET /api/pages/" in line["message"] for line in lines)
    realtime = [line for line in lines if line["logger"] == "realtime.consumers"]
    assert any("connection closed with 1000" in line["message"] for line in realtime)
    assert any("closing the connection with 4400" in line["message"] for line in realtime)
    for line in realtime:
        assert line["page_id"] == str(page.id), line
        assert line["user_id"] == user.id, line
        assert isinstance(line["conn_id"], int), line
    for line in lines:
        assert {"time", "level", "logger", "message"} <= set(line)
