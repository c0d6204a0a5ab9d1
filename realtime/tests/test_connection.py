"""Connection: frames go out in order, at once when the socket takes them, queued when it waits."""

import asyncio

import pytest

from realtime import connection as connection_module
from realtime.connection import Connection, Identity


class Socket:
    """An ASGI send that completes at once while `writable` is set and waits while it is not,
    as uvicorn's does when the transport is paused."""

    def __init__(self) -> None:
        self.writable = asyncio.Event()
        self.writable.set()
        self.sent: list[bytes] = []
        self.closed_with: list[int] = []
        self.fail = False
        self.waiting_cancelled = False

    async def send(self, frame: bytes) -> None:
        try:
            await self.writable.wait()
        except asyncio.CancelledError:
            self.waiting_cancelled = True
            raise
        if self.fail:
            raise OSError("gone")
        self.sent.append(frame)

    async def close(self, code: int) -> None:
        self.closed_with.append(code)


def open_connection(socket: Socket) -> Connection:
    return Connection(identity=Identity(1, "ada"), read_only=False, send=socket.send, close=socket.close)


async def test_frames_go_out_at_once_without_a_task():
    """A writable socket gets each frame during post() itself: no task, nothing queued."""
    socket = Socket()
    conn = open_connection(socket)
    tasks = len(asyncio.all_tasks())
    for i in range(5):
        conn.post(b"frame %d" % i)
        assert socket.sent[-1] == b"frame %d" % i
    assert len(asyncio.all_tasks()) == tasks


async def test_a_paused_socket_gets_everything_in_order_once_writable():
    """Frames posted while the socket waits are queued and follow the waiting one, in order."""
    socket = Socket()
    conn = open_connection(socket)
    conn.post(b"0")
    socket.writable.clear()
    for i in range(1, 6):
        conn.post(str(i).encode())
    await asyncio.sleep(0.01)
    assert socket.sent == [b"0"]
    socket.writable.set()
    for _ in range(20):
        await asyncio.sleep(0)
    assert socket.sent == [str(i).encode() for i in range(6)]
    conn.post(b"6")  # writable again: at once
    assert socket.sent[-1] == b"6"


async def test_a_socket_that_fails_marks_the_connection_closed():
    """A send that raises (the client went away) closes the connection quietly."""
    socket = Socket()
    conn = open_connection(socket)
    socket.fail = True
    conn.post(b"x")
    assert conn.closed
    conn.post(b"y")  # ignored
    assert socket.sent == []


async def test_a_connection_that_cannot_keep_up_is_closed_with_4408(monkeypatch):
    """Past the outbox limit while the socket waits, the connection is closed with 4408."""
    monkeypatch.setattr(connection_module, "MAX_OUTBOX_BYTES", 100)
    socket = Socket()
    conn = open_connection(socket)
    socket.writable.clear()
    for _ in range(20):
        conn.post(b"x" * 10)
    await asyncio.sleep(0.01)
    assert conn.closed
    assert conn.close_code == 4408
    assert socket.closed_with == [4408]


@pytest.mark.parametrize("frames", [1, 50])
async def test_a_detached_connection_sends_nothing(frames):
    """After the consumer detached it, posting does nothing."""
    socket = Socket()
    conn = open_connection(socket)
    conn.detach()
    for _ in range(frames):
        conn.post(b"late")
    await asyncio.sleep(0)
    assert socket.sent == []


async def test_a_send_that_fails_after_waiting_closes_the_connection():
    """The socket goes away while a send waits: the connection is closed, nothing queued is sent."""
    socket = Socket()
    conn = open_connection(socket)
    socket.writable.clear()
    conn.post(b"a")
    conn.post(b"b")
    socket.fail = True
    socket.writable.set()
    for _ in range(10):
        await asyncio.sleep(0)
    assert conn.closed
    assert socket.sent == []
    conn.post(b"c")
    assert socket.sent == []


async def test_a_cancelled_send_stops_the_connection_rather_than_reorder_frames():
    """Cancelling the waiting send reaches the send itself (as with await); the frames queued
    behind it are never sent ahead of it or out of order."""
    socket = Socket()
    conn = open_connection(socket)
    before = asyncio.all_tasks()
    socket.writable.clear()
    conn.post(b"a")
    conn.post(b"b")
    [flush] = asyncio.all_tasks() - before
    await asyncio.sleep(0)
    flush.cancel()
    with pytest.raises(asyncio.CancelledError):
        await flush
    assert socket.waiting_cancelled
    socket.writable.set()
    conn.post(b"c")
    for _ in range(10):
        await asyncio.sleep(0)
    assert conn.closed
    assert socket.sent == []


async def test_direct_writes_wait_behind_frames_queued_while_the_socket_was_paused():
    """With a direct writer (realtime/wsserver) the socket takes frames at once while it is
    writable; once it paused, frames queue behind the waiting send, and a frame posted after
    it is writable again but before the queue has gone out still goes after the queue."""
    socket = Socket()

    def write(frame: bytes) -> bool:
        if not socket.writable.is_set():
            return False
        socket.sent.append(frame)
        return True

    conn = Connection(identity=Identity(1, "ada"), read_only=False, send=socket.send, close=socket.close, write=write)
    tasks = len(asyncio.all_tasks())
    conn.post(b"0")
    assert socket.sent == [b"0"]
    assert len(asyncio.all_tasks()) == tasks  # written directly, no task
    socket.writable.clear()
    conn.post(b"1")  # the direct write refuses; the ASGI send waits
    conn.post(b"2")
    socket.writable.set()
    conn.post(b"3")  # writable again, but 1 and 2 have not gone out yet
    await asyncio.sleep(0.01)
    assert socket.sent == [b"0", b"1", b"2", b"3"]
    conn.post(b"4")
    assert socket.sent[-1] == b"4"


async def test_closing_a_socket_that_is_already_gone_is_quiet():
    """The socket may go before the close frame does (a server shutting down closes thousands
    at once): the failed close leaves no "Task exception was never retrieved" behind."""
    import gc

    socket = Socket()

    async def gone(code: int) -> None:
        raise OSError("the client went first")

    conn = Connection(identity=Identity(1, "ada"), read_only=False, send=socket.send, close=gone)
    loop = asyncio.get_running_loop()
    unretrieved = []
    loop.set_exception_handler(lambda _, context: unretrieved.append(context))
    try:
        conn.close(1012)
        await asyncio.sleep(0.01)
        gc.collect()
        await asyncio.sleep(0)
    finally:
        loop.set_exception_handler(None)
    assert conn.closed
    assert unretrieved == []
