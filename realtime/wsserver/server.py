"""One WebSocket connection under uvicorn, from the upgrade request it hands over to the close."""

from __future__ import annotations

import asyncio
import logging
import os
from collections import deque
from collections.abc import Callable
from typing import Any

from uvicorn.config import Config
from uvicorn.protocols.utils import (
    ClientDisconnected,
    get_client_addr,
    get_local_addr,
    get_path_with_query_string,
    get_remote_addr,
    is_ssl,
)
from uvicorn.server import ServerState

from realtime.wsserver.frames import (
    CLOSE,
    CONT,
    DATA_OPCODES,
    PING,
    PONG,
    TEXT,
    FrameReader,
    WebSocketError,
    binary_frame,
    close_frame,
    frame,
    parse_close,
)
from realtime.wsserver.handshake import HandshakeError, Headers, http_response, parse_request, switching_protocols

logger = logging.getLogger("uvicorn.error")

# Connection states.
REQUEST, HANDSHAKE, OPEN, CLOSING, CLOSED = range(5)

# An upgrade request longer than this is refused (uvicorn's HTTP parser has read it already).
MAX_REQUEST_BYTES = 64 * 1024
# Reading pauses while the application has this much received and not yet taken.
READ_HIGH_WATER = 1024 * 1024
# After this side sent its close frame, how long the client has to answer before the TCP
# connection is closed anyway.
CLOSE_TIMEOUT = 10.0


class WebSocketProtocol(asyncio.Protocol):
    """uvicorn's `ws` protocol class: it gets the upgrade request's bytes and the transport."""

    __slots__ = (
        "_close_timer",
        "_disconnected",
        "_early",
        "_events",
        "_fragments",
        "_fragments_size",
        "_fragments_text",
        "_key",
        "_ping_payload",
        "_ping_timer",
        "_queued",
        "_read_paused",
        "_reader",
        "_waiter",
        "_writable",
        "_write_waiters",
        "app",
        "app_state",
        "config",
        "connections",
        "default_headers",
        "loop",
        "scope",
        "state",
        "tasks",
        "transport",
    )

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        if not config.loaded:
            config.load()
        self.config = config
        self.app = config.loaded_app
        self.loop = _loop or asyncio.get_event_loop()
        self.app_state = app_state
        self.connections = server_state.connections
        self.tasks = server_state.tasks
        self.default_headers = server_state.default_headers
        self.transport: asyncio.Transport = None  # type: ignore[assignment]
        self.scope: dict[str, Any] = {}
        self.state = REQUEST
        self._key = b""
        # The request, and any frames that came before the handshake completed.
        self._early = bytearray()
        self._reader = FrameReader(config.ws_max_size)
        # A fragmented message being received: its parts so far, their size, whether it is text.
        self._fragments: list[bytes] | None = None
        self._fragments_size = 0
        self._fragments_text = False
        # ASGI events not yet taken by the application, their bytes, and a receive() waiting.
        self._events: deque[dict[str, Any]] = deque()
        self._queued = 0
        self._waiter: asyncio.Future[dict[str, Any]] | None = None
        self._read_paused = False
        self._disconnected = False  # the application was told (websocket.disconnect)
        self._writable = True
        self._write_waiters: list[asyncio.Future[None]] = []
        # The next ping, or while one is unanswered, its deadline.
        self._ping_timer: asyncio.TimerHandle | None = None
        self._ping_payload: bytes | None = None
        self._close_timer: asyncio.TimerHandle | None = None

    # The transport's side ------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.connections.add(self)
        self.transport = transport  # type: ignore[assignment]
        _release(transport.get_protocol())

    def data_received(self, data: bytes) -> None:
        if self.state == OPEN or self.state == CLOSING:
            self._read_frames(data)
            return
        if self.state == CLOSED:
            return
        self._early += data
        if self.state == REQUEST:
            end = self._early.find(b"\r\n\r\n")
            if end >= 0:
                head = bytes(self._early[:end])
                del self._early[: end + 4]
                self._handle_request(head)
            elif len(self._early) > MAX_REQUEST_BYTES:
                self._respond(431, "request headers too large")
        elif len(self._early) > self.config.ws_max_size:
            self._respond(400, "data before the handshake completed")

    def eof_received(self) -> None:
        """The client shut its side: the transport closes, and connection_lost tells the app."""

    def pause_writing(self) -> None:
        self._writable = False

    def resume_writing(self) -> None:
        self._writable = True
        self._wake_writers()

    def connection_lost(self, exc: Exception | None) -> None:
        self.connections.discard(self)
        self.state = CLOSED
        for timer in (self._ping_timer, self._close_timer):
            if timer is not None:
                timer.cancel()
        self._ping_timer = self._close_timer = None
        self._disconnect(1006)
        self._writable = True
        self._wake_writers()

    def shutdown(self) -> None:
        """uvicorn stops: close open sockets as a restart (1012), refuse handshakes under way."""
        if self.state < OPEN:
            self._respond(503, "the server is shutting down")
        else:
            self._end(close_frame(1012), 1012)

    # The upgrade ---------------------------------------------------------------------------

    def _handle_request(self, head: bytes) -> None:
        try:
            request = parse_request(head)
        except HandshakeError as error:
            logger.info("refused a WebSocket handshake (%s): %s", error.status, error.reason)
            self._respond(error.status, error.reason, error.headers)
            return
        self._key = request.key
        root_path = self.config.root_path
        self.scope = {
            "type": "websocket",
            "asgi": {"version": self.config.asgi_version, "spec_version": "2.4"},
            "http_version": "1.1",
            "scheme": "wss" if is_ssl(self.transport) else "ws",
            "server": get_local_addr(self.transport),
            "client": get_remote_addr(self.transport),
            "root_path": root_path,
            "path": root_path + request.path,
            "raw_path": root_path.encode("ascii") + request.raw_path,
            "query_string": request.query_string,
            "headers": request.headers,
            "subprotocols": request.subprotocols,
            "state": self.app_state.copy(),
        }
        self.state = HANDSHAKE
        self._deliver({"type": "websocket.connect"})
        task = self.loop.create_task(self._run_asgi())
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    def _accept(self, message: dict[str, Any]) -> None:
        if self.transport.is_closing():
            return
        headers = [*self.default_headers, *message.get("headers", ())]
        self.transport.write(switching_protocols(self._key, message.get("subprotocol"), headers))
        self.state = OPEN
        if self.config.access_log:
            logger.info(
                '%s - "WebSocket %s" [accepted]', get_client_addr(self.scope), get_path_with_query_string(self.scope)
            )
        self._schedule_ping()
        if self._early:
            early, self._early = bytes(self._early), bytearray()
            self._read_frames(early)

    def _respond(self, status: int, body: str, headers: Headers | None = None) -> None:
        """An HTTP response instead of the upgrade; the connection closes after it."""
        self.transport.write(http_response(status, body, [*self.default_headers, *(headers or ())]))
        self.transport.close()
        self.state = CLOSED
        self._disconnect(1006)

    # Frames --------------------------------------------------------------------------------

    def _read_frames(self, data: bytes) -> None:
        try:
            for opcode, final, payload in self._reader.feed(data):
                self._handle_frame(opcode, final, payload)
                if self.state == CLOSED:
                    return  # nothing after a close is read
        except WebSocketError as error:
            self._fail(error.code, error.reason)

    def _handle_frame(self, opcode: int, final: bool, payload: bytes) -> None:
        if opcode in DATA_OPCODES:
            if self.state == CLOSING:
                return  # the application is done with this socket
            if opcode == CONT:
                if self._fragments is None:
                    raise WebSocketError(1002, "continuation without a message")
                self._fragments.append(payload)
                self._fragments_size += len(payload)
                if self._fragments_size > self.config.ws_max_size:
                    raise WebSocketError(1009, "message too big")
                if final:
                    self._message(b"".join(self._fragments), self._fragments_text)
            elif self._fragments is not None:
                raise WebSocketError(1002, "new message inside a fragmented one")
            elif final:
                self._message(payload, opcode == TEXT)
            else:
                self._fragments = [payload]
                self._fragments_size = len(payload)
                self._fragments_text = opcode == TEXT
        elif opcode == PING:
            if self.state == OPEN:
                self.transport.write(frame(PONG, payload))
        elif opcode == PONG:
            if self._ping_payload is not None and payload == self._ping_payload:
                self._ping_payload = None
                self._schedule_ping()
        elif opcode == CLOSE:
            code, reason = parse_close(payload)
            # The client starts the closing handshake (answer with its code, then hang up) or
            # answers ours.
            self._end(close_frame(None if code == 1005 else code), code, reason)
        else:
            raise WebSocketError(1002, f"unknown opcode {opcode}")

    def _message(self, payload: bytes, text: bool) -> None:
        self._fragments = None
        self._fragments_size = 0
        event: dict[str, Any]
        if text:
            try:
                event = {"type": "websocket.receive", "text": payload.decode()}
            except UnicodeDecodeError:
                raise WebSocketError(1007, "text message is not UTF-8") from None
        else:
            event = {"type": "websocket.receive", "bytes": payload}
        self._queued += _size(event)
        self._deliver(event)
        if self._queued > READ_HIGH_WATER and not self._read_paused:
            self._read_paused = True
            self.transport.pause_reading()

    def _fail(self, code: int, reason: str) -> None:
        """Fail the connection (RFC 6455, section 7.1.7): a close frame and the TCP close."""
        logger.info("closing a WebSocket with %s: %s", code, reason)
        self._end(close_frame(code, reason), code, reason)

    def _end(self, goodbye: bytes, code: int, reason: str = "") -> None:
        """Hang up now: `goodbye` (a close frame) goes out first unless this side sent one
        already, and the application hears `code` unless it closed first."""
        if self.state == OPEN:
            self.transport.write(goodbye)
        self.state = CLOSED
        self._disconnect(code, reason)
        self.transport.close()

    # Keep-alive ----------------------------------------------------------------------------

    def _schedule_ping(self) -> None:
        interval = self.config.ws_ping_interval
        if self._ping_timer is not None:
            self._ping_timer.cancel()
        self._ping_timer = self.loop.call_later(interval, self._ping) if interval else None

    def _ping(self) -> None:
        self._ping_timer = None
        if self.state != OPEN:
            return
        self._ping_payload = os.urandom(4)
        self.transport.write(frame(PING, self._ping_payload))
        timeout = self.config.ws_ping_timeout
        if timeout:
            self._ping_timer = self.loop.call_later(timeout, self._ping_timed_out)
        else:
            self._schedule_ping()

    def _ping_timed_out(self) -> None:
        self._ping_timer = None
        if self.state == OPEN:
            self._fail(1011, "keepalive ping timeout")
            self.transport.abort()  # the peer is not reading: drop what it would not take

    # The application's side ----------------------------------------------------------------

    async def _run_asgi(self) -> None:
        try:
            result = await self.app(self.scope, self.receive, self.send)
        except ClientDisconnected:
            pass
        except asyncio.CancelledError:
            if self.state < OPEN:
                self._respond(500, "Internal Server Error")
            raise
        except BaseException:
            logger.exception("Exception in ASGI application\n")
            if self.state < OPEN:
                self._respond(500, "Internal Server Error")
        else:
            if self.state < OPEN:
                logger.error("ASGI callable returned without completing handshake.")
                self._respond(500, "Internal Server Error")
            elif result is not None:
                logger.error("ASGI callable should return None, but returned '%s'.", result)
        if self.state == OPEN:
            self.transport.write(close_frame(1000))
            self.state = CLOSED
        if self._close_timer is None:
            self.transport.close()

    async def receive(self) -> dict[str, Any]:
        if self._events:
            event = self._events.popleft()
        else:
            self._waiter = self.loop.create_future()
            try:
                event = await self._waiter
            finally:
                self._waiter = None
        if event["type"] == "websocket.receive":
            self._queued -= _size(event)
            if self._read_paused and self._queued <= 0 and self.state != CLOSED:
                self._read_paused = False
                self.transport.resume_reading()
        return event

    def _deliver(self, event: dict[str, Any]) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            self._waiter = None
            waiter.set_result(event)
        else:
            self._events.append(event)

    def _disconnect(self, code: int, reason: str = "") -> None:
        """Tell the application, once, after whatever it has not yet taken."""
        if not self._disconnected:
            self._disconnected = True
            self._deliver({"type": "websocket.disconnect", "code": code, "reason": reason})

    async def send(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        if self.state == HANDSHAKE:
            if kind == "websocket.accept":
                self._accept(message)
            elif kind == "websocket.close":
                self._respond(403, "")
            else:
                raise RuntimeError(f"Expected 'websocket.accept' or 'websocket.close' but got '{kind}'.")
            return
        if kind == "websocket.send":
            while not self._writable and self.state == OPEN:
                waiter = self.loop.create_future()
                self._write_waiters.append(waiter)
                await waiter
            if self.state != OPEN or self.transport.is_closing():
                raise ClientDisconnected()
            data = message.get("bytes")
            if data is not None:
                self.transport.write(binary_frame(data))
            else:
                self.transport.write(frame(TEXT, message["text"].encode()))
        elif kind == "websocket.close":
            if self.state != OPEN:
                return  # closed already, by either side
            code = message.get("code") or 1000
            reason = message.get("reason") or ""
            self.transport.write(close_frame(code, reason))
            self.state = CLOSING
            self._disconnect(code, reason)
            if self._read_paused:  # the client's answer must be read
                self._read_paused = False
                self.transport.resume_reading()
            self._close_timer = self.loop.call_later(CLOSE_TIMEOUT, self.transport.close)
        elif self.state == CLOSED:
            raise ClientDisconnected()
        else:
            raise RuntimeError(f"Expected 'websocket.send' or 'websocket.close' but got '{kind}'.")

    def write_binary(self, payload: bytes) -> bool:
        """Write a binary message at once, skipping ASGI; False (nothing written) when the
        socket is not open or not taking more, and the ordinary send must wait for it."""
        if self.state != OPEN or not self._writable:
            return False
        self.transport.write(binary_frame(payload))
        return True

    def _wake_writers(self) -> None:
        waiters, self._write_waiters = self._write_waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)


def _release(http: asyncio.BaseProtocol) -> None:
    """Let uvicorn's HTTP protocol, which is handing the socket over, be freed at once.

    It and its httptools parser refer to each other (the parser calls back into it), so once
    the upgrade returns only the garbage collector frees them, with their flow control,
    event and timers: about 30 objects a connection (400 clients connecting left 13,200
    objects of cyclic garbage in 2 s). Young-generation collections of 14,000 such objects
    paused the event loop for 15-90 ms. Nothing uses the parser after the upgrade.
    """
    if getattr(http, "parser", None) is not None:
        http.parser = None  # type: ignore[attr-defined]


def direct_writer(send: Any) -> Callable[[bytes], bool] | None:
    """For an ASGI `send` of this protocol: its `write_binary`; None for any other server."""
    protocol = getattr(send, "__self__", None)
    return protocol.write_binary if isinstance(protocol, WebSocketProtocol) else None


def _size(event: dict[str, Any]) -> int:
    return len(event.get("bytes") or event.get("text") or "")
