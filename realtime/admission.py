"""Deciding new connections in batches: one access query for everyone connecting at once.

After a restart or a network blip every client reconnects in the same second. Deciding each
connection with a query of its own put one database round trip, and a thread's worth of
Python competing with the event loop, on every connection; here the connections that arrive
while a decision is running wait for it and are decided together by the next one.
"""

from __future__ import annotations

import asyncio
from uuid import UUID

from realtime import metrics
from realtime.auth import Access, Credentials, authorize_many
from realtime.db import db_call

# Connections per query: each is a row of VALUES (see documents/selectors/access.py).
BATCH_MAX = 500


class Admission:
    def __init__(self) -> None:
        self._waiting: list[tuple[Credentials, UUID, asyncio.Future[Access]]] = []
        self._running: asyncio.Task[None] | None = None

    async def decide(self, credentials: Credentials, page_id: UUID) -> Access:
        """The verdict on one new connection; raises what the database raised (DatabaseError)."""
        verdict: asyncio.Future[Access] = asyncio.get_running_loop().create_future()
        self._waiting.append((credentials, page_id, verdict))
        if self._running is None:
            self._running = asyncio.get_running_loop().create_task(self._run(), name="admission")
        return await verdict

    async def _run(self) -> None:
        batch: list[tuple[Credentials, UUID, asyncio.Future[Access]]] = []
        try:
            while self._waiting:
                batch, self._waiting = self._waiting[:BATCH_MAX], self._waiting[BATCH_MAX:]
                metrics.access_batch_size.observe(len(batch))
                try:
                    verdicts = await db_call(authorize_many, requests=[(c, page_id) for c, page_id, _ in batch])
                except asyncio.CancelledError:
                    raise
                except Exception as error:
                    for _, _, verdict in batch:
                        if not verdict.done():
                            verdict.set_exception(error)
                    continue
                for (_, _, verdict), access in zip(batch, verdicts, strict=True):
                    if not verdict.done():  # the client may have gone meanwhile
                        verdict.set_result(access)
        finally:
            # Stopped (the server shuts down): nobody may wait for a verdict that never comes.
            for _, _, verdict in [*batch, *self._waiting]:
                if not verdict.done():
                    verdict.cancel()
            self._running = None
