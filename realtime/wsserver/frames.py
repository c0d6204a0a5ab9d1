"""WebSocket frames (RFC 6455, section 5): framing the server's, reading the client's."""

from __future__ import annotations

import struct
from collections.abc import Iterator

try:
    from websockets.speedups import apply_mask
except ImportError:  # websockets without its C extension
    from websockets.utils import apply_mask

CONT, TEXT, BINARY, CLOSE, PING, PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA
DATA_OPCODES = (CONT, TEXT, BINARY)

_U16 = struct.Struct("!H")
_U64 = struct.Struct("!Q")
_HEAD16 = struct.Struct("!BBH")
_HEAD64 = struct.Struct("!BBQ")

# Codes a peer may send in a close frame (section 7.4; 1012-1014 as IANA registered them).
_VALID_CLOSE_CODES = frozenset((1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014))


class WebSocketError(Exception):
    """The client broke the protocol: close the connection with `code`."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


def frame(opcode: int, payload: bytes) -> bytes:
    """One unmasked, final frame."""
    size = len(payload)
    if size < 126:
        return bytes((0x80 | opcode, size)) + payload
    if size < 1 << 16:
        return _HEAD16.pack(0x80 | opcode, 126, size) + payload
    return _HEAD64.pack(0x80 | opcode, 127, size) + payload


# Frames up to this size are remembered for the next connection; bigger ones (a large
# document's first sync goes to one connection) are framed each time.
_REMEMBER_MAX = 64 * 1024
_last_payload: bytes | None = None
_last_frame = b""


def binary_frame(payload: bytes) -> bytes:
    """A binary message in one frame. Server frames are not masked, so a fan-out's frame is
    the same for every connection: the last one framed is handed out again for the same
    payload object."""
    global _last_payload, _last_frame
    if payload is _last_payload:
        return _last_frame
    framed = frame(BINARY, payload)
    if len(payload) <= _REMEMBER_MAX:
        _last_payload, _last_frame = payload, framed
    return framed


def close_frame(code: int | None, reason: str = "") -> bytes:
    """A close frame; without a code, an empty one (the answer to a close without a code)."""
    if code is None:
        return frame(CLOSE, b"")
    return frame(CLOSE, _U16.pack(code) + reason.encode()[:123])


def parse_close(payload: bytes) -> tuple[int, str]:
    """The code and reason of a client's close frame (1005 when it gave no code)."""
    if not payload:
        return 1005, ""
    if len(payload) == 1:
        raise WebSocketError(1002, "close frame with a one-byte payload")
    (code,) = _U16.unpack_from(payload)
    if code not in _VALID_CLOSE_CODES and not 3000 <= code < 5000:
        raise WebSocketError(1002, f"invalid close code {code}")
    try:
        return code, payload[2:].decode()
    except UnicodeDecodeError:
        raise WebSocketError(1007, "close reason is not UTF-8") from None


class FrameReader:
    """The client's frames out of bytes as they arrive, each unmasked and checked.

    Bytes that do not yet make a whole frame are kept; nothing is parsed again until enough
    have arrived for the frame under way, so a large message read in many pieces costs one
    copy of each piece, not one per read.
    """

    __slots__ = ("_buffer", "_needed", "max_size")

    def __init__(self, max_size: int) -> None:
        self.max_size = max_size
        self._buffer = bytearray()
        self._needed = 0

    def feed(self, data: bytes) -> Iterator[tuple[int, bool, bytes]]:
        """(opcode, final, payload) for each whole frame; raises WebSocketError."""
        if self._buffer:
            self._buffer += data
            if len(self._buffer) < self._needed:
                return
            data, self._buffer = self._buffer, bytearray()  # type: ignore[assignment]
        end = len(data)
        position = 0
        while True:
            if end - position < 2:
                self._keep(data, position, 2)
                return
            first = data[position]
            second = data[position + 1]
            size = second & 0x7F
            start = position + 2
            if size == 126:
                if end - start < 2:
                    self._keep(data, position, 4)
                    return
                (size,) = _U16.unpack_from(data, start)
                start += 2
            elif size == 127:
                if end - start < 8:
                    self._keep(data, position, 10)
                    return
                (size,) = _U64.unpack_from(data, start)
                start += 8
            opcode = first & 0x0F
            if not second & 0x80:
                raise WebSocketError(1002, "client frames must be masked")
            if first & 0x70:
                raise WebSocketError(1002, "reserved bits set without an extension")
            if opcode >= CLOSE:
                if size > 125 or not first & 0x80:
                    raise WebSocketError(1002, "control frames are short and not fragmented")
            elif size > self.max_size:
                raise WebSocketError(1009, "message too big")
            stop = start + 4 + size
            if end < stop:
                self._keep(data, position, stop - position)
                return
            payload = apply_mask(data[start + 4 : stop], data[start : start + 4])
            position = stop
            yield opcode, bool(first & 0x80), payload

    def _keep(self, data: bytes, position: int, needed: int) -> None:
        """Keep the start of an incomplete frame until `needed` bytes of it have arrived."""
        if position < len(data):
            self._buffer = bytearray(data[position:])
        self._needed = needed
