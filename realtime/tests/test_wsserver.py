"""The WebSocket protocol for uvicorn, against the websockets library's client and raw sockets.

Each test starts uvicorn in this process with a small ASGI application that echoes what it
receives and records the events it gets.
"""

from __future__ import annotations

import asyncio
import base64
import os
import socket
import struct

import pytest
import uvicorn
import websockets
from hypothesis import given, settings
from hypothesis import strategies as st
from websockets.frames import Frame, Opcode
from websockets.streams import StreamReader
from websockets.utils import apply_mask

from realtime.wsserver import WebSocketProtocol, binary_frame
from realtime.wsserver.frames import FrameReader, WebSocketError

EVENTS: dict[str, list[dict]] = {}
SCOPES: dict[str, dict] = {}


# /lazy takes no message until this is set.
LAZY = asyncio.Event()


async def app(scope, receive, send):
    """Echo every message; /refuse closes before accepting, /close closes with 4403 at once,
    /slow accepts after 0.3 s, /lazy accepts and then waits for LAZY before reading."""
    if scope["type"] != "websocket":
        return
    path = scope["path"]
    SCOPES[path] = scope
    events = EVENTS.setdefault(path, [])
    events.append(await receive())
    if path == "/refuse":
        await send({"type": "websocket.close", "code": 1008})
        return
    if path == "/slow":
        await asyncio.sleep(0.3)
    subprotocol = scope["subprotocols"][0] if scope["subprotocols"] else None
    await send({"type": "websocket.accept", "subprotocol": subprotocol, "headers": [(b"x-test", b"yes")]})
    if path == "/close":
        await send({"type": "websocket.close", "code": 4403, "reason": "not yours"})
        events.append(await receive())
        return
    if path == "/lazy":
        await LAZY.wait()
    while True:
        event = await receive()
        events.append(event)
        if event["type"] == "websocket.disconnect":
            return
        if event.get("text") == "close please":
            await send({"type": "websocket.close", "code": 4000, "reason": "as asked"})
        else:
            await send({"type": "websocket.send", "bytes": event.get("bytes"), "text": event.get("text")})


async def serve(**options):
    config = uvicorn.Config(app, ws=WebSocketProtocol, lifespan="off", log_level="warning", **options)
    server = uvicorn.Server(config)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:  # noqa: ASYNC110 (uvicorn offers no event to wait on)
        await asyncio.sleep(0.01)
    return server, task, sock.getsockname()[1]


@pytest.fixture
async def server():
    """uvicorn with the protocol; the URL of its /echo path."""
    EVENTS.clear()
    server, task, port = await serve(ws_max_size=1 << 20, ws_ping_interval=20.0, ws_ping_timeout=20.0)
    yield f"ws://127.0.0.1:{port}"
    server.should_exit = True
    await asyncio.wait_for(task, 10)


async def events_of(path, count, timeout=5.0):
    for _ in range(int(timeout / 0.01)):
        if len(EVENTS.get(path, [])) >= count:
            return EVENTS[path]
        await asyncio.sleep(0.01)
    raise AssertionError(f"{path}: {EVENTS.get(path)}")


@pytest.mark.parametrize("size", [0, 1, 125, 126, 127, 65535, 65536, 300_000])
async def test_binary_messages_of_every_length_encoding_come_back_whole(server, size):
    """7-bit, 16-bit and 64-bit lengths, and messages that arrive over many reads."""
    payload = os.urandom(size)
    async with websockets.connect(server + "/echo", max_size=None) as ws:
        await ws.send(payload)
        assert await ws.recv() == payload


async def test_text_fragmented_and_subprotocol(server):
    """Text arrives as text; a fragmented message as one; the first offered subprotocol is
    chosen and the application's headers are in the 101 response."""
    async with websockets.connect(server + "/echo", subprotocols=["y", "z"]) as ws:
        assert ws.subprotocol == "y"
        assert ws.response.headers["x-test"] == "yes"
        await ws.send("héllo ✓")
        assert await ws.recv() == "héllo ✓"
        await ws.send([b"ab", b"cd", b"ef"])
        assert await ws.recv() == b"abcdef"
        await ws.send(["par", "tie"])
        assert await ws.recv() == "partie"
        pong = await ws.ping(b"1234")
        await asyncio.wait_for(pong, 2)
    events = await events_of("/echo", 5)
    assert events[0] == {"type": "websocket.connect"}
    assert events[-1]["type"] == "websocket.disconnect"
    assert events[-1]["code"] == 1000


async def test_scope_says_what_was_asked(server):
    """Path (percent-decoded), raw path, query string and headers, as uvicorn gives them."""
    async with websockets.connect(server + "/echo%20me?ticket=abc", additional_headers={"Cookie": "a=b"}) as ws:
        await ws.send(b"x")
        await ws.recv()
    scope = SCOPES["/echo me"]
    assert scope["raw_path"] == b"/echo%20me"
    assert scope["query_string"] == b"ticket=abc"
    assert (b"cookie", b"a=b") in scope["headers"]
    assert scope["client"][0] == "127.0.0.1"
    assert scope["scheme"] == "ws"


async def test_a_close_from_the_client_reaches_the_application_with_its_code(server):
    async with websockets.connect(server + "/echo") as ws:
        await ws.close(4001, "bye")
        assert ws.close_code == 4001  # the server answered with the same code
    events = await events_of("/echo", 2)
    assert events[-1] == {"type": "websocket.disconnect", "code": 4001, "reason": "bye"}


async def test_a_close_from_the_application_reaches_the_client(server):
    async with websockets.connect(server + "/close") as ws:
        with pytest.raises(websockets.ConnectionClosed):
            await ws.recv()
        assert ws.close_code == 4403
        assert ws.close_reason == "not yours"
    events = await events_of("/close", 2)
    assert events[1] == {"type": "websocket.disconnect", "code": 4403, "reason": "not yours"}


async def test_the_application_closes_on_request_and_the_handshake_completes(server):
    async with websockets.connect(server + "/echo") as ws:
        await ws.send("close please")
        with pytest.raises(websockets.ConnectionClosed):
            await ws.recv()
        assert ws.close_code == 4000


async def test_closing_before_accepting_refuses_the_handshake_with_403(server):
    with pytest.raises(websockets.InvalidStatus) as refused:
        await websockets.connect(server + "/refuse")
    assert refused.value.response.status_code == 403


async def test_a_message_over_the_size_limit_closes_with_1009(server):
    async with websockets.connect(server + "/echo", max_size=None) as ws:
        await ws.send(b"x" * ((1 << 20) + 1))
        with pytest.raises(websockets.ConnectionClosedError):
            await ws.recv()
        assert ws.close_code == 1009


async def test_abrupt_disconnect_tells_the_application_1006(server):
    ws = await websockets.connect(server + "/echo")
    await ws.send(b"x")
    await ws.recv()
    ws.transport.abort()
    events = await events_of("/echo", 3)
    assert events[-1]["type"] == "websocket.disconnect"
    assert events[-1]["code"] == 1006


# Raw sockets, for what a well-behaved client never sends ----------------------------------


async def raw_connect(url, *, version=b"13", key=None, path=b"/echo", then=b""):
    """A handshake by hand; `then` is written right after the request, before the answer."""
    host, port = url.removeprefix("ws://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    key = key if key is not None else base64.b64encode(os.urandom(16))
    writer.write(
        b"GET "
        + path
        + b" HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + (b"Sec-WebSocket-Key: " + key + b"\r\n" if key else b"")
        + b"Sec-WebSocket-Version: "
        + version
        + b"\r\n\r\n"
    )
    if then:
        await writer.drain()
        await asyncio.sleep(0.1)  # the request is read on its own; this comes while it is decided
        writer.write(then)
    head = await reader.readuntil(b"\r\n\r\n")
    return reader, writer, head


def client_frame(opcode, payload, *, fin=True, mask=True, rsv=0):
    first = (0x80 if fin else 0) | rsv | opcode
    size = len(payload)
    length = bytes([size]) if size < 126 else bytes([126]) + struct.pack("!H", size)
    if not mask:
        return bytes([first, length[0]]) + length[1:] + payload
    key = os.urandom(4)
    return bytes([first, 0x80 | length[0]]) + length[1:] + key + apply_mask(payload, key)


async def read_frame(reader):
    """One unmasked frame from the server, as websockets parses it."""
    head = await reader.readexactly(2)
    size = head[1] & 0x7F
    extended = await reader.readexactly({126: 2, 127: 8}.get(size, 0))
    size = int.from_bytes(extended) if extended else size
    return parse(head + extended + await reader.readexactly(size))


async def read_to_end(reader):
    try:
        return await asyncio.wait_for(reader.read(), 5)
    except ConnectionResetError:
        return b""


async def close_code_of(reader):
    frame = await asyncio.wait_for(read_frame(reader), 5)
    assert frame.opcode is Opcode.CLOSE
    return struct.unpack("!H", frame.data[:2])[0]


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        (client_frame(0x2, b"x", mask=False), 1002),
        (client_frame(0x2, b"x", rsv=0x40), 1002),
        (client_frame(0x1, b"\xff\xfe"), 1007),
        (client_frame(0x0, b"x"), 1002),
        (client_frame(0x9, b"x", fin=False), 1002),
        (client_frame(0x3, b"x"), 1002),
        (client_frame(0x8, b"\x03\xed"), 1002),  # 1005 may not be sent
    ],
    ids=["unmasked", "reserved-bit", "bad-utf8", "lone-continuation", "fragmented-ping", "unknown-opcode", "bad-code"],
)
async def test_protocol_violations_close_with_their_code(server, frame, code):
    reader, writer, head = await raw_connect(server)
    assert head.startswith(b"HTTP/1.1 101")
    writer.write(frame)
    assert await close_code_of(reader) == code
    assert await read_to_end(reader) == b""  # and the server hangs up
    writer.close()


async def test_frames_split_across_reads_and_joined_in_one(server):
    """Bytes arrive in arbitrary pieces: one byte at a time, and three frames in one write."""
    reader, writer, _ = await raw_connect(server)
    data = client_frame(0x2, b"a" * 300)
    for byte in data:
        writer.write(bytes([byte]))
        await writer.drain()
    assert (await read_frame(reader)).data == b"a" * 300
    writer.write(client_frame(0x2, b"1") + client_frame(0x9, b"p") + client_frame(0x2, b"2"))
    frames = [await read_frame(reader) for _ in range(3)]
    # The pong goes out at once; the echoes when the application has run.
    assert [(f.opcode, bytes(f.data)) for f in frames if f.opcode is Opcode.BINARY] == [
        (Opcode.BINARY, b"1"),
        (Opcode.BINARY, b"2"),
    ]
    assert [bytes(f.data) for f in frames if f.opcode is Opcode.PONG] == [b"p"]
    writer.close()


@pytest.mark.parametrize(
    ("version", "key", "status"),
    [(b"8", None, b"426"), (b"13", b"", b"400"), (b"13", b"c2hvcnQ=", b"400")],
    ids=["old-version", "no-key", "short-key"],
)
async def test_bad_handshakes_get_an_http_error(server, version, key, status):
    _, writer, head = await raw_connect(server, version=version, key=key)
    assert head.split(b" ")[1] == status
    writer.close()


async def test_frames_sent_before_the_answer_are_read_once_accepted(server):
    """A client that does not wait for the 101 (the application is still deciding) loses
    nothing: its frames are kept and read once the handshake completes."""
    early = client_frame(0x2, b"early") + client_frame(0x2, b"bird")
    reader, writer, head = await raw_connect(server, path=b"/slow", then=early)
    assert head.startswith(b"HTTP/1.1 101")
    assert [bytes((await read_frame(reader)).data) for _ in range(2)] == [b"early", b"bird"]
    writer.close()


async def test_reading_pauses_while_the_application_falls_behind(server, monkeypatch):
    """What the application has not taken yet stays near READ_HIGH_WATER (1 MB of 16 sent):
    reading pauses, TCP pushes back on the client, and it resumes once the application reads.
    Everything arrives, in order."""
    from realtime.wsserver import server as server_module

    protocols = []
    original = WebSocketProtocol.connection_made

    def remember(self, transport):
        protocols.append(self)
        original(self, transport)

    monkeypatch.setattr(WebSocketProtocol, "connection_made", remember)
    LAZY.clear()
    chunk = 64 * 1024
    async with websockets.connect(server + "/lazy", max_size=None, write_limit=chunk) as ws:
        [protocol] = protocols
        sending = asyncio.ensure_future(asyncio.gather(*(ws.send(bytes([n]) * chunk) for n in range(256))))
        most = 0
        for _ in range(100):
            await asyncio.sleep(0.01)
            most = max(most, protocol._queued)
        assert not sending.done(), "16 MB went through while nothing was read"
        assert protocol._read_paused
        # Reading stops with the read that crossed the mark; what that read brought is taken.
        assert most <= server_module.READ_HIGH_WATER + 512 * 1024
        LAZY.set()
        await asyncio.wait_for(sending, 10)
        echoes = [await asyncio.wait_for(ws.recv(), 10) for _ in range(256)]
    assert [echo[0] for echo in echoes] == list(range(256))
    assert all(len(echo) == chunk for echo in echoes)


async def test_a_stopping_server_closes_open_sockets_as_a_restart():
    """uvicorn's shutdown closes every open WebSocket with 1012, so clients reconnect."""
    EVENTS.clear()
    server, task, port = await serve()
    ws = await websockets.connect(f"ws://127.0.0.1:{port}/echo")
    server.should_exit = True
    with pytest.raises(websockets.ConnectionClosed):
        await asyncio.wait_for(ws.recv(), 10)
    assert ws.close_code == 1012
    await asyncio.wait_for(task, 10)
    assert EVENTS["/echo"][-1]["code"] == 1012


async def test_a_client_that_never_answers_pings_is_dropped():
    """Keep-alive: a ping every interval; no pong within the timeout closes with 1011, and
    the application hears of it. A client that answers stays."""
    EVENTS.clear()
    server, task, port = await serve(ws_ping_interval=0.2, ws_ping_timeout=0.2)
    try:
        url = f"ws://127.0.0.1:{port}"
        async with websockets.connect(url + "/answers") as alive:
            reader, writer, _ = await raw_connect(url)
            ping = await asyncio.wait_for(read_frame(reader), 2)
            assert ping.opcode is Opcode.PING
            assert await close_code_of(reader) == 1011
            assert await read_to_end(reader) == b""
            events = await events_of("/echo", 2)
            assert events[-1]["code"] == 1011
            await asyncio.sleep(0.6)
            await alive.send(b"still here")
            assert await alive.recv() == b"still here"
        writer.close()
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)


async def test_direct_writes_go_out_framed_until_the_socket_pushes_back(server):
    """write_binary() frames and writes at once while the socket is open and writable; it
    refuses (writes nothing) once the transport has paused writing or after a close."""
    protocols = []
    original = WebSocketProtocol.connection_made

    def remember(self, transport):
        protocols.append(self)
        original(self, transport)

    WebSocketProtocol.connection_made = remember
    try:
        reader, writer, _ = await raw_connect(server)
    finally:
        WebSocketProtocol.connection_made = original
    [protocol] = protocols
    assert protocol.write_binary(b"\x00\x02direct")
    assert (await read_frame(reader)).data == b"\x00\x02direct"
    protocol.pause_writing()
    assert not protocol.write_binary(b"later")
    protocol.resume_writing()
    writer.write(client_frame(0x8, struct.pack("!H", 1000)))
    assert await close_code_of(reader) == 1000
    assert not protocol.write_binary(b"too late")
    writer.close()


def parse(data: bytes) -> Frame:
    reader = StreamReader()
    reader.feed_data(data)
    parser = Frame.parse(reader.read_exact, mask=False)
    try:
        next(parser)
    except StopIteration as done:
        assert not reader.buffer, "bytes left over after the frame"
        return done.value
    raise AssertionError("incomplete frame")


@pytest.mark.parametrize("size", [0, 1, 125, 126, 127, 65535, 65536, 70000, 1 << 20])
def test_binary_frame_is_one_whole_binary_message(size):
    payload = bytes(range(256)) * (size // 256) + bytes(size % 256)
    frame = parse(binary_frame(payload))
    assert frame.opcode is Opcode.BINARY
    assert frame.fin
    assert frame.data == payload


def test_the_same_payload_is_framed_once_and_an_equal_one_anew():
    payload = b"\x00\x02" + b"x" * 40
    first = binary_frame(payload)
    assert binary_frame(payload) is first
    other = bytes(bytearray(payload))
    assert binary_frame(other) == first
    assert parse(binary_frame(b"different")).data == b"different"


@settings(max_examples=200, deadline=None)
@given(
    payloads=st.lists(st.binary(max_size=70_000), min_size=1, max_size=5),
    cuts=st.lists(st.integers(min_value=0, max_value=200_000), max_size=8),
)
def test_frame_reader_gives_the_same_frames_however_the_bytes_are_cut(payloads, cuts):
    """Whatever pieces the bytes arrive in, the reader yields each frame once, whole."""
    stream = b"".join(client_frame(0x2, payload) for payload in payloads)
    reader = FrameReader(max_size=1 << 20)
    got = []
    start = 0
    for cut in [*sorted(cut % (len(stream) + 1) for cut in cuts), len(stream)]:
        got.extend(reader.feed(stream[start:cut]))
        start = max(start, cut)
    assert got == [(0x2, True, payload) for payload in payloads]


def test_frame_reader_refuses_a_frame_over_the_limit_from_its_header():
    """The size is checked when the header arrives, before the payload is buffered."""
    reader = FrameReader(max_size=1000)
    header = bytes([0x82, 0xFE]) + struct.pack("!H", 1001)
    with pytest.raises(WebSocketError) as refused:
        list(reader.feed(header))
    assert refused.value.code == 1009


async def test_the_http_protocol_is_freed_without_a_garbage_collection(server, monkeypatch):
    """uvicorn's HTTP protocol, which hands the socket over at the upgrade, is freed by
    reference counting: a burst of connections leaves no cycles for the collector."""
    import gc
    import weakref

    handed_over = []
    original = WebSocketProtocol.connection_made

    def remember(self, transport):
        handed_over.append(weakref.ref(transport.get_protocol()))
        original(self, transport)

    monkeypatch.setattr(WebSocketProtocol, "connection_made", remember)
    gc.collect()
    gc.disable()
    try:
        async with websockets.connect(server + "/echo") as ws:
            await ws.send(b"x")
            assert await ws.recv() == b"x"
            [http] = handed_over
            assert http() is None
    finally:
        gc.enable()
