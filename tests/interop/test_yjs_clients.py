"""Real Yjs clients against a live server process, as `make run` starts it.

The Node clients are the unmodified y-websocket WebsocketProvider from package.json; the
Python client is pycrdt with our own protocol code. Every test ends with the durability
check: the text stored in the database equals the text every client holds.
"""

import asyncio
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from asgiref.sync import sync_to_async
from pycrdt import Text

from documents.selectors.content import page_document_load
from documents.services.pages import page_create
from documents.ydoc import doc_from_stored
from tests.support.live import SocketClient, session_cookie

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]

CLIENT = Path(__file__).with_name("yws_client.mjs")


def stored_text(page_id) -> str:
    stored = page_document_load(page_id=page_id)
    return str(doc_from_stored(stored.state, (d for _, d in stored.updates)).get("t", type=Text))


@pytest.fixture
def node():
    path = shutil.which("node")
    if path is None:
        pytest.skip("node is not installed")
    return path


def run_node_clients(node, server, page, cookie, specs):
    expect = ",".join(f"{name}:{edits + offline}" for name, edits, offline in specs)
    processes = [
        subprocess.Popen(
            [
                node,
                str(CLIENT),
                "--url", f"{server.ws_url}/ws/pages",
                "--page", str(page.id),
                "--cookie", cookie,
                "--name", name,
                "--edits", str(edits),
                "--offline-edits", str(offline),
                "--interval", "15",
                "--expect", expect,
                "--timeout", "20000",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, edits, offline in specs
    ]  # fmt: skip
    results = []
    for process in processes:
        out, err = process.communicate(timeout=60)
        assert out.strip(), f"client printed nothing: {err}\nserver log:\n{server.output()}"
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


def test_two_websocket_providers_converge_with_offline_edits(node, live_servers, user):
    """Two y-websocket clients type at once, one of them also while disconnected; both end
    with every token, the same text, and the database holds that text."""
    [server] = live_servers(1)
    page = page_create(owner=user, title="Interop")
    cookie = session_cookie(user)
    results = run_node_clients(node, server, page, cookie, [("a", 25, 0), ("b", 20, 6)])
    assert all(r["complete"] for r in results), results
    assert results[0]["text"] == results[1]["text"]
    assert results[0]["counts"] == {"a": 25, "b": 26}
    assert stored_text(page.id) == results[0]["text"]


def test_node_client_without_session_is_refused(node, live_servers, user):
    """Without a session cookie the server closes with 4401 (the provider sees the code)."""
    [server] = live_servers(1)
    page = page_create(owner=user, title="Closed")
    out = subprocess.run(
        [node, str(CLIENT), "--url", f"{server.ws_url}/ws/pages", "--page", str(page.id), "--timeout", "1500"],
        capture_output=True,
        text=True,
        timeout=30,
    ).stdout
    result = json.loads(out.strip().splitlines()[-1])
    assert result["error"] == "never synced"
    assert 4401 in result["closes"]


async def test_pycrdt_clients_converge_with_offline_edits(live_servers, user):
    """Two pycrdt clients on real sockets: concurrent edits and offline edits merge."""
    [server] = await sync_to_async(live_servers)(1)
    page = await sync_to_async(page_create)(owner=user, title="Python clients")
    cookie = await sync_to_async(session_cookie)(user)
    url = f"{server.ws_url}/ws/pages/{page.id}"
    a, b = SocketClient(url, cookie, "a"), SocketClient(url, cookie, "b")
    await asyncio.gather(a.connect(), b.connect())
    await asyncio.gather(a.wait_synced(), b.wait_synced())
    for i in range(20):
        await a.edit(f"[a{i}]")
        await b.edit(f"[b{i}]")
        await asyncio.sleep(0.01)
    await b.close()
    b.append("[offline-ü]")
    await b.connect()
    await b.wait_synced()
    for client in (a, b):
        await client.wait_for(lambda c=client: "[offline-ü]" in c.content() and c.content().count("[a") == 20)
    await a.wait_for(lambda: a.content() == b.content())
    assert await sync_to_async(stored_text)(page.id) == a.content()
    await asyncio.gather(a.close(), b.close())
