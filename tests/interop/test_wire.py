"""Frames written straight to the sockets (realtime/wsserver), on a live server process."""

import asyncio
import urllib.request

import pytest
import websockets
from asgiref.sync import sync_to_async
from pycrdt import Decoder, Doc, Text, get_state

from documents.services.pages import page_create
from realtime.protocol import SyncStep2, SyncUpdate, decode_message
from tests.support.live import SocketClient, session_cookie

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]

CHUNKS = 1500
CHUNK = 8 * 1024
# Written before the reader reads anything: well past what the socket buffers hold (the
# sender's grows to 4 MB on Linux by default, the receiver's stays small while unread).
UNREAD = 1000


def metric(server, name: str) -> float:
    text = urllib.request.urlopen(f"{server.http_url}/metrics", timeout=5).read().decode()
    return next(float(line.split()[1]) for line in text.splitlines() if line.startswith(name + " "))


def clock_of(update: bytes, client_id: int) -> int:
    """The writer's clock after this update (from the update's own state vector)."""
    decoder = Decoder(get_state(update))
    for _ in range(decoder.read_var_uint()):
        client, clock = decoder.read_var_uint(), decoder.read_var_uint()
        if client == client_id:
            return clock
    return -1


async def test_a_reader_that_falls_behind_gets_every_frame_in_order(live_servers, user):
    """A client that stops reading makes the server's socket pause: its frames then queue and
    go through ASGI instead of straight to the socket. When it reads again it gets every
    update of the writer, each exactly once and in the order they were stored."""
    [server] = await sync_to_async(live_servers)(
        1, REALTIME_MESSAGES_PER_SECOND="100000", REALTIME_MESSAGE_BURST="100000"
    )
    page = await sync_to_async(page_create)(owner=user, title="Backlog")
    cookie = await sync_to_async(session_cookie)(user)
    url = f"{server.ws_url}/ws/pages/{page.id}"
    writer = SocketClient(url, cookie, "writer")
    await writer.connect()
    await writer.wait_synced()
    # A reader that reads nothing for now: websockets stops reading the socket once 16
    # messages wait, and the server's writes back up.
    reader = await websockets.connect(url, additional_headers={"Cookie": cookie}, max_size=None, max_queue=16)
    assert reader.protocol.extensions == []  # no compression by default
    asgi_before = metric(server, "collab_frames_asgi_total")
    for n in range(UNREAD):
        await writer.edit(f"{n:06d}".ljust(CHUNK, "."))
    await writer.wait_for(lambda: len(writer.content()) == UNREAD * CHUNK, timeout=60)
    doc, clocks = Doc(), []
    writer_id = writer.doc.client_id

    async def read_all() -> None:
        # The text's length, not the text: building a string of up to 12 MB after every frame
        # made this loop quadratic, minutes on a busy machine.
        while len(doc.get("t", type=Text)) < CHUNKS * CHUNK:  # UTF-8 bytes; the text is ASCII
            message = decode_message(await asyncio.wait_for(reader.recv(), 60))
            if isinstance(message, SyncStep2 | SyncUpdate):
                clock = clock_of(message.update, writer_id)
                if clock >= 0:
                    clocks.append(clock)
                doc.apply_update(message.update)

    # The reader catches up while the second half is still being written.
    reading = asyncio.ensure_future(read_all())
    for n in range(UNREAD, CHUNKS):
        await writer.edit(f"{n:06d}".ljust(CHUNK, "."))
        if n % 50 == 0:
            await asyncio.sleep(0.01)
    await reading
    await reader.close()
    await writer.close()
    assert clocks == sorted(clocks), "frames arrived out of order"
    assert len(clocks) == len(set(clocks)), "a frame arrived twice"
    assert str(doc.get("t", type=Text)) == writer.content()
    assert metric(server, "collab_frames_asgi_total") > asgi_before  # the socket did pause
    assert metric(server, "collab_frames_direct_total") > 0


async def test_compression_is_negotiated_when_turned_on(live_servers, user):
    """WS_COMPRESSION=1 lets clients negotiate permessage-deflate; such sockets get every
    frame through ASGI, and editing works the same."""
    [server] = await sync_to_async(live_servers)(1, WS_COMPRESSION="1")
    page = await sync_to_async(page_create)(owner=user, title="Compressed")
    cookie = await sync_to_async(session_cookie)(user)
    url = f"{server.ws_url}/ws/pages/{page.id}"
    clients = [SocketClient(url, cookie, f"c{n}") for n in range(3)]
    for client in clients:
        await client.connect()
        await client.wait_synced()
        assert [e.name for e in client.ws.protocol.extensions] == ["permessage-deflate"]
    for n, client in enumerate(clients):
        await client.edit(f"[{n}]")
    for client in clients:
        await client.wait_for(lambda c=client: len(c.content()) == 9)
    assert len({client.content() for client in clients}) == 1
    assert metric(server, "collab_frames_direct_total") == 0
    for client in clients:
        await client.close()
