"""The y-websocket wire protocol (y-protocols + lib0 encoding), and Hocuspocus' framing of it.

Pure and self-contained so the load generator does not depend on the server's code.
Strings are lib0 var strings: a varUint UTF-8 *byte* length, then the bytes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

MSG_SYNC = 0
MSG_AWARENESS = 1
MSG_AUTH = 2
MSG_QUERY_AWARENESS = 3
# Hocuspocus only
MSG_SYNC_REPLY = 4
MSG_STATELESS = 5
MSG_CLOSE = 7
MSG_SYNC_STATUS = 8

SYNC_STEP1 = 0
SYNC_STEP2 = 1
SYNC_UPDATE = 2

# Hocuspocus' auth sub-types (@hocuspocus/common auth.ts)
HP_AUTH_TOKEN = 0
HP_AUTH_PERMISSION_DENIED = 1
HP_AUTH_AUTHENTICATED = 2


def var_uint(num: int) -> bytes:
    out = bytearray()
    while num > 0x7F:
        out.append(0x80 | (num & 0x7F))
        num >>= 7
    out.append(num)
    return bytes(out)


def var_bytes(data: bytes) -> bytes:
    return var_uint(len(data)) + data


def var_string(text: str) -> bytes:
    return var_bytes(text.encode())


class Decoder:
    """Reads lib0-encoded values from a buffer; raises ValueError on truncated input."""

    __slots__ = ("buf", "pos")

    def __init__(self, buf: bytes, pos: int = 0) -> None:
        self.buf = buf
        self.pos = pos

    def var_uint(self) -> int:
        num = 0
        shift = 0
        buf = self.buf
        while True:
            if self.pos >= len(buf):
                raise ValueError("truncated varUint")
            byte = buf[self.pos]
            self.pos += 1
            num |= (byte & 0x7F) << shift
            if byte < 0x80:
                return num
            shift += 7
            if shift > 63:
                raise ValueError("varUint too long")

    def var_bytes(self) -> bytes:
        size = self.var_uint()
        end = self.pos + size
        if end > len(self.buf):
            raise ValueError("truncated var bytes")
        data = self.buf[self.pos : end]
        self.pos = end
        return bytes(data)

    def var_string(self) -> str:
        return self.var_bytes().decode()

    def rest(self) -> bytes:
        return bytes(self.buf[self.pos :])

    def done(self) -> bool:
        return self.pos >= len(self.buf)


# --- y-websocket messages (without any framing prefix) ---------------------------------------


def sync_step1(state_vector: bytes) -> bytes:
    return bytes((MSG_SYNC, SYNC_STEP1)) + var_bytes(state_vector)


def sync_step2(update: bytes) -> bytes:
    return bytes((MSG_SYNC, SYNC_STEP2)) + var_bytes(update)


def sync_update(update: bytes) -> bytes:
    return bytes((MSG_SYNC, SYNC_UPDATE)) + var_bytes(update)


def awareness_message(update: bytes) -> bytes:
    return bytes((MSG_AWARENESS,)) + var_bytes(update)


def query_awareness() -> bytes:
    return bytes((MSG_QUERY_AWARENESS,))


@dataclass(frozen=True, slots=True)
class AwarenessEntry:
    client_id: int
    clock: int
    state: object  # decoded JSON; None means "removed"


def encode_awareness(entries: list[tuple[int, int, object]]) -> bytes:
    """An awareness update: count, then (clientID, clock, JSON state) per client."""
    out = bytearray(var_uint(len(entries)))
    for client_id, clock, state in entries:
        state_json = json.dumps(state, separators=(",", ":"), ensure_ascii=False)  # as JSON.stringify writes it
        out += var_uint(client_id) + var_uint(clock) + var_string(state_json)
    return bytes(out)


def decode_awareness(update: bytes) -> list[AwarenessEntry]:
    dec = Decoder(update)
    return [AwarenessEntry(dec.var_uint(), dec.var_uint(), json.loads(dec.var_string())) for _ in range(dec.var_uint())]


def decode_state_vector(sv: bytes) -> dict[int, int]:
    dec = Decoder(sv)
    return {dec.var_uint(): dec.var_uint() for _ in range(dec.var_uint())}


# --- framing -------------------------------------------------------------------------------


class Dialect:
    """How y-protocols messages are framed on one WebSocket.

    `frame` wraps a y-websocket message for sending; `unframe` gives back the y-websocket
    message (or None for frames the y-websocket protocol has no equivalent of).
    """

    name = "y-websocket"

    def __init__(self, document: str) -> None:
        self.document = document

    def hello(self, token: str) -> list[bytes]:
        """Frames to send right after the socket opens, before sync step 1."""
        return []

    def frame(self, message: bytes) -> bytes:
        return message

    def unframe(self, frame: bytes) -> bytes | None:
        return frame


class HocuspocusDialect(Dialect):
    """Hocuspocus: every frame starts with the document name (a var string), and the
    client must send an auth token message (type 2, sub-type 0) before anything else
    is processed; the server answers with Authenticated (2, 2, scope) or
    PermissionDenied (2, 1, reason). It also sends SyncStatus (8) acks per update,
    which carry no y-websocket meaning."""

    name = "hocuspocus"

    def __init__(self, document: str) -> None:
        super().__init__(document)
        self._prefix = var_string(document)

    def hello(self, token: str) -> list[bytes]:
        return [self._prefix + bytes((MSG_AUTH, HP_AUTH_TOKEN)) + var_string(token)]

    def frame(self, message: bytes) -> bytes:
        return self._prefix + message

    def unframe(self, frame: bytes) -> bytes | None:
        dec = Decoder(frame)
        name = dec.var_string()
        if name != self.document:
            return None
        msg = frame[dec.pos :]
        if msg and msg[0] == MSG_SYNC_REPLY:  # same payload as sync
            return bytes((MSG_SYNC,)) + msg[1:]
        return msg


DIALECTS: dict[str, type[Dialect]] = {"y-websocket": Dialect, "hocuspocus": HocuspocusDialect}
