"""Group commit of the update log: one writer per process, one round trip per batch.

Rooms submit updates as they apply them; the writer inserts everything waiting in one
transaction and then tells each room which of its updates are stored, in submission order.
Only then does a room show an update to anyone. When the database is away, the batch stays
queued and the writer retries with backoff; nothing is shown meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
import struct
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import psycopg
from django.conf import settings
from django.db import DatabaseError, IntegrityError, connections

from documents.services.content import APPEND_SQL, APPEND_TYPES, NewUpdate, append_parameters, page_updates_append
from realtime import metrics, pq
from realtime.db import db_write

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class PendingUpdate:
    """An update a room applied and is waiting to see stored."""

    page_id: UUID
    data: bytes
    user_id: int | None
    # Called with the log row id once stored, or None when it can never be stored.
    on_done: Callable[[PendingUpdate, int | None], None]
    submitted: float = field(default_factory=time.perf_counter)
    context: Any = None


class UpdateWriter:
    def __init__(self) -> None:
        self._queue: deque[PendingUpdate] = deque()
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._idle = asyncio.Event()
        self._idle.set()
        self.healthy = True
        self.last_error: str | None = None
        self._postgres = PostgresAppender() if connections["default"].vendor == "postgresql" else None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="update-writer")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None
        if self._postgres is not None:
            await self._postgres.close()

    def submit(self, update: PendingUpdate) -> None:
        self._queue.append(update)
        self._idle.clear()
        self._wakeup.set()

    @property
    def pending(self) -> int:
        return len(self._queue)

    async def drain(self, timeout: float | None = None) -> bool:
        """Wait until everything submitted so far is stored; False on timeout."""
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
        except TimeoutError:
            return False
        return True

    async def _run(self) -> None:
        batch_max = settings.REALTIME["STORE_BATCH_MAX"]
        while True:
            if not self._queue:
                self._idle.set()
                self._wakeup.clear()
                await self._wakeup.wait()
                continue
            batch = [self._queue.popleft() for _ in range(min(batch_max, len(self._queue)))]
            ids = await self._store(batch)
            now = time.perf_counter()
            metrics.store_batch_size.observe(len(batch))
            for update, row_id in zip(batch, ids, strict=True):
                metrics.store_latency.observe(now - update.submitted)
                try:
                    update.on_done(update, row_id)
                except Exception:
                    logger.exception("a room failed to take a stored update")
            # Drop the batch now: while the writer waits for the next one, its callbacks would
            # keep the rooms of its updates alive.
            del batch, update

    async def _store(self, batch: list[PendingUpdate]) -> list[int | None]:
        rows = [NewUpdate(u.page_id, u.data, u.user_id) for u in batch]
        delay = 0.1
        while True:
            try:
                ids = await self._insert(rows)
            except DatabaseError as error:
                if self.healthy:
                    logger.error("cannot store updates, retrying: %s", error.__class__.__name__)
                self.healthy = False
                self.last_error = (str(error).strip().splitlines() or [repr(error)])[0]
                metrics.store_failures.inc()
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
                continue
            if not self.healthy:
                logger.info("storing updates again after an outage")
            self.healthy = True
            self.last_error = None
            return ids

    async def _insert(self, rows: list[NewUpdate]) -> list[int | None]:
        try:
            return await self._append(rows)
        except (IntegrityError, psycopg.errors.IntegrityError):
            pass
        # A page was deleted for good while it was open: store the others one by one.
        ids: list[int | None] = []
        for row in rows:
            try:
                [row_id] = await self._append([row])
            except (IntegrityError, psycopg.errors.IntegrityError):
                logger.warning("dropped an update of page %s, which no longer exists", row.page_id)
                row_id = None
            ids.append(row_id)
        return ids

    async def _append(self, rows: list[NewUpdate]) -> list[int | None]:
        if self._postgres is None:
            return list(await db_write(page_updates_append, updates=rows))
        return list(await self._postgres.append(rows))


class PostgresAppender:
    """The update log's writer on PostgreSQL: its own asynchronous connection on the event loop.

    A database thread would compete with the event loop for the GIL on every batch; this
    connection never leaves the loop. The append statement is prepared once per connection
    and each batch is one round trip with binary parameters (realtime/pq.py). Errors come out
    as Django's DatabaseError, so the writer's retry treats both paths alike.
    """

    def __init__(self) -> None:
        self._connection: psycopg.AsyncConnection | None = None

    async def append(self, rows: list[NewUpdate]) -> list[int]:
        try:
            connection = await self._connect()
            result = await pq.execute(connection.pgconn, _APPEND_NAME, append_parameters(rows))
            id_format = _ID_FORMATS[result.ftype(0)]
            return [id_format.unpack(result.get_value(i, 0))[0] for i in range(result.ntuples)]
        except psycopg.errors.IntegrityError:
            raise
        except psycopg.Error as error:
            await self.close()
            raise DatabaseError(str(error)) from error
        except asyncio.CancelledError:
            # The statement may still be running: this connection cannot take the next one.
            if self._connection is not None:
                self._connection.pgconn.finish()
                self._connection = None
            raise

    async def _connect(self) -> psycopg.AsyncConnection:
        if self._connection is None or self._connection.closed:
            params = connections["default"].get_connection_params()
            for sync_only in ("cursor_factory", "context"):
                params.pop(sync_only, None)
            connection = await psycopg.AsyncConnection.connect(**params, autocommit=True)
            try:
                connection.pgconn.nonblocking = 1
                await pq.prepare(connection.pgconn, _APPEND_NAME, APPEND_SQL, APPEND_TYPES)
            except BaseException:
                await connection.close()
                raise
            self._connection = connection
        return self._connection

    async def close(self) -> None:
        if self._connection is not None:
            try:
                await self._connection.close()
            except psycopg.Error:
                pass
            self._connection = None


_APPEND_NAME = b"collab_append"
_ID_FORMATS = {20: struct.Struct("!q"), 23: struct.Struct("!i")}  # int8, int4
