"""One simulated editor: a WebSocket speaking y-websocket (or Hocuspocus) with a pycrdt Doc."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from pycrdt import Doc, Text, XmlElement, XmlFragment, XmlText

from . import yproto as p
from .auth import AuthFn, from_spec
from .transport import TRANSPORTS, Transport


@dataclass
class Target:
    """A server to load: its base URL (clients open BASE/ROOM), framing and auth."""

    name: str
    url: str
    dialect: str = "y-websocket"
    auth_spec: str = "none"
    pids: list[int] = field(default_factory=list)
    transport: str = "fast"
    _auth: AuthFn | None = field(default=None, repr=False)

    @property
    def auth(self) -> AuthFn:
        if self._auth is None:
            self._auth = from_spec(self.auth_spec)
        return self._auth

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in ("name", "url", "dialect", "auth_spec", "pids", "transport")}


UpdateHook = Callable[["YClient", bytes, int, int], None]  # client, update, recv ns, sync sub-type
AwarenessHook = Callable[["YClient", list[p.AwarenessEntry], int], None]


class YClient:
    """A client like y-websocket's WebsocketProvider, minus reconnection.

    apply="live" applies every received update to the Doc as it arrives (like a browser);
    apply="deferred" only stores them and applies them in `finalize()`, so a load generator
    driving hundreds of clients spends its time on the wire, not in the CRDT.
    """

    def __init__(
        self,
        target: Target,
        room: str,
        index: int = 0,
        *,
        doc_type: str = "text",
        apply: str = "live",
        on_update: UpdateHook | None = None,
        on_awareness: AwarenessHook | None = None,
    ) -> None:
        self.target = target
        self.room = room
        self.index = index
        self.apply_mode = apply
        self.on_update = on_update
        self.on_awareness = on_awareness
        self.dialect = p.DIALECTS[target.dialect](room)
        self.doc = Doc()
        self.doc_type = doc_type
        if doc_type == "xml":
            self.root = self.doc.get("default", type=XmlFragment)
        else:
            self.root = self.doc.get("text", type=Text)
        self._target_text: Text | XmlText | None = None
        self.client_id: int = self.doc.client_id
        self.conn: Transport | None = None
        self._early: list[bytes] = []
        self.synced = asyncio.Event()
        self.closed = asyncio.Event()
        self.error: str | None = None
        self.connect_started_ns = 0
        self.opened_ns = 0
        self.synced_ns = 0
        self.step2_bytes = 0
        self.pending: list[bytes] = []
        self.updates_received = 0
        self.frames_received = 0
        self.awareness: dict[int, tuple[int, object]] = {}
        self.awareness_clock = 0
        self.awareness_state: object = None
        self._outbox: list[bytes] = []
        self._applying = False
        self.doc.observe(self._on_local_txn)

    # --- connection ----------------------------------------------------------------------

    async def connect(self, open_timeout: float = 30.0) -> None:
        """Open the socket and start syncing (returns before synced; await `synced`)."""
        self.connect_started_ns = time.monotonic_ns()
        hocus = self.target.dialect == "hocuspocus"
        # Several base URLs (comma-separated): clients take them in turn, so one page's clients
        # are split over several server processes.
        bases = self.target.url.split(",")
        base = bases[abs(self.index) % len(bases)]
        url, headers = await self.target.auth(base, "" if hocus else self.room, self.index)
        if hocus:
            url = url.rstrip("/")
        token = headers.pop("token", "")
        origin = headers.pop("Origin", None)
        opener = TRANSPORTS[self.target.transport]
        self.conn = await opener.open(url, headers, origin, self._on_message, open_timeout)
        self.opened_ns = time.monotonic_ns()
        self.closed = self.conn.closed
        for frame in self.dialect.hello(token):
            self.conn.send_nowait(frame)
        early, self._early = self._early, []
        for frame in early:
            self.conn.send_nowait(frame)
        await self.send(p.sync_step1(self.doc.get_state()))
        if self.awareness_state is not None:
            await self._send_awareness()

    @property
    def close_code(self) -> int | None:
        return self.conn.close_code if self.conn is not None and self.conn.closed.is_set() else None

    async def wait_synced(self, seconds: float) -> bool:
        try:
            await asyncio.wait_for(self.synced.wait(), seconds)
            return True
        except TimeoutError:
            return False

    async def close(self) -> None:
        if self.conn is not None:
            try:
                await self.conn.close()
            except Exception:
                pass

    def abort(self) -> None:
        """Kill the TCP connection without a WebSocket close frame (a crashed browser)."""
        if self.conn is not None:
            self.conn.abort()

    async def send(self, message: bytes) -> None:
        assert self.conn is not None
        await self.conn.send(self.dialect.frame(message))

    def send_nowait(self, message: bytes) -> None:
        frame = self.dialect.frame(message)
        if self.conn is None:
            self._early.append(frame)
        else:
            self.conn.send_nowait(frame)

    # --- editing -------------------------------------------------------------------------

    def _on_local_txn(self, event) -> None:
        if not self._applying:
            self._outbox.append(event.update)

    def _edit_target(self) -> Text | XmlText:
        if self.doc_type != "xml":
            return self.root
        if self._target_text is None:
            para = self.root.children.append(XmlElement("paragraph"))
            self._target_text = para.children.append(XmlText())
        return self._target_text

    def local_edit(self, pos: int | None, delete: int = 0, insert: str = "") -> list[bytes]:
        """Edit the local Doc (positions in UTF-8 bytes; None = at the end); returns the updates."""
        text = self._edit_target()
        with self.doc.transaction():
            if pos is None:
                pos = len(text)
            if delete:
                del text[pos : pos + delete]
            if insert:
                text.insert(pos, insert)
        out, self._outbox = self._outbox, []
        return out

    async def insert(self, token: str, pos: int | None = None) -> None:
        for update in self.local_edit(pos, insert=token):
            await self.send(p.sync_update(update))

    async def set_awareness(self, state: object) -> None:
        self.awareness_state = state
        if self.conn is not None:
            await self._send_awareness()

    async def _send_awareness(self) -> None:
        self.awareness_clock += 1
        await self.send(self._awareness_frame())

    def _awareness_frame(self) -> bytes:
        entry = (self.client_id, self.awareness_clock, self.awareness_state)
        self.awareness[self.client_id] = (self.awareness_clock, self.awareness_state)
        return p.awareness_message(p.encode_awareness([entry]))

    def text(self) -> str:
        return str(self.root)

    def finalize(self) -> None:
        """Apply the updates that deferred mode only stored."""
        pending, self.pending = self.pending, []
        self._applying = True
        try:
            with self.doc.transaction():
                for update in pending:
                    self.doc.apply_update(update)
        finally:
            self._applying = False

    def _apply(self, update: bytes) -> None:
        if self.apply_mode == "live":
            self._applying = True
            try:
                self.doc.apply_update(update)
            finally:
                self._applying = False
        elif self.apply_mode == "deferred":
            self.pending.append(update)

    # --- receiving -----------------------------------------------------------------------

    def _on_message(self, frame: bytes, now: int) -> None:
        self.frames_received += 1
        try:
            msg = self.dialect.unframe(frame)
            if msg:
                self._handle(msg, now)
        except Exception as exc:  # a protocol error on our side: record it, do not hide it
            self.error = f"{type(exc).__name__}: {exc}"

    def _handle(self, msg: bytes, now: int) -> None:
        kind = msg[0]
        if kind == p.MSG_SYNC:
            sub = msg[1]
            dec = p.Decoder(msg, 2)
            if sub == p.SYNC_STEP1:
                self.send_nowait(p.sync_step2(self.doc.get_update(dec.var_bytes())))
                return
            update = dec.var_bytes()
            self.updates_received += 1
            if self.on_update is not None:
                self.on_update(self, update, now, sub)
            self._apply(update)
            if sub == p.SYNC_STEP2 and not self.synced.is_set():
                self.step2_bytes = len(update)
                self.synced_ns = time.monotonic_ns()
                self.synced.set()
        elif kind == p.MSG_AWARENESS:
            entries = p.decode_awareness(p.Decoder(msg, 1).var_bytes())
            for entry in entries:
                known = self.awareness.get(entry.client_id)
                if known is None or known[0] < entry.clock or (known[0] == entry.clock and entry.state is None):
                    self.awareness[entry.client_id] = (entry.clock, entry.state)
            if self.on_awareness is not None:
                self.on_awareness(self, entries, now)
        elif kind == p.MSG_QUERY_AWARENESS:
            if self.awareness_state is not None:
                self.send_nowait(self._awareness_frame())
        elif kind == p.MSG_AUTH:
            dec = p.Decoder(msg, 1)
            sub = dec.var_uint()
            denied = p.HP_AUTH_PERMISSION_DENIED if self.target.dialect == "hocuspocus" else 0
            if sub == denied:
                self.error = "permission denied: " + (dec.var_string() if not dec.done() else "")
