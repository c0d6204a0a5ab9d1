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

from django.db import DatabaseError
from prometheus_client import Histogram

from realtime.db import db_call

Q = TypeVar("Q")
A = TypeVar("A")

# Questions per call: each becomes a row of VALUES or an element of an array parameter.
BATCH_MAX = 500


class Batched(Generic[Q, A]):
    """`await batched(question)`: the answer from `read(questions) -> answers`, a synchronous
    database function run on a realtime thread that answers a list of questions in order.

    One read runs at a time: with two at once, connecting 3,000 clients took 1.3-1.4x as
    long (smaller batches, more queries). A read that takes longer than `timeout` seconds (a hung statement)
    fails its questions with DatabaseError, and the next read goes ahead on another thread.
    """

    def __init__(self, read: Callable[[list[Q]], list[A]], size: Histogram, *, timeout: float = 10.0) -> None:
        self._read = read
        self._size = size
        self._timeout = timeout
        self._waiting: list[tuple[Q, asyncio.Future[A]]] = []
        self._running = 0
        self._tasks: set[asyncio.Task[None]] = set()

    async def __call__(self, question: Q) -> A:
        """The answer; raises what the read raised (DatabaseError when the database is away)."""
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[A] = loop.create_future()
        self._waiting.append((question, answer))
        if not self._running:
            self._running += 1
            task = loop.create_task(self._run(), name="batched-read")
            self._tasks.add(task)  # a task nothing refers to may be collected midway
            task.add_done_callback(self._tasks.discard)
        return await answer

    async def _run(self) -> None:
        batch: list[tuple[Q, asyncio.Future[A]]] = []
        try:
            while self._waiting:
                batch, self._waiting = self._waiting[:BATCH_MAX], self._waiting[BATCH_MAX:]
                self._size.observe(len(batch))
                try:
                    try:
                        answers = await asyncio.wait_for(
                            db_call(self._read, [question for question, _ in batch]), self._timeout
                        )
                    except TimeoutError:
                        raise DatabaseError(f"no answer from the database in {self._timeout} s") from None
                    if len(answers) != len(batch):
                        raise RuntimeError(f"{len(answers)} answers to {len(batch)} questions")
                except asyncio.CancelledError:
                    raise
                except Exception as error:
                    for _, answer in batch:
                        if not answer.done():
                            answer.set_exception(error)
                else:
                    for (_, answer), value in zip(batch, answers, strict=True):
                        if not answer.done():  # the client may have gone meanwhile
                            answer.set_result(value)
                    del answers  # a batch of loaded pages is not kept through the next read
                batch = []
        finally:
            self._running -= 1
            # Stopped (the server shuts down): nobody may wait for an answer that never comes.
            for _, answer in [*batch, *(self._waiting if not self._running else [])]:
                if not answer.done():
                    answer.cancel()
