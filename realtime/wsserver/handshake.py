"""The opening handshake (RFC 6455, section 4.2): the client's upgrade request, our answers."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from http import HTTPStatus
from urllib.parse import unquote

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

Headers = list[tuple[bytes, bytes]]


class HandshakeError(Exception):
    """The request is no WebSocket upgrade we take: answer `status` and hang up."""

    def __init__(self, status: int, reason: str, headers: Headers | None = None) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.headers = headers or []


@dataclass(slots=True)
class Request:
    key: bytes
    raw_path: bytes
    path: str
    query_string: bytes
    headers: Headers
    subprotocols: list[str]


def parse_request(head: bytes) -> Request:
    """The request line and header lines, up to the blank line (which `head` leaves out).

    uvicorn's HTTP parser has read the request already and decided it is an upgrade to
    WebSocket; what is checked here is what that parser does not know about.
    """
    lines = head.split(b"\r\n")
    request_line = lines[0].split(b" ")
    if len(request_line) != 3 or request_line[0] != b"GET":
        raise HandshakeError(400, "a WebSocket handshake is a GET request")
    headers: Headers = []
    key = version = None
    subprotocols: list[str] = []
    for line in lines[1:]:
        name, colon, value = line.partition(b":")
        if not colon:
            raise HandshakeError(400, "malformed header line")
        name = name.strip().lower()
        value = value.strip()
        headers.append((name, value))
        if name == b"sec-websocket-key":
            if key is not None:
                raise HandshakeError(400, "more than one Sec-WebSocket-Key")
            key = value
        elif name == b"sec-websocket-version":
            version = value
        elif name == b"sec-websocket-protocol":
            subprotocols.extend(token.strip() for token in value.decode("latin-1").split(",") if token.strip())
    if version != b"13":
        raise HandshakeError(426, "only WebSocket version 13 is supported", [(b"sec-websocket-version", b"13")])
    try:
        valid_key = key is not None and len(base64.b64decode(key, validate=True)) == 16
    except ValueError:
        valid_key = False
    if not valid_key:
        raise HandshakeError(400, "missing or malformed Sec-WebSocket-Key")
    raw_path, _, query_string = request_line[1].partition(b"?")
    path = raw_path.decode("latin-1")
    if "%" in path:
        path = unquote(path)
    return Request(key, raw_path, path, query_string, headers, subprotocols)  # type: ignore[arg-type]


def accept_key(key: bytes) -> bytes:
    """Sec-WebSocket-Accept for a client's Sec-WebSocket-Key."""
    return base64.b64encode(hashlib.sha1(key + GUID).digest())


def switching_protocols(key: bytes, subprotocol: str | None, headers: Headers) -> bytes:
    """The 101 response that completes the handshake."""
    parts = [
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ",
        accept_key(key),
        b"\r\n",
    ]
    if subprotocol:
        parts += [b"Sec-WebSocket-Protocol: ", subprotocol.encode("latin-1"), b"\r\n"]
    for name, value in headers:
        parts += [name, b": ", value, b"\r\n"]
    parts.append(b"\r\n")
    return b"".join(parts)


def http_response(status: int, body: str, headers: Headers) -> bytes:
    """A plain-text HTTP response instead of the upgrade; the connection closes after it."""
    content = body.encode()
    parts = [f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\n".encode()]
    for name, value in [
        *headers,
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(content)).encode()),
        (b"connection", b"close"),
    ]:
        parts += [name, b": ", value, b"\r\n"]
    parts += [b"\r\n", content]
    return b"".join(parts)
