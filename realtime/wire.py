"""Frames written straight to the socket, framed once for every connection they go to.

A fan-out sends the same bytes to every connection of a room. Through ASGI, uvicorn's
websockets protocol frames each of them again in Python, which was most of the cost of an
update on a page with many editors. Server frames are not masked, so the framed bytes are
the same for everyone: they are built once (the last frame is remembered) and written to
each transport directly. Only where that is exactly what uvicorn would write: its sans-I/O
websockets protocol, open, writable, and without extensions (per-message compression frames
each connection differently). Anywhere else (daphne, a paused or closing socket) the
ordinary ASGI send is used.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.protocol import State

# Frames up to this size are remembered for the next connection; bigger ones (a large
# document's first sync goes to one connection) are framed each time.
_REMEMBER_MAX = 64 * 1024
_last_payload: bytes | None = None
_last_frame = b""


def binary_frame(payload: bytes) -> bytes:
    """One unmasked, unfragmented binary WebSocket frame (RFC 6455, section 5.2)."""
    global _last_payload, _last_frame
    if payload is _last_payload:
        return _last_frame
    size = len(payload)
    if size < 126:
        header = bytes((0x82, size))
    elif size < 1 << 16:
        header = struct.pack("!BBH", 0x82, 126, size)
    else:
        header = struct.pack("!BBQ", 0x82, 127, size)
    frame = header + payload
    if size <= _REMEMBER_MAX:
        _last_payload, _last_frame = payload, frame
    return frame


def direct_writer(send: Any) -> Callable[[bytes], bool] | None:
    """For an ASGI `send` of uvicorn's sans-I/O websockets protocol on an accepted socket
    without extensions: a function that writes a binary message to the socket at once and
    returns True, or returns False (writing nothing) when the ordinary send must be used."""
    protocol = getattr(send, "__self__", None)
    if not isinstance(protocol, WebSocketsSansIOProtocol):
        return None
    connection = protocol.conn
    if not protocol.handshake_complete or connection.extensions:
        return None
    transport = protocol.transport
    writable = protocol.writable

    def write(payload: bytes) -> bool:
        if (
            connection.state is not State.OPEN
            or protocol.close_sent
            or protocol.disconnected
            or not writable.is_set()
            or transport.is_closing()
        ):
            return False
        transport.write(binary_frame(payload))
        return True

    return write
