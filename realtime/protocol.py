"""The y-websocket wire protocol (y-protocols sync, awareness and auth), pure and typed.

Every WebSocket frame is one message: a lib0 varUint message type, then its payload.
- 0 sync: a varUint sub-type (0 step 1, 1 step 2, 2 update) and a varUint8Array payload
  (a state vector for step 1, a Yjs v1 update otherwise);
- 1 awareness: a varUint8Array holding an awareness update (see `AwarenessEntry`);
- 2 auth: a varUint sub-type (0 permission denied) and a var string reason;
- 3 query awareness: no payload.
lib0 strings are a varUint *byte* length then UTF-8 bytes (pycrdt's own encoder counts
characters instead, which breaks any non-ASCII name).

Nothing here imports Django or Channels.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import IntEnum


class ProtocolError(ValueError):
    """A frame that is not a well-formed y-websocket message."""


class MessageType(IntEnum):
    SYNC = 0
    AWARENESS = 1
    AUTH = 2
    QUERY_AWARENESS = 3


class SyncType(IntEnum):
    STEP1 = 0
    STEP2 = 1
    UPDATE = 2


class AuthType(IntEnum):
    PERMISSION_DENIED = 0


# An update with no structs and an empty delete set: what Yjs sends when there is nothing new.
EMPTY_UPDATE = b"\x00\x00"
# The largest integer lib0 writes as a varUint (JavaScript's Number.MAX_SAFE_INTEGER).
MAX_VAR_UINT = 2**53 - 1


def write_var_uint(value: int) -> bytes:
    if value < 0:
        raise ValueError("varUint cannot be negative")
    out = bytearray()
    while value > 0x7F:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    out.append(value)
    return bytes(out)


def write_var_bytes(data: bytes) -> bytes:
    return write_var_uint(len(data)) + data


def write_var_string(text: str) -> bytes:
    return write_var_bytes(text.encode("utf-8"))


class Reader:
    """Reads lib0-encoded values from a buffer; raises ProtocolError past its end."""

    __slots__ = ("data", "pos")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def at_end(self) -> bool:
        return self.pos >= len(self.data)

    def var_uint(self) -> int:
        value = 0
        shift = 0
        data = self.data
        while True:
            if self.pos >= len(data):
                raise ProtocolError("truncated varUint")
            byte = data[self.pos]
            self.pos += 1
            value |= (byte & 0x7F) << shift
            if byte < 0x80:
                break
            shift += 7
            if shift > 56:
                raise ProtocolError("varUint too long")
        if value > MAX_VAR_UINT:
            raise ProtocolError("varUint out of range")
        return value

    def var_bytes(self) -> bytes:
        length = self.var_uint()
        end = self.pos + length
        if end > len(self.data):
            raise ProtocolError("truncated byte array")
        chunk = self.data[self.pos : end]
        self.pos = end
        return bytes(chunk)

    def var_string(self) -> str:
        try:
            return self.var_bytes().decode("utf-8")
        except UnicodeDecodeError as error:
            raise ProtocolError("string is not UTF-8") from error


@dataclass(frozen=True, slots=True)
class SyncStep1:
    state_vector: bytes


@dataclass(frozen=True, slots=True)
class SyncStep2:
    update: bytes


@dataclass(frozen=True, slots=True)
class SyncUpdate:
    update: bytes


@dataclass(frozen=True, slots=True)
class Awareness:
    update: bytes


@dataclass(frozen=True, slots=True)
class AuthDenied:
    reason: str


@dataclass(frozen=True, slots=True)
class QueryAwareness:
    pass


Message = SyncStep1 | SyncStep2 | SyncUpdate | Awareness | AuthDenied | QueryAwareness


def decode_message(frame: bytes) -> Message:
    """Decode one frame. Trailing bytes are tolerated, as y-websocket clients do."""
    reader = Reader(frame)
    kind = reader.var_uint()
    if kind == MessageType.SYNC:
        sub = reader.var_uint()
        payload = reader.var_bytes()
        if sub == SyncType.STEP1:
            return SyncStep1(payload)
        if sub == SyncType.STEP2:
            return SyncStep2(payload)
        if sub == SyncType.UPDATE:
            return SyncUpdate(payload)
        raise ProtocolError(f"unknown sync message type {sub}")
    if kind == MessageType.AWARENESS:
        return Awareness(reader.var_bytes())
    if kind == MessageType.AUTH:
        sub = reader.var_uint()
        if sub != AuthType.PERMISSION_DENIED:
            raise ProtocolError(f"unknown auth message type {sub}")
        return AuthDenied(reader.var_string())
    if kind == MessageType.QUERY_AWARENESS:
        return QueryAwareness()
    raise ProtocolError(f"unknown message type {kind}")


def encode_message(message: Message) -> bytes:
    match message:
        case SyncStep1(state_vector):
            return bytes((MessageType.SYNC, SyncType.STEP1)) + write_var_bytes(state_vector)
        case SyncStep2(update):
            return bytes((MessageType.SYNC, SyncType.STEP2)) + write_var_bytes(update)
        case SyncUpdate(update):
            return bytes((MessageType.SYNC, SyncType.UPDATE)) + write_var_bytes(update)
        case Awareness(update):
            return bytes((MessageType.AWARENESS,)) + write_var_bytes(update)
        case AuthDenied(reason):
            return bytes((MessageType.AUTH, AuthType.PERMISSION_DENIED)) + write_var_string(reason)
        case QueryAwareness():
            return bytes((MessageType.QUERY_AWARENESS,))
    raise TypeError(f"not a message: {message!r}")


def sync_step1(state_vector: bytes) -> bytes:
    return encode_message(SyncStep1(state_vector))


def sync_step2(update: bytes) -> bytes:
    return encode_message(SyncStep2(update))


def sync_update(update: bytes) -> bytes:
    return encode_message(SyncUpdate(update))


@dataclass(frozen=True, slots=True)
class AwarenessEntry:
    """One client's awareness state; `state` is its JSON text, "null" when it left."""

    client_id: int
    clock: int
    state: str

    @property
    def removed(self) -> bool:
        return self.state == "null"


def decode_awareness(update: bytes) -> list[AwarenessEntry]:
    """Decode an awareness update; each state must be valid JSON (an object or null)."""
    reader = Reader(update)
    count = reader.var_uint()
    entries = []
    for _ in range(count):
        client_id = reader.var_uint()
        clock = reader.var_uint()
        state = reader.var_string()
        try:
            value = json.loads(state)
        except ValueError as error:
            raise ProtocolError("awareness state is not JSON") from error
        if value is not None and not isinstance(value, dict):
            raise ProtocolError("awareness state must be an object or null")
        entries.append(AwarenessEntry(client_id, clock, state))
    return entries


def encode_awareness(entries: list[AwarenessEntry]) -> bytes:
    out = [write_var_uint(len(entries))]
    for entry in entries:
        out.append(write_var_uint(entry.client_id))
        out.append(write_var_uint(entry.clock))
        out.append(write_var_string(entry.state))
    return b"".join(out)


def awareness_message(entries: list[AwarenessEntry]) -> bytes:
    return encode_message(Awareness(encode_awareness(entries)))


# An awareness message with no entries: clients accept it and change nothing, so it serves
# as a keep-alive for y-websocket clients, which reconnect after 30 s without a message.
KEEPALIVE = awareness_message([])
