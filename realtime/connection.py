"""One WebSocket as a room sees it: who is on it, and the frames waiting to go out."""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
import types
from collections import deque
from collections.abc import Callable, Coroutine, Generator
from dataclasses import dataclass
from typing import Any

from realtime import metrics

logger = logging.getLogger(__name__)

_ids = itertools.count(1)

# A connection that lets this much pile up unsent cannot keep up; it is closed and resyncs.
MAX_OUTBOX_BYTES = 64 * 1024 * 1024


async def _gone(_: object) -> None:
    """What a detached connection sends and closes with: nothing."""


@dataclass(frozen=True, slots=True)
class Identity:
    user_id: int | None
    username: str


class Connection:
    """Frames posted here are sent in order; posting never blocks. A frame goes to the socket
    during post() itself; only while the socket makes a send wait does one task finish it and
    send what was posted meanwhile."""

    def __init__(
        self,
        *,
        identity: Identity,
        read_only: bool,
        send: Callable[[bytes], Coroutine[Any, Any, None]],
        close: Callable[[int], Coroutine[Any, Any, None]],
        write: Callable[[bytes], bool] | None = None,
        rate: float = 0.0,
        burst: float = 0.0,
    ) -> None:
        self.id = next(_ids)
        self.identity = identity
        self.read_only = read_only
        self._send = send
        self._close = close
        # Writes a frame to the socket at once, or says it cannot (see realtime/wsserver).
        self._write = write
        self._outbox: deque[bytes] = deque()
        self._outbox_bytes = 0
        self._flushing = False
        self.closed = False
        # The code this side closed with; None while open or when the client closed first.
        self.close_code: int | None = None
        self.opened_at = time.monotonic()
        self.last_sent = time.monotonic()
        # Awareness client ids this connection announced; removed for everyone when it leaves.
        self.client_ids: set[int] = set()
        # While an access change that may concern this connection is re-checked: its updates,
        # applied once the check lets it write (see Hub.recheck_later), and the check's number.
        self.held: list[bytes] | None = None
        self.hold_epoch = 0
        # A token bucket: `rate` messages a second on average, up to `burst` at once.
        self._rate = rate
        self._burst = burst
        self._tokens = burst
        self._refilled = time.monotonic()

    def __repr__(self) -> str:
        return f"<Connection {self.id} user={self.identity.user_id}>"

    def allow_message(self) -> bool:
        """Take a token for one incoming message; False when the client sends too fast."""
        if self._rate <= 0:
            return True
        now = time.monotonic()
        self._tokens = min(self._burst, self._tokens + (now - self._refilled) * self._rate)
        self._refilled = now
        if self._tokens < 1:
            return False
        self._tokens -= 1
        return True

    def post(self, frame: bytes) -> None:
        if self.closed:
            return
        if not self._flushing:
            if self._write is not None and self._write(frame):
                metrics.frames_direct.inc()
                metrics.bytes_out.inc(len(frame))
                self.last_sent = time.monotonic()
            else:
                self._send_now(frame)
            return
        self._outbox.append(frame)
        self._outbox_bytes += len(frame)
        if self._outbox_bytes > MAX_OUTBOX_BYTES:
            logger.warning("connection cannot keep up; closing it", extra={"conn_id": self.id})
            self.close(4408)

    def _send_now(self, frame: bytes) -> None:
        """Run the ASGI send at once, without a task: it completes without waiting unless the
        socket is paused (the client reads slowly), and a task per frame would be most of a
        fan-out's cost. When it has to wait, a task finishes it and sends what piles up."""
        metrics.frames_asgi.inc()
        sending = self._send(frame)
        try:
            waiting = sending.send(None)
        except StopIteration:
            metrics.bytes_out.inc(len(frame))
            self.last_sent = time.monotonic()
            return
        except Exception:
            self.closed = True  # the socket went away; the consumer's disconnect cleans up
            return
        self._flushing = True
        asyncio.get_running_loop().create_task(self._flush(sending, waiting, len(frame)))

    async def _flush(self, sending: Coroutine[Any, Any, None], waiting: Any, size: int) -> None:
        """Finish a send that had to wait, then send the outbox in order."""
        try:
            await _resume(sending, waiting)
            metrics.bytes_out.inc(size)
            while self._outbox and not self.closed:
                frame = self._outbox.popleft()
                self._outbox_bytes -= len(frame)
                metrics.frames_asgi.inc()
                await self._send(frame)
                metrics.bytes_out.inc(len(frame))
            self.last_sent = time.monotonic()
        except Exception:
            # The socket went away; the consumer's disconnect handler cleans up.
            self.closed = True
        except asyncio.CancelledError:
            # Frames after the cut-off one would go out of order: send nothing more.
            self.closed = True
            raise
        finally:
            self._flushing = False

    def detach(self) -> None:
        """The socket is gone: forget how to reach it (breaks the cycle with its consumer)."""
        self.closed = True
        self._outbox.clear()
        self._send = _gone
        self._close = _gone
        self._write = None

    def close(self, code: int) -> None:
        """Close with `code` at once, dropping anything not yet sent."""
        if self.closed:
            return
        self.closed = True
        self.close_code = code
        self._outbox.clear()
        self._outbox_bytes = 0
        metrics.count_close(code)
        asyncio.get_running_loop().create_task(_close_quietly(self._close, code))


async def _close_quietly(close: Callable[[int], Coroutine[Any, Any, None]], code: int) -> None:
    """Close; a socket that went first (the server says so by raising) needs nothing more:
    its disconnect cleans up. Unhandled, each would log a traceback when a shutting-down
    server closes its sockets."""
    try:
        await close(code)
    except Exception as error:
        logger.debug("the socket was gone before its close: %r", error)


@types.coroutine
def _resume(sending: Coroutine[Any, Any, None], waiting: Any) -> Generator[Any, Any, None]:
    """Go on with a coroutine that already ran up to its first suspension, as `await` would
    have: what it waits for goes to the Task running this, and what the Task sends or throws
    back (a result, a cancellation) goes into the coroutine."""
    while True:
        try:
            value = yield waiting
        except BaseException as error:
            try:
                waiting = sending.throw(error)
            except StopIteration:
                return
        else:
            try:
                waiting = sending.send(value)
            except StopIteration:
                return
