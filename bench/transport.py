"""WebSocket client transports for the load generator.

``fast``: a minimal RFC 6455 client on an asyncio Protocol (no extensions, no compression):
frames are parsed in `data_received` and handed to a callback at once, with no queue and no
task switch per message. It needs about a third less CPU per received message than the
``websockets`` library, so one process drives more clients before its own loop adds
latency. ``websockets``: the websockets library, as a cross-check.
Both call `on_message(data: bytes, recv_ns: int)` for every binary message.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import os
import struct
import time
from collections.abc import Callable
from urllib.parse import urlsplit

OnMessage = Callable[[bytes, int], None]
_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class HandshakeError(Exception):
    pass


class Transport:
    closed: asyncio.Event
    close_code: int | None

    async def send(self, data: bytes) -> None:
        raise NotImplementedError

    def send_nowait(self, data: bytes) -> None:
        raise NotImplementedError

    def abort(self) -> None:
        raise NotImplementedError

    async def close(self) -> None:
        raise NotImplementedError


def _mask(payload: bytes, key: bytes) -> bytes:
    if not payload:
        return payload
    n = len(payload)
    k = int.from_bytes((key * (n // 4 + 1))[:n], "big")
    return (int.from_bytes(payload, "big") ^ k).to_bytes(n, "big")


def encode_frame(opcode: int, payload: bytes) -> bytes:
    """A final, masked client frame."""
    n = len(payload)
    if n < 126:
        head = struct.pack("!BB", 0x80 | opcode, 0x80 | n)
    elif n < 65536:
        head = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, n)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, n)
    key = os.urandom(4)
    return head + key + _mask(payload, key)


class FastProtocol(asyncio.Protocol):
    def __init__(self, on_message: OnMessage) -> None:
        self.on_message = on_message
        self.transport: asyncio.Transport | None = None
        self.buf = bytearray()
        self.handshake: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self.upgraded = False
        self.fragments: list[bytes] = []
        self.closed = asyncio.Event()
        self.close_code: int | None = None
        self._drain: asyncio.Future[None] | None = None
        self._paused = False

    def connection_made(self, transport) -> None:  # type: ignore[override]
        self.transport = transport

    def pause_writing(self) -> None:
        self._paused = True

    def resume_writing(self) -> None:
        self._paused = False
        if self._drain is not None and not self._drain.done():
            self._drain.set_result(None)

    def connection_lost(self, exc: Exception | None) -> None:
        if self.close_code is None:
            self.close_code = 1006
        if not self.handshake.done():
            self.handshake.set_exception(ConnectionError("closed during the handshake"))
        if self._drain is not None and not self._drain.done():
            self._drain.set_result(None)
        self.closed.set()

    def data_received(self, data: bytes) -> None:
        now = time.monotonic_ns()
        buf = self.buf
        buf += data
        if not self.upgraded:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(buf[: end + 4])
            del buf[: end + 4]
            self.upgraded = True
            self.handshake.set_result(head)
        pos = 0
        size = len(buf)
        while size - pos >= 2:
            b0 = buf[pos]
            b1 = buf[pos + 1]
            length = b1 & 0x7F
            hdr = 2
            if length == 126:
                if size - pos < 4:
                    break
                length = (buf[pos + 2] << 8) | buf[pos + 3]
                hdr = 4
            elif length == 127:
                if size - pos < 10:
                    break
                length = int.from_bytes(buf[pos + 2 : pos + 10], "big")
                hdr = 10
            masked = b1 & 0x80
            if masked:
                hdr += 4
            if size - pos < hdr + length:
                break
            payload = bytes(buf[pos + hdr : pos + hdr + length])
            if masked:
                payload = _mask(payload, bytes(buf[pos + hdr - 4 : pos + hdr]))
            pos += hdr + length
            self._frame(b0 & 0x80, b0 & 0x0F, payload, now)
        if pos:
            del buf[:pos]

    def _frame(self, fin: int, opcode: int, payload: bytes, now: int) -> None:
        if opcode == 0x2 or opcode == 0x1 or opcode == 0x0:
            if not fin:
                self.fragments.append(payload)
                return
            if self.fragments:
                payload = b"".join([*self.fragments, payload])
                self.fragments = []
            if opcode != 0x1:
                self.on_message(payload, now)
        elif opcode == 0x9:  # ping
            self.write(encode_frame(0xA, payload))
        elif opcode == 0x8:  # close: echo it and let the server close the TCP connection
            self.close_code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1005
            self.write(encode_frame(0x8, payload[:2]))

    def write(self, data: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(data)

    async def drain(self) -> None:
        if self._paused and not self.closed.is_set():
            self._drain = asyncio.get_running_loop().create_future()
            await self._drain


class FastTransport(Transport):
    def __init__(self, proto: FastProtocol) -> None:
        self.proto = proto
        self.closed = proto.closed

    @property
    def close_code(self) -> int | None:  # type: ignore[override]
        return self.proto.close_code

    @classmethod
    async def open(
        cls, url: str, headers: dict[str, str], origin: str | None, on_message: OnMessage, seconds: float
    ) -> FastTransport:
        parts = urlsplit(url)
        if parts.scheme != "ws":
            raise ValueError("the fast transport speaks ws:// only; use --transport websockets for wss://")
        host = parts.hostname or "127.0.0.1"
        port = parts.port or 80
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        loop = asyncio.get_running_loop()
        proto = FastProtocol(on_message)
        await asyncio.wait_for(loop.create_connection(lambda: proto, host, port), seconds)
        key = base64.b64encode(os.urandom(16)).decode()
        lines = [
            f"GET {path} HTTP/1.1",
            f"Host: {parts.netloc}",
            "Upgrade: websocket",
            "Connection: Upgrade",
            f"Sec-WebSocket-Key: {key}",
            "Sec-WebSocket-Version: 13",
        ]
        if origin:
            lines.append(f"Origin: {origin}")
        lines += [f"{k}: {v}" for k, v in headers.items()]
        proto.write(("\r\n".join(lines) + "\r\n\r\n").encode())
        try:
            head = await asyncio.wait_for(proto.handshake, seconds)
        except BaseException:
            if proto.transport is not None:
                proto.transport.abort()
            raise
        status = head.split(b"\r\n", 1)[0].decode(errors="replace")
        accept = base64.b64encode(hashlib.sha1(key.encode() + _GUID).digest())
        if " 101 " not in status + " " or accept not in head:
            if proto.transport is not None:
                proto.transport.abort()
            raise HandshakeError(f"upgrade refused: {status}")
        return cls(proto)

    async def send(self, data: bytes) -> None:
        self.proto.write(encode_frame(0x2, data))
        await self.proto.drain()

    def send_nowait(self, data: bytes) -> None:
        self.proto.write(encode_frame(0x2, data))

    def abort(self) -> None:
        if self.proto.transport is not None:
            self.proto.transport.abort()

    async def close(self) -> None:
        if self.proto.closed.is_set():
            return
        self.proto.write(encode_frame(0x8, struct.pack("!H", 1000)))
        try:
            await asyncio.wait_for(self.proto.closed.wait(), 2)
        except TimeoutError:
            self.abort()


class WebsocketsTransport(Transport):
    def __init__(self, ws, on_message: OnMessage) -> None:
        self.ws = ws
        self.on_message = on_message
        self.closed = asyncio.Event()
        self.close_code = None
        self.error: str | None = None
        self._reader = asyncio.get_running_loop().create_task(self._read())
        self._tasks: set[asyncio.Task] = set()

    @classmethod
    async def open(
        cls, url: str, headers: dict[str, str], origin: str | None, on_message: OnMessage, seconds: float
    ) -> WebsocketsTransport:
        from websockets.asyncio.client import connect

        ws = await connect(
            url,
            additional_headers=headers or None,
            origin=origin,  # type: ignore[arg-type]
            compression=None,
            proxy=None,
            max_size=None,
            ping_interval=None,
            open_timeout=seconds,
            close_timeout=2,
            user_agent_header=None,
        )
        return cls(ws, on_message)

    async def _read(self) -> None:
        import websockets

        try:
            async for frame in self.ws:
                if isinstance(frame, bytes):
                    self.on_message(frame, time.monotonic_ns())
        except websockets.ConnectionClosed:
            pass
        finally:
            self.close_code = self.ws.close_code or 1006
            self.closed.set()

    async def send(self, data: bytes) -> None:
        await self.ws.send(data)

    def send_nowait(self, data: bytes) -> None:
        task = asyncio.get_running_loop().create_task(self.ws.send(data))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def abort(self) -> None:
        self.ws.transport.abort()

    async def close(self) -> None:
        try:
            await self.ws.close()
        except Exception:
            pass
        try:
            await asyncio.wait_for(self._reader, 3)
        except (TimeoutError, asyncio.CancelledError, Exception):
            self._reader.cancel()


TRANSPORTS = {"fast": FastTransport, "websockets": WebsocketsTransport}
