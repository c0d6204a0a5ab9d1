"""Fuzzing a live room: thousands of random and mutated messages from a hostile client.

The server must never crash, never let invalid input change the document, and the other
client must keep editing throughout. Deterministic (seeded), so a failure reproduces.
"""

import asyncio
import json
import random
from pathlib import Path

import pytest
from pycrdt import Doc, Text

from realtime.protocol import ProtocolError, SyncUpdate, decode_message
from realtime.tests.conftest import settle

pytestmark = pytest.mark.django_db(transaction=True)

FRAMES = 2000
VECTORS = [
    bytes.fromhex(v["hex"])
    for v in json.loads((Path(__file__).parent / "data/y-websocket.json").read_text())["vectors"]
]


def seeds() -> list[bytes]:
    """Well-formed frames to mutate: the reference vectors plus updates of a real document."""
    doc = Doc()
    updates: list[bytes] = []
    doc.observe(lambda event: updates.append(event.update))
    text = doc.get("t", type=Text)
    for word in ["héllo", " wörld", " 🚀", " more text"]:
        text.insert(len(text), word)
    del text[0:3]
    from realtime.protocol import sync_step2, sync_update

    return VECTORS + [sync_update(u) for u in updates] + [sync_step2(doc.get_update())]


def mutate(rng: random.Random, frame: bytes) -> bytes:
    data = bytearray(frame)
    for _ in range(rng.randint(1, 4)):
        choice = rng.random()
        if choice < 0.3 and data:
            data[rng.randrange(len(data))] = rng.randrange(256)
        elif choice < 0.5 and data:
            del data[rng.randrange(len(data)) :]
        elif choice < 0.7:
            data.insert(rng.randrange(len(data) + 1), rng.randrange(256))
        elif choice < 0.85 and len(data) > 2:
            start = rng.randrange(len(data) - 1)
            data[start : start + 2] = data[start : start + 2][::-1]
        else:
            data += bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
    return bytes(data)


def random_frame(rng: random.Random) -> bytes:
    kind = rng.random()
    if kind < 0.2:
        return bytes(rng.randrange(256) for _ in range(rng.randint(0, 40)))
    if kind < 0.4:  # well-framed sync message, random payload
        payload = bytes(rng.randrange(256) for _ in range(rng.randint(0, 40)))
        return bytes([0, rng.choice([0, 1, 2])]) + bytes([len(payload)]) + payload
    if kind < 0.5:  # awareness with random entries
        return bytes([1, 6, 1, rng.randrange(256), rng.randrange(256), 2]) + b"{}"
    return b""


def is_valid_update(frame: bytes) -> bool:
    """Whether pycrdt would take this frame as an update (then it may change the document)."""
    try:
        message = decode_message(frame)
    except ProtocolError:
        return False
    if not isinstance(message, SyncUpdate) and type(message).__name__ != "SyncStep2":
        return False
    try:
        Doc().apply_update(message.update)
    except BaseException:
        return False
    return True


async def processed(client, timeout: float = 5.0) -> None:
    """Wait until the server has handled everything the client sent: it answers a query
    for awareness after the messages before it (a connection's messages go in order)."""
    if client.close_code is not None:
        return
    await client.communicator.send_to(bytes_data=b"\x03")
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        try:
            async with asyncio.timeout(deadline - loop.time()):
                message = await client.communicator.output_queue.get()
        except TimeoutError:
            break
        if message["type"] == "websocket.close":
            client.close_code = message.get("code")
            return
        frame = message.get("bytes")
        if frame and frame[0] == 1:  # the awareness answer
            return
    raise AssertionError("the server did not answer")


async def test_hostile_client_cannot_hurt_the_room(hub, connect, page, user, settings):
    """Thousands of random and mutated frames: every invalid one closes only the hostile
    connection with 4400 and leaves the document as it was; the honest client's edits all
    get through and are stored. (Well-formed but out-of-order garbage may be dropped by
    Yrs; whatever happens to it, it must not cost the honest client anything.)"""
    settings.REALTIME = {**settings.REALTIME, "MESSAGES_PER_SECOND": 1e6, "MESSAGE_BURST": 1e6}
    hub.settings["MAX_CONNECTIONS_PER_USER"] = 10_000
    rng = random.Random(20261129)
    corpus = seeds()
    honest = await connect(page, user, name="honest")
    # The room always has a presence state, so a query-awareness always gets an answer: the
    # hostile client's barrier below.
    honest.set_awareness(1, 1, '{"user":{"name":"Honest"}}')
    await settle(honest)
    hostile = await connect(page, user, name="hostile")
    room = hub.rooms[page.id]
    closes = 0
    for i in range(FRAMES):
        frame = random_frame(rng) or mutate(rng, rng.choice(corpus)) or b"\x00"
        before = room.doc.get_state(), room.doc.get_update()
        await hostile.communicator.send_to(bytes_data=frame)
        try:
            await processed(hostile)
        except AssertionError as error:
            raise AssertionError(f"no answer after frame {i}: {frame.hex()}") from error
        if hostile.close_code is not None:
            assert hostile.close_code in (4400, 4413), (i, frame.hex(), hostile.close_code)
            assert (room.doc.get_state(), room.doc.get_update()) == before, f"frame {i} changed the document"
            closes += 1
            await hostile.communicator.disconnect()  # the client's side of the close handshake
            hostile = await connect(page, user, name="hostile", sync=False)
            await hostile.pump(0.01)
        elif not is_valid_update(frame):
            assert room.doc.get_state() == before[0], f"invalid frame {i} changed the document"
        if i % 100 == 0:
            # Renew the presence state, as clients do every 15 s (the server expires old ones).
            honest.set_awareness(1, 2 + i, '{"user":{"name":"Honest"}}')
            honest.append(f"[{i}]")
            await settle(honest, rounds=1, timeout=0.02)
    await settle(honest)
    assert closes > 100  # the fuzzer did exercise the refusals
    tokens = [f"[{i}]" for i in range(0, FRAMES, 100)]
    assert all(token in honest.content() for token in tokens)
    late = await connect(page, user, name="late")
    assert all(token in late.content() for token in tokens)
    assert page.id in hub.rooms
    assert not hub.rooms[page.id].failed
