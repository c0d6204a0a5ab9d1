"""The WebSocket layer alone, ours against uvicorn's: `python -m bench.wslayer`.

Runs in this process, on uvloop, with uvicorn's HTTP protocol (httptools) in front of each
WebSocket protocol as in the server, a transport that keeps what is written, and a trivial
ASGI application, so that only the layer's own work is counted:

- connect: CPU per connection from the upgrade request's bytes to the 101 response
  (uvicorn's HTTP parsing, the WebSocket protocol's handshake, the task of the application);
- message: CPU per binary message of 60 bytes received (masked, as from a client), handed to
  the application and echoed back through the ASGI send.

Garbage collections that a round's own garbage triggers count in that round.

Prints one JSON line per protocol and round (`--rounds`, alternating).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import gc
import json
import logging
import os
import time
from typing import Any

import uvloop
from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState
from websockets.utils import apply_mask

from realtime.wsserver import WebSocketProtocol

PROTOCOLS: dict[str, Any] = {"ours": WebSocketProtocol, "websockets-sansio": "websockets-sansio"}


class Transport(asyncio.Transport):
    """Keeps what is written; reading and writing never pause."""

    def __init__(self) -> None:
        super().__init__()
        self.written: list[bytes] = []
        self.protocol: asyncio.BaseProtocol | None = None
        self.closing = False

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 50000), "sockname": ("127.0.0.1", 8000)}.get(name, default)

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.written.append(bytes(data))

    def is_closing(self) -> bool:
        return self.closing

    def close(self) -> None:
        self.closing = True

    def get_protocol(self) -> asyncio.BaseProtocol:
        return self.protocol  # type: ignore[return-value]

    def set_protocol(self, protocol: asyncio.BaseProtocol) -> None:
        self.protocol = protocol

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


async def echo(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "websocket":
        return
    await receive()
    await send({"type": "websocket.accept"})
    while True:
        event = await receive()
        if event["type"] != "websocket.receive":
            return
        await send({"type": "websocket.send", "bytes": event["bytes"]})


def request() -> bytes:
    return (
        b"GET /ws/pages/0b7e5a4e-9c1a-4c1b-8a4e-1a2b3c4d5e6f HTTP/1.1\r\nHost: 127.0.0.1:8000\r\n"
        b"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
        + base64.b64encode(os.urandom(16))
        + b"\r\nSec-WebSocket-Version: 13\r\nOrigin: http://127.0.0.1:8000\r\n"
        b"Cookie: sessionid=abcdefghijklmnopqrstuvwxyz123456\r\n\r\n"
    )


def masked_binary(payload: bytes) -> bytes:
    mask = os.urandom(4)
    return bytes((0x82, 0x80 | len(payload))) + mask + apply_mask(payload, mask)


def connect(config: Config, state: ServerState) -> Transport:
    transport = Transport()
    http = HttpToolsProtocol(config=config, server_state=state, app_state={})
    transport.protocol = http
    http.connection_made(transport)
    http.data_received(request())
    return transport


async def measure(name: str, connections: int, messages: int) -> dict[str, Any]:
    config = Config(
        echo, ws=PROTOCOLS[name], http="httptools", lifespan="off", access_log=False, ws_per_message_deflate=False
    )
    config.load()
    state = ServerState()
    gc.collect()  # what an earlier round left is not this one's to collect
    started = time.process_time()
    transports = [connect(config, state) for _ in range(connections)]
    for _ in range(3):
        await asyncio.sleep(0)
    connect_us = (time.process_time() - started) / connections * 1e6
    accepted = sum(1 for t in transports if t.written and t.written[0].startswith(b"HTTP/1.1 101"))
    protocol = transports[0].protocol
    frames = [masked_binary(os.urandom(60)) for _ in range(100)]
    echoed_before = len(transports[0].written)
    started = time.process_time()
    for n in range(messages):
        protocol.data_received(frames[n % 100])  # type: ignore[union-attr]
        await asyncio.sleep(0)
    message_us = (time.process_time() - started) / messages * 1e6
    echoed = len(transports[0].written) - echoed_before
    for transport in transports:
        transport.protocol.connection_lost(None)  # type: ignore[union-attr]
    for _ in range(3):
        await asyncio.sleep(0)
    return {
        "scenario": "wslayer",
        "protocol": name,
        "connections": connections,
        "accepted": accepted,
        "connect_us_per_connection": round(connect_us, 1),
        "messages": messages,
        "echoed": echoed,
        "message_us_per_message": round(message_us, 2),
    }


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.wslayer", description=__doc__.split("\n")[0])
    ap.add_argument("--connections", type=int, default=3000)
    ap.add_argument("--messages", type=int, default=20000)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    logging.disable(logging.CRITICAL)  # uvicorn's line per accepted socket is not what is measured
    for _ in range(args.rounds):
        for name in PROTOCOLS:
            print(json.dumps(uvloop.run(measure(name, args.connections, args.messages))), flush=True)


if __name__ == "__main__":
    main()
