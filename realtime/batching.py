"""Database reads made by many connections at the same moment, made together.

After a restart or a network blip every client reconnects in the same second: each one has
to be decided and each page loaded. One query apiece put a database round trip, and a
thread's worth of Python competing with the event loop for the GIL, on every connection.
A Batched read runs one call at a time; whatever is asked while it runs waits and goes into
the next call, all of it in one query. A lone request costs what it did before.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Generic, TypeVar

from prometheus_client import Histogram

from realtime.db import db_call

Q = TypeVar("Q")
A = TypeVar("A")

# Questions per call: each becomes a row of VALUES or an element of an array parameter.
BATCH_MAX = 500


class Batched(Generic[Q, A]):
    """`await batched(question)`: the answer from `read(questions) -> answers`, a synchronous
    database function run on a realtime thread that answers a list of questions in order."""

    def __init__(self, read: Callable[[list[Q]], list[A]], size: Histogram) -> None:
        self._read = read
        self._size = size
        self._waiting: list[tuple[Q, asyncio.Future[A]]] = []
        self._running: asyncio.Task[None] | None = None

    async def __call__(self, question: Q) -> A:
        """The answer; raises what the read raised (DatabaseError when the database is away)."""
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[A] = loop.create_future()
        self._waiting.append((question, answer))
        if self._running is None:
            self._running = loop.create_task(self._run(), name="batched-read")
        return await answer

    async def _run(self) -> None:
        batch: list[tuple[Q, asyncio.Future[A]]] = []
        try:
            while self._waiting:
                batch, self._waiting = self._waiting[:BATCH_MAX], self._waiting[BATCH_MAX:]
                self._size.observe(len(batch))
                try:
                    answers = await db_call(self._read, [question for question, _ in batch])
                except asyncio.CancelledError:
                    raise
                except Exception as error:
                    for _, answer in batch:
                        if not answer.done():
                            answer.set_exception(error)
                    continue
                for (_, answer), value in zip(batch, answers, strict=True):
                    if not answer.done():  # the client may have gone meanwhile
                        answer.set_result(value)
        finally:
            # Stopped (the server shuts down): nobody may wait for an answer that never comes.
            for _, answer in [*batch, *self._waiting]:
                if not answer.done():
                    answer.cancel()
            self._running = None
