"""Editing sessions for fault tests, and the check every fault test ends with.

Each editor types numbered tokens into the Y.Text "t" of one page through a real socket,
reconnecting (to any of the given servers) when its connection drops, as browsers do. The
final check: every token any editor typed is in the database and in every editor's
document, and all documents are equal.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import Sequence

from asgiref.sync import sync_to_async
from django.db import connections
from pycrdt import Text

from documents.selectors.content import page_document_load
from documents.ydoc import doc_from_stored
from tests.support.live import LiveServer, SocketClient


def stored_text(page_id) -> str:
    stored = page_document_load(page_id=page_id)
    return str(doc_from_stored(stored.state, (d for _, d in stored.updates)).get("t", type=Text))


def fresh_stored_text(page_id) -> str:
    """Read the stored text on a new connection (the database may have restarted)."""
    connections.close_all()
    return stored_text(page_id)


class Editor(SocketClient):
    def __init__(self, servers: Sequence[LiveServer], page_id, cookie: str, name: str) -> None:
        self.servers = list(servers)
        self.page_id = page_id
        self._next_server = itertools.cycle(range(len(self.servers)))
        self.server = self.servers[next(self._next_server)]
        super().__init__(self._url(self.server), cookie, name)
        self.written: list[str] = []

    def _url(self, server: LiveServer) -> str:
        return f"{server.ws_url}/ws/pages/{self.page_id}"

    async def ensure_connected(self) -> bool:
        """Reconnect when the socket is gone, trying each server in turn."""
        if self.connected:
            return True
        for _ in range(len(self.servers)):
            with contextlib.suppress(OSError, Exception):
                await self.connect(self._url(self.server))
                return True
            self.server = self.servers[next(self._next_server)]
        return False

    async def type_token(self) -> None:
        token = f"[{self.name}:{len(self.written)}]"
        self.written.append(token)
        await self.edit(token)

    async def keep_typing(self, stop: asyncio.Event, interval: float = 0.02) -> None:
        while not stop.is_set():
            await self.type_token()
            await asyncio.sleep(interval)
            if not self.connected:
                await asyncio.sleep(0.1)
                await self.ensure_connected()


async def open_editors(servers: Sequence[LiveServer], page_id, cookie: str, per_server: int) -> list[Editor]:
    editors = []
    for index, server in enumerate(servers):
        for i in range(per_server):
            editor = Editor(servers, page_id, cookie, f"s{index}e{i}")
            editor.server = server
            editor.url = editor._url(server)
            editors.append(editor)
    await asyncio.gather(*(e.connect() for e in editors))
    await asyncio.gather(*(e.wait_synced() for e in editors))
    return editors


async def type_for(editors: Sequence[Editor], seconds: float, interval: float = 0.02) -> None:
    stop = asyncio.Event()
    tasks = [asyncio.create_task(e.keep_typing(stop, interval)) for e in editors]
    await asyncio.sleep(seconds)
    stop.set()
    await asyncio.gather(*tasks)


async def assert_nothing_lost(editors: Sequence[Editor], page_id, timeout: float = 20.0) -> str:
    """Every token typed is in every editor's document and in the database; all are equal."""
    for editor in editors:
        if not editor.connected:
            assert await editor.ensure_connected(), f"{editor.name} cannot reconnect"
    tokens = [token for editor in editors for token in editor.written]
    for editor in editors:
        await editor.wait_for(lambda e=editor: all(t in e.content() for t in tokens), timeout)
    first = editors[0]
    for editor in editors[1:]:
        await editor.wait_for(lambda e=editor: e.content() == first.content(), timeout)
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        stored = await sync_to_async(fresh_stored_text)(page_id)
        if stored == first.content() or asyncio.get_running_loop().time() > deadline:
            break
        await asyncio.sleep(0.2)
    assert stored == first.content(), "the database does not hold what the editors hold"
    return stored


async def close_all(editors: Sequence[Editor]) -> None:
    await asyncio.gather(*(e.close() for e in editors), return_exceptions=True)
