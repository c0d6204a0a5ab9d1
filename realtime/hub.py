"""Everything realtime that exists once per server process: its rooms, writer and layer channel.

Cross-process traffic goes through the channel layer: the process has one channel, added to
the group of each page it holds, so an update costs one layer message per process, not one
per connection. The layer may drop messages; a repair scan of the update log every
REPAIR_INTERVAL_SECONDS picks up whatever a room missed.
"""

from __future__ import annotations

import asyncio
import ctypes
import gc
import logging
import time
import uuid
from collections import deque
from datetime import timedelta
from typing import Any
from uuid import UUID

from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.conf import settings
from django.utils import timezone

from collab_site.logs import context_with
from documents import events
from documents.models import AccessEvent, PageUpdate
from documents.selectors.content import (
    StoredDocument,
    page_documents_load,
    page_update_counts_after,
    page_update_ids_after,
)
from realtime import metrics
from realtime.auth import PAGE_FULL, TOO_FAST, TRY_AGAIN_LATER, Access, Credentials, authorize_many, recheck
from realtime.batching import Batched
from realtime.connection import Connection
from realtime.db import db_call
from realtime.maintenance import RoomMaintenance
from realtime.protocol import KEEPALIVE, AwarenessEntry, decode_awareness, encode_awareness
from realtime.redis_client import close_redis_client
from realtime.rooms import PageMissing, Room, UpdateRejected
from realtime.stats import LoadStats
from realtime.store import UpdateWriter

logger = logging.getLogger(__name__)

DEFAULTS: dict[str, Any] = {
    "PRESENCE_TIMEOUT_SECONDS": 35.0,
    # Rows whose transactions commit out of id order stay visible to the repair scan this long
    # (the writer's transactions last milliseconds; each scan reads this many seconds of log).
    "REPAIR_LAG_SECONDS": 1.5,
}

_PUBLISH_QUEUE_MAX = 10_000
# "This process holds these pages": one message to every process, every PEER_HEARTBEAT_SECONDS,
# listing the pages it holds (16 bytes each, at most HOLDING_CHUNK pages a message); with
# `hello`, the pages it has just opened, which their other holders answer at once with the
# same message naming them.
HOLDING = "process.holds"
# "This process holds the page", to the page's group: how processes of earlier versions say
# hello. Still answered, so that both kinds learn of each other during a rolling upgrade.
PEER = "page.here"
PROCESSES_GROUP = "processes"
PEER_HEARTBEAT_SECONDS = 5.0
HOLDING_CHUNK = 5_000
# A full garbage collection pauses the loop for about 10 ms per 100,000 live objects. One runs
# once the connections closed since the last one number at least this many and a quarter of
# those still open, so that its cost stays roughly in proportion to the garbage it frees (see
# release_memory).
COLLECT_AFTER_CLOSED = 200


class Hub:
    def __init__(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.settings: dict[str, Any] = {**DEFAULTS, **settings.REALTIME}
        self.process_id = uuid.uuid4().hex
        self.rooms: dict[UUID, Room] = {}
        self.writer = UpdateWriter()
        # Connections opened, and pages loaded, at the same moment share their queries.
        self.decide = Batched(_decide, metrics.access_batch_size)
        self.load_documents = Batched(_load_documents, metrics.load_batch_size)
        self.maintenance = RoomMaintenance(self)
        self.load_stats = LoadStats(self)
        self.layer = get_channel_layer()
        # With the in-memory layer there is no other process to tell.
        self.single_process = self.layer is None or isinstance(self.layer, InMemoryChannelLayer)
        self.channel_name: str | None = None
        self._outgoing: deque[tuple[str, dict[str, Any]]] = deque()
        # Pages opened since the last hello was sent (see _hello).
        self._hellos: list[bytes] = []
        self._outgoing_ready = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        # (time, highest log id seen then): the repair scan starts at the highest id seen
        # REPAIR_LAG_SECONDS ago.
        self._seen: deque[tuple[float, int]] = deque()
        self._max_seen = 0
        self._floor = 0
        self._last_access_event = 0
        self._rechecks: list[tuple[set[UUID] | None, set[int] | None]] = []
        self._recheck_due = asyncio.Event()
        self._recheck_epoch = 0
        # Access changes heard of (layer messages and repair scans): a connection decided
        # while this moved may not see the latest one (see join).
        self.access_changes = 0
        self._process_groups_joined = False
        self.user_connections: dict[int, int] = {}
        # Rooms were unloaded: hand freed memory back to the system at the next tick.
        self._trim_due = False
        self.closed_since_collection = 0
        self.started = False
        # Stopping: no new connections, readiness fails. Stopped: stop() has run.
        self.stopping = False
        self.stopped = False
        self._all_closed = asyncio.Event()

    # Lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        if self.started:
            return
        self.started = True
        self.writer.start()
        metrics.writer_pending.set_function(lambda: self.writer.pending)
        metrics.writer_healthy.set_function(lambda: 1.0 if self.writer.healthy else 0.0)
        try:
            self._max_seen, self._last_access_event = await db_call(_log_positions)
        except Exception:
            logger.warning("could not read the update log's position; repair scans start from 0")
        self._floor = self._max_seen
        if self.layer is not None:
            self.channel_name = await self.layer.new_channel(prefix="rooms.")
            await self._join_process_groups()
            self._spawn(self._receive_loop(), "layer-receive")
            self._spawn(self._publish_loop(), "layer-publish")
        self._spawn(self._repair_loop(), "repair")
        self._spawn(self._recheck_loop(), "recheck")
        self._spawn(self._tick_loop(), "tick")
        self._spawn(self._stats_loop(), "load-stats")

    async def _join_process_groups(self) -> None:
        """Listen for access changes and other processes' heartbeats; the tick tries again."""
        try:
            await self.layer.group_add(events.ACCESS_GROUP, self.channel_name)
            await self.layer.group_add(PROCESSES_GROUP, self.channel_name)
            self._process_groups_joined = True
        except Exception:
            logger.warning("could not join the access and processes groups; repair scans stand in")

    def _spawn(self, coro: Any, name: str) -> None:
        # A fresh context: the Hub's tasks must not log as the connection that started them.
        self._tasks.append(self.loop.create_task(coro, name=name, context=context_with()))

    async def close_connections(self, close_code: int = 1012, *, wait: float = 0.0) -> int:
        """Stop serving: refuse new connections, close every open one with `close_code` (1012,
        service restart: clients reconnect to another process at once), and wait up to `wait`
        seconds for their close handshakes. Returns how many were open."""
        self.stopping = True
        open_connections = [conn for room in self.rooms.values() for conn in room.connections if not conn.closed]
        for room in self.rooms.values():
            if room.unload_handle is not None:
                room.unload_handle.cancel()
                room.unload_handle = None
        for conn in open_connections:
            conn.close(close_code)
        if wait and any(room.connections for room in self.rooms.values()):
            try:
                await asyncio.wait_for(self._all_closed.wait(), wait)
            except TimeoutError:
                logger.warning("shutting down: some clients did not answer the close in %s s", wait)
        return len(open_connections)

    async def stop(self, *, close_code: int = 1012, timeout: float = 10.0) -> None:
        """Shut down without losing anything: close every connection still open, store what is
        pending, then render and compact every room and leave its group."""
        if self.stopped:
            return
        self.stopped = True
        started = time.monotonic()
        closed = await self.close_connections(close_code)
        pending = self.writer.pending
        stored = await self.writer.drain(timeout)
        if not stored:
            logger.error("shutdown: %s updates could not be stored in %s s", self.writer.pending, timeout)
        rooms = list(self.rooms.values())
        for room in rooms:
            await self.unload(room, force=True)
        try:
            await asyncio.wait_for(self.load_stats.withdraw(), 2.0)
        except Exception:
            pass
        for task in self._tasks:
            task.cancel()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=5)
        self._tasks.clear()
        await self.writer.stop()
        await close_redis_client()
        logger.info(
            "stopped: closed %s open connections, stored %s pending updates, unloaded and compacted %s rooms in %.2f s",
            closed,
            pending,
            len(rooms),
            time.monotonic() - started,
        )

    # Rooms -------------------------------------------------------------------------------

    async def join(self, page_id: UUID, conn: Connection, *, decided_after: int | None = None) -> Room:
        """Add a connection to the page's room, loading it once however many join at once.

        Raises UpdateRejected with the close code when a connection limit is reached, and
        with 1013 when an access change was heard of after the connection's verdict was read
        (`decided_after`, the count of changes then) and before it could join: the client
        reconnects and is decided afresh, having been sent nothing of the page.
        """
        user_id = conn.identity.user_id
        if user_id is not None and self.user_connections.get(user_id, 0) >= self.settings["MAX_CONNECTIONS_PER_USER"]:
            raise UpdateRejected(TOO_FAST, "too many connections for this user")
        room = self.rooms.get(page_id)
        if room is None:
            room = Room(self, page_id)
            self.rooms[page_id] = room
            metrics.rooms_active.set(len(self.rooms))
            self.loop.create_task(self._load(room), context=context_with(page_id=str(page_id)))
        await room.ready.wait()
        if room.failed is not None:
            raise PageMissing(page_id) if isinstance(room.failed, PageMissing) else room.failed
        if room.unload_handle is not None:
            room.unload_handle.cancel()
            room.unload_handle = None
        if self.rooms.get(page_id) is not room:  # it unloaded while we waited
            return await self.join(page_id, conn, decided_after=decided_after)
        if decided_after is not None and self.access_changes != decided_after:
            self._unload_later(room)
            raise UpdateRejected(TRY_AGAIN_LATER, "access changed while the connection was decided")
        if len(room.connections) >= self.settings["MAX_CONNECTIONS_PER_PAGE"]:
            raise UpdateRejected(PAGE_FULL, "page is full")
        room.connections.add(conn)
        if user_id is not None:
            self.user_connections[user_id] = self.user_connections.get(user_id, 0) + 1
        room.greet(conn)
        return room

    async def _load(self, room: Room) -> None:
        try:
            # Listen and read at once: an update stored meanwhile arrives on the layer, or the
            # repair scan finds it in the log.
            self._hello(room.page_id)
            await asyncio.gather(self._join_group(room), room.load())
        except BaseException as error:
            if not room.ready.is_set():
                room.failed = error
                room.ready.set()
            if not isinstance(error, PageMissing):
                logger.exception("could not load the page")
            self._forget(room)

    async def _join_group(self, room: Room) -> None:
        """Listen to the page's layer group; without the layer, repair scans keep the room
        current and the tick tries again."""
        if self.layer is None or self.channel_name is None:
            return
        try:
            await self.layer.group_add(events.page_group(room.page_id), self.channel_name)
            room.grouped = True
        except Exception as error:
            room.grouped = False
            logger.warning("page %s: channel layer unavailable (%s); repairing from the log", room.page_id, error)

    def leave(self, room: Room, conn: Connection) -> None:
        if conn in room.connections and conn.identity.user_id is not None:
            remaining = self.user_connections.get(conn.identity.user_id, 1) - 1
            if remaining > 0:
                self.user_connections[conn.identity.user_id] = remaining
            else:
                self.user_connections.pop(conn.identity.user_id, None)
        room.leave(conn)
        self.closed_since_collection += 1
        if self.stopping and not any(other.connections for other in self.rooms.values()):
            self._all_closed.set()
        self._unload_later(room)

    def _unload_later(self, room: Room) -> None:
        """Unload a room nobody is on after the grace time (unless someone joins meanwhile)."""
        if not room.connections and not self.stopping and self.rooms.get(room.page_id) is room:
            grace = self.settings["ROOM_GRACE_SECONDS"]
            context = context_with(page_id=str(room.page_id))
            room.unload_handle = self.loop.call_later(
                grace, lambda: self.loop.create_task(self.unload(room)), context=context
            )

    async def unload(self, room: Room, *, force: bool = False) -> None:
        """Let a room go once nothing is pending: store, render, compact, leave the group."""
        if room.connections and not force:
            return
        if self.rooms.get(room.page_id) is room:
            # Wait until the room's own updates are stored before a new room may load the page.
            await room.wait_settled()
            if room.connections and not force:
                return
            self._forget(room)
        await self.maintenance.on_unload(room)
        room.dispose()
        self._trim_due = True

    def _forget(self, room: Room) -> None:
        if self.rooms.get(room.page_id) is room:
            del self.rooms[room.page_id]
            metrics.rooms_active.set(len(self.rooms))
            if self.layer is not None and self.channel_name is not None:
                self.loop.create_task(self._group_discard(room.page_id))

    async def _group_discard(self, page_id: UUID) -> None:
        if page_id in self.rooms:
            return
        try:
            await self.layer.group_discard(events.page_group(page_id), self.channel_name)
        except Exception:
            logger.warning("could not leave the page's layer group", extra={"page_id": str(page_id)})

    # Across processes --------------------------------------------------------------------

    def publish_updates(self, room: Room, rows: list[tuple[int, bytes]]) -> None:
        if self.single_process or not room.has_peers():
            return
        message = {
            "type": events.UPDATES,
            "page": str(room.page_id),
            "origin": self.process_id,
            "updates": [[row_id, data] for row_id, data in rows],
        }
        self._queue_publish(events.page_group(room.page_id), message)

    def publish_awareness(self, room: Room, entries: list[AwarenessEntry]) -> None:
        if self.single_process or not room.has_peers():
            return
        message = {
            "type": "page.awareness",
            "page": str(room.page_id),
            "origin": self.process_id,
            "update": encode_awareness(entries),
        }
        self._queue_publish(events.page_group(room.page_id), message)

    def _hello(self, page_id: UUID) -> None:
        """Tell the other processes that this one has opened the page.

        A room publishes its updates only while another process holds the page: most pages
        are open in one process only, and Redis then carries nothing but hellos (those of the
        pages opened at the same moment go in one message, which the pages' other holders
        answer at once) and one heartbeat per process (see heartbeat()). Until a newcomer
        hears from the others, repair scans of the log bring their updates.
        """
        if self.single_process:
            return
        if not self._hellos:
            self.loop.call_soon(self._send_hellos)
        self._hellos.append(page_id.bytes)

    def _send_hellos(self) -> None:
        pages, self._hellos = self._hellos, []
        self._send_holding(pages, hello=True)

    def heartbeat(self) -> None:
        """Tell every other process which pages this one holds: a page's other holders keep
        publishing its updates for three heartbeats after the last one that named it."""
        if self.single_process:
            return
        self._send_holding(
            [page_id.bytes for page_id, room in self.rooms.items() if room.ready.is_set() and not room.failed]
        )

    def _send_holding(self, pages: list[bytes], *, hello: bool = False) -> None:
        for start in range(0, len(pages), HOLDING_CHUNK):
            message = {
                "type": HOLDING,
                "origin": self.process_id,
                "pages": b"".join(pages[start : start + HOLDING_CHUNK]),
            }
            if hello:
                message["hello"] = True
            self._queue_publish(PROCESSES_GROUP, message)

    def _queue_publish(self, group: str, message: dict[str, Any]) -> None:
        if len(self._outgoing) >= _PUBLISH_QUEUE_MAX:
            # The layer is away; other processes repair updates from the log.
            self._outgoing.popleft()
        self._outgoing.append((group, message))
        self._outgoing_ready.set()

    async def _publish_loop(self) -> None:
        failing = False
        while True:
            await self._outgoing_ready.wait()
            self._outgoing_ready.clear()
            while self._outgoing:
                group, message = self._outgoing.popleft()
                try:
                    await self.layer.group_send(group, message)
                    _raise_if_cancelling()
                    metrics.layer_published.labels(message["type"]).inc()
                    if failing:
                        logger.info("channel layer reachable again")
                    failing = False
                except Exception as error:
                    metrics.layer_failures.inc()
                    if not failing:
                        logger.warning("channel layer unreachable (%s); relying on repair scans", error)
                    failing = True
                    await asyncio.sleep(0.5)

    async def _receive_loop(self) -> None:
        while True:
            try:
                message = await self.layer.receive(self.channel_name)
                _raise_if_cancelling()
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.warning("channel layer receive failed; retrying")
                await asyncio.sleep(0.5)
                continue
            try:
                self._dispatch(message)
            except Exception:
                logger.exception("could not handle a channel-layer message of type %s", message.get("type"))

    def _dispatch(self, message: dict[str, Any]) -> None:
        if message.get("origin") == self.process_id:
            return
        if message.get("type") == events.ACCESS:
            self.access_changes += 1
            pages = message.get("pages")
            users = message.get("users")
            self.recheck_later(
                {UUID(page) for page in pages} if pages is not None else None,
                set(users) if users is not None else None,
            )
            return
        if message.get("type") == HOLDING:
            pages = bytes(message.get("pages", b""))
            hello = message.get("hello")
            held = []
            for start in range(0, len(pages) - 15, 16):
                room = self.rooms.get(UUID(bytes=pages[start : start + 16]))
                if room is not None:
                    room.peer_seen()
                    if hello:
                        held.append(room.page_id.bytes)
            if held:
                self._send_holding(held)  # the newcomer learns that this process holds them too
            return
        try:
            room = self.rooms.get(UUID(message["page"]))
        except (KeyError, ValueError):
            return
        if room is None:
            return
        if message.get("origin"):
            room.peer_seen()
        kind = message.get("type")
        if kind == PEER:
            if message.get("hello"):
                self._send_holding([room.page_id.bytes])
        elif kind == events.UPDATES:
            room.apply_remote_updates([(int(row_id), bytes(data)) for row_id, data in message["updates"]])
        elif kind == "page.awareness":
            room.apply_remote_awareness(decode_awareness(bytes(message["update"])))

    # Repair ------------------------------------------------------------------------------

    def saw_row(self, row_id: int) -> None:
        if row_id > self._max_seen:
            self._max_seen = row_id

    def floor_for(self, room: Room) -> int:
        return self._floor

    def _advance_floor(self) -> None:
        now = time.monotonic()
        self._seen.append((now, self._max_seen))
        lag = self.settings["REPAIR_LAG_SECONDS"]
        while len(self._seen) > 1 and self._seen[1][0] <= now - lag:
            self._seen.popleft()
        if self._seen[0][0] <= now - lag:
            self._floor = max(self._floor, self._seen[0][1])
        for room in self.rooms.values():
            room.known_ids = {row_id for row_id in room.known_ids if row_id > self._floor}

    async def _repair_loop(self) -> None:
        interval = self.settings["REPAIR_INTERVAL_SECONDS"]
        while True:
            await asyncio.sleep(interval)
            try:
                await self.repair()
            except asyncio.CancelledError:
                raise
            except Exception as error:
                logger.debug("repair scan failed: %s", error)

    async def repair(self) -> None:
        """Apply the log rows of loaded pages that this process has not seen, and re-check
        connections for access changes whose layer message may have been lost."""
        if self.rooms:
            changes = await db_call(_access_events_after, self._last_access_event)
            for event_id, user_id in changes:
                self.access_changes += 1
                self._last_access_event = max(self._last_access_event, event_id)
                self.recheck_later(None, {user_id} if user_id is not None else None)
        rooms = {page_id: room for page_id, room in self.rooms.items() if room.ready.is_set() and not room.failed}
        if rooms:
            counts = await db_call(page_update_counts_after, page_ids=list(rooms), after_id=self._floor)
            for page_id, (count, last) in counts.items():
                self.saw_row(last)
                room = self.rooms.get(page_id)
                if room is None or room is not rooms.get(page_id):
                    continue
                if count > sum(1 for row_id in room.known_ids if row_id > self._floor):
                    await self._repair_room(room)
        self._advance_floor()

    async def _repair_room(self, room: Room) -> None:
        """The log has rows of this page the room does not know. Rows younger than a moment
        may be in flight (our own writer's, or another process's on the layer); older ones
        were missed: then the room is rebuilt from the log (see Room.rebuild), once."""
        rows = await db_call(page_update_ids_after, page_id=room.page_id, after_id=self._floor)
        cutoff = timezone.now() - timedelta(seconds=0.5)
        missed = [row_id for row_id, created in rows if row_id not in room.known_ids and created < cutoff]
        if missed:
            metrics.repairs.inc(len(missed))
            await room.rebuild()

    # Access ------------------------------------------------------------------------------

    def recheck_later(self, page_ids: set[UUID] | None, user_ids: set[int] | None) -> None:
        """Re-check the matching connections soon (None matches everything).

        Until the check is done, their updates are held, not applied: an editor whose role was
        just taken away must not get one more edit in while the database is asked. The change
        is announced before the API call that made it returns, so "after" means after that.
        """
        self._recheck_epoch += 1
        for room in self.rooms.values():
            if page_ids is not None and room.page_id not in page_ids:
                continue
            for conn in room.connections:
                if user_ids is None or conn.identity.user_id in user_ids:
                    if conn.held is None:
                        conn.held = []
                    conn.hold_epoch = self._recheck_epoch
        self._rechecks.append((page_ids, user_ids))
        self._recheck_due.set()

    async def _recheck_loop(self) -> None:
        while True:
            await self._recheck_due.wait()
            self._recheck_due.clear()
            batch, self._rechecks = self._rechecks, []
            epoch = self._recheck_epoch
            try:
                await self._recheck(batch)
                self._release_held(epoch)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("re-checking access failed; retrying")
                self._rechecks.extend(batch)
                await asyncio.sleep(0.5)
                self._recheck_due.set()

    async def _recheck(self, batch: list[tuple[set[UUID] | None, set[int] | None]]) -> None:
        for room in list(self.rooms.values()):
            users: set[int] = set()
            for conn in room.connections:
                user_id = conn.identity.user_id
                if user_id is None:
                    continue
                for page_ids, user_ids in batch:
                    if (page_ids is None or room.page_id in page_ids) and (user_ids is None or user_id in user_ids):
                        users.add(user_id)
                        break
            if not users:
                continue
            verdicts = await db_call(recheck, page_id=room.page_id, user_ids=users)
            for conn in list(room.connections):
                verdict = verdicts.get(conn.identity.user_id) if conn.identity.user_id in users else None
                if verdict is not None:
                    room.apply_access(conn, verdict.close_code, verdict.read_only)

    def _release_held(self, epoch: int) -> None:
        """Let go of the updates held for re-checks up to `epoch` (later ones wait for theirs)."""
        for room in list(self.rooms.values()):
            for conn in list(room.connections):
                if conn.held is not None and conn.hold_epoch <= epoch:
                    room.release(conn)

    # Periodic work -----------------------------------------------------------------------

    async def _stats_loop(self) -> None:
        failing = False
        while True:
            try:
                await asyncio.wait_for(self.load_stats.publish(), 5.0)
                failing = False
            except asyncio.CancelledError:
                raise
            except Exception as error:
                if not failing:
                    logger.warning("could not publish the load snapshot: %s", error.__class__.__name__)
                failing = True
            await asyncio.sleep(settings.LOAD_STATS_INTERVAL_SECONDS)

    async def _tick_loop(self) -> None:
        last_keepalive = last_heartbeat = time.monotonic()
        last_trim = 0.0
        while True:
            await asyncio.sleep(0.5)
            try:
                now = time.monotonic()
                if now - last_keepalive >= 1.0:
                    last_keepalive = now
                    idle = self.settings["KEEPALIVE_SECONDS"]
                    timeout = self.settings["PRESENCE_TIMEOUT_SECONDS"]
                    if now - last_heartbeat >= PEER_HEARTBEAT_SECONDS:
                        last_heartbeat = now
                        self.heartbeat()
                        if not self._process_groups_joined and self.channel_name is not None:
                            self.loop.create_task(self._join_process_groups())
                    for room in list(self.rooms.values()):
                        room.keep_alive(idle, KEEPALIVE)
                        room.expire_presence(timeout)
                        if not room.grouped and room.ready.is_set() and now - room.group_tried > 5.0:
                            room.group_tried = now
                            self.loop.create_task(self._join_group(room))
                self.maintenance.tick()
                if now - last_trim >= 5.0:
                    collect = self._collection_due()
                    if collect or self._trim_due:
                        self._trim_due = False
                        last_trim = now
                        if collect:
                            self.closed_since_collection = 0
                        release_memory(collect=collect)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("periodic room work failed")

    def _collection_due(self) -> bool:
        closed = self.closed_since_collection
        if closed < COLLECT_AFTER_CLOSED:
            return False
        return closed >= sum(len(room.connections) for room in self.rooms.values()) // 4


def release_memory(*, collect: bool = False) -> None:
    """Return memory freed by unloaded rooms and closed connections to the system.

    A document's memory is allocated by Yrs through the C allocator, which keeps freed pages
    for reuse: after many pages were opened and closed, the process would stay at its high
    water mark. malloc_trim (glibc) gives them back.

    With `collect`, a full garbage collection runs first. Under uvicorn's own WebSocket
    protocols (WS_COMPRESSION=1) every WebSocket leaves uvicorn's HTTP protocol behind in a
    reference cycle with its parser, holding the closed transport, and only a collection
    frees them (ours cuts that cycle at the upgrade, realtime/wsserver). Without it, opening
    and closing 1,000 pages left the process 20 % larger until Python's own collector came
    round (bench/memory.py, 2026-12-04).
    """
    if collect:
        gc.collect()
    if _libc is not None:
        _libc.malloc_trim(0)


def _load_libc() -> Any:
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.malloc_trim.argtypes = [ctypes.c_size_t]
        return libc
    except (OSError, AttributeError):
        return None


_libc = _load_libc()


def _raise_if_cancelling() -> None:
    """redis-py can swallow a cancellation inside a call; honour it once the call returns."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


def _log_positions() -> tuple[int, int]:
    """The highest update-log and access-event ids now."""
    last_update = PageUpdate.objects.order_by("-id").values_list("id", flat=True).first() or 0
    last_access = AccessEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    return last_update, last_access


def _decide(requests: list[tuple[Credentials, UUID]]) -> list[Access]:
    return authorize_many(requests=requests)


def _load_documents(page_ids: list[UUID]) -> list[StoredDocument | None]:
    return page_documents_load(page_ids=page_ids)


def _access_events_after(after_id: int) -> list[tuple[int, int | None]]:
    return list(AccessEvent.objects.filter(id__gt=after_id).order_by("id").values_list("id", "user_id"))


_hub: Hub | None = None


def get_hub() -> Hub:
    """The Hub of the running event loop (tests run several loops, one after another)."""
    global _hub
    loop = asyncio.get_running_loop()
    if _hub is None or _hub.loop is not loop or _hub.loop.is_closed():
        _hub = Hub()
    return _hub


def current_hub() -> Hub | None:
    """The Hub if one runs on the current loop, without creating one."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return None
    return _hub if _hub is not None and _hub.loop is loop else None
