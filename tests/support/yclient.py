"""A minimal y-websocket client on pycrdt, for tests: it syncs, sends edits, tracks echoes.

`YClient` is transport-free: feed it frames with `receive()` and send what `outbox` holds.
`CommunicatorClient` drives a Channels WebsocketCommunicator; `SocketClient` (in
tests/support/live.py) a real socket.
"""

from __future__ import annotations

import asyncio

from pycrdt import Doc, Text, TransactionEvent, XmlElement, XmlFragment, XmlText

from realtime.protocol import (
    AuthDenied,
    Awareness,
    AwarenessEntry,
    QueryAwareness,
    SyncStep1,
    SyncStep2,
    SyncUpdate,
    awareness_message,
    decode_awareness,
    decode_message,
    sync_step1,
    sync_step2,
    sync_update,
)


class YClient:
    def __init__(self, name: str = "client") -> None:
        self.name = name
        self.doc: Doc = Doc()
        self.outbox: list[bytes] = []
        self.synced = False
        self.server_state_vector: bytes | None = None
        self.awareness: dict[int, AwarenessEntry] = {}
        self.auth_denied: str | None = None
        self.updates_received = 0
        self.echoes: list[bytes] = []
        self._local: list[bytes] = []
        self._applying_remote = False
        self.doc.observe(self._on_transaction)

    # Document -----------------------------------------------------------------------------

    @property
    def text(self) -> Text:
        return self.doc.get("t", type=Text)

    @property
    def fragment(self) -> XmlFragment:
        return self.doc.get("default", type=XmlFragment)

    def _on_transaction(self, event: TransactionEvent) -> None:
        if not self._applying_remote:
            self._local.append(event.update)
            self.outbox.append(sync_update(event.update))

    def insert(self, index: int, content: str) -> None:
        """Insert into the Text "t" at a character index (pycrdt indexes are UTF-8 bytes)."""
        text = self.text
        current = str(text)
        byte_index = len(current[:index].encode())
        with self.doc.transaction():
            text.insert(byte_index, content)

    def append(self, content: str) -> None:
        text = self.text
        with self.doc.transaction():
            text.insert(len(text), content)

    def add_paragraph(self, content: str) -> None:
        """Append a Tiptap-style paragraph to the fragment "default"."""
        self.fragment.children.append(XmlElement("paragraph", {}, [XmlText(content)]))

    # Protocol -----------------------------------------------------------------------------

    def hello(self) -> None:
        """What a y-websocket client sends first: its sync step 1."""
        self.outbox.append(sync_step1(self.doc.get_state()))

    def set_awareness(self, client_id: int, clock: int, state: str) -> None:
        self.outbox.append(awareness_message([AwarenessEntry(client_id, clock, state)]))

    def query_awareness(self) -> None:
        self.outbox.append(bytes([3]))

    def receive(self, frame: bytes) -> None:
        message = decode_message(frame)
        match message:
            case SyncStep1(state_vector):
                self.server_state_vector = state_vector
                self.outbox.append(sync_step2(self.doc.get_update(state_vector)))
            case SyncStep2(update):
                self._apply_remote(update)
                self.synced = True
            case SyncUpdate(update):
                self.updates_received += 1
                self._apply_remote(update)
            case Awareness(update):
                for entry in decode_awareness(update):
                    if entry.removed:
                        self.awareness.pop(entry.client_id, None)
                    else:
                        self.awareness[entry.client_id] = entry
            case AuthDenied(reason):
                self.auth_denied = reason
            case QueryAwareness():
                pass

    def _apply_remote(self, update: bytes) -> None:
        self.echoes.append(update)
        self._applying_remote = True
        try:
            self.doc.apply_update(update)
        finally:
            self._applying_remote = False

    def take_outbox(self) -> list[bytes]:
        frames, self.outbox = self.outbox, []
        return frames

    def content(self) -> str:
        return str(self.text)


class CommunicatorClient(YClient):
    """A YClient talking through a Channels WebsocketCommunicator."""

    def __init__(self, communicator, name: str = "client") -> None:
        super().__init__(name)
        self.communicator = communicator
        self.close_code: int | None = None

    async def connect(self) -> tuple[bool, int | None]:
        connected, subprotocol = await self.communicator.connect()
        return connected, subprotocol

    async def flush(self) -> None:
        for frame in self.take_outbox():
            await self.communicator.send_to(bytes_data=frame)

    async def pump(self, timeout: float = 0.2) -> int:
        """Receive frames until none arrives for `timeout` s; answer what needs answering."""
        count = 0
        while True:
            # Read the queue directly: receive_output() cancels the application on a timeout.
            if self.communicator.future.done():
                self.communicator.future.result()
            try:
                async with asyncio.timeout(timeout):
                    message = await self.communicator.output_queue.get()
            except TimeoutError:
                break
            if message["type"] == "websocket.close":
                self.close_code = message.get("code")
                break
            if message.get("bytes") is not None:
                self.receive(message["bytes"])
                count += 1
            await self.flush()
        return count

    async def sync(self, timeout: float = 5.0) -> None:
        self.hello()
        await self.flush()
        deadline = asyncio.get_running_loop().time() + timeout
        while not self.synced:
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"{self.name} did not sync")
            await self.pump(0.05)
            if self.close_code is not None:
                raise AssertionError(f"{self.name} was closed with {self.close_code}")
