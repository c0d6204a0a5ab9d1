"""A Room: one page's live document in this process, and the connections editing it.

The Room applies each client update to its pycrdt Doc, keeps only what was new (the update of
the transaction), hands that to the process's writer, and shows it to anyone, the sender
included, only once it is stored. Updates stored by other processes arrive through the
channel layer, or through the Hub's repair scan of the log when the layer dropped them.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING
from uuid import UUID

from pycrdt import Doc, TransactionEvent, merge_updates

from documents.selectors.content import page_document_load
from documents.ydoc import doc_from_stored, doc_holds
from realtime import metrics
from realtime.auth import MALFORMED
from realtime.connection import Connection
from realtime.db import db_call
from realtime.presence import Presence
from realtime.protocol import (
    EMPTY_UPDATE,
    AuthDenied,
    Awareness,
    AwarenessEntry,
    Message,
    ProtocolError,
    QueryAwareness,
    SyncStep1,
    SyncStep2,
    SyncUpdate,
    awareness_message,
    decode_awareness,
    encode_message,
    sync_step1,
    sync_step2,
    sync_update,
)
from realtime.store import PendingUpdate

if TYPE_CHECKING:
    from realtime.hub import Hub

logger = logging.getLogger(__name__)


class PageMissing(Exception):
    """The page does not exist (any more)."""


class UpdateRejected(Exception):
    """A well-formed update the room refuses; `code` is the close code for its sender."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code


class Room:
    def __init__(self, hub: Hub, page_id: UUID) -> None:
        self.hub = hub
        self.page_id = page_id
        self.doc: Doc = Doc()
        self._captured: list[bytes] = []
        self._subscription = self.doc.observe(self._on_transaction)
        # Local updates applied but not yet stored, by sequence number (see rebuild()).
        self._unstored: dict[int, bytes] = {}
        # While a rebuild reads the database: every update applied meanwhile, to apply again.
        self._replay: list[bytes] | None = None
        self.connections: set[Connection] = set()
        self.presence = Presence()
        self.ready = asyncio.Event()
        self.failed: BaseException | None = None
        # Log row ids this room holds above the Hub's floor, to spot the ones it missed.
        self.known_ids: set[int] = set()
        # Updates applied here count up `applied_seq`; `stored_seq` follows as the writer commits.
        self.applied_seq = 0
        self.stored_seq = 0
        self._waiters: deque[tuple[int, Callable[[], None]]] = deque()
        self.log_rows = 0
        self.size = 0
        self.changed_at: float | None = None
        # First change not yet rendered, and first change not yet in a version.
        self.dirty_since: float | None = None
        self.version_dirty_since: float | None = None
        self.contributors: set[int] = set()
        # When another process last said it holds this page (see Hub._hello).
        self._peer_seen = float("-inf")
        # Whether this process listens to the page's layer group (False while Redis is away).
        self.grouped = True
        self.group_tried = 0.0
        # Updates of this room's own connections stored by this process (for the load page).
        self.updates_stored_here = 0
        self.unload_handle: asyncio.TimerHandle | None = None

    def __repr__(self) -> str:
        return f"<Room {self.page_id} connections={len(self.connections)}>"

    # Loading -----------------------------------------------------------------------------

    async def load(self) -> None:
        """Fill the Doc from the stored state and log; joiners wait on `ready`."""
        try:
            stored = await self.hub.load_documents(self.page_id)
            if stored is None:
                raise PageMissing(self.page_id)
            with self.doc.transaction():
                if stored.state:
                    self.doc.apply_update(stored.state)
                for _, data in stored.updates:
                    self.doc.apply_update(data)
            self._captured.clear()
            self.known_ids.update(row_id for row_id, _ in stored.updates)
            self.log_rows = len(stored.updates)
            self.size = len(stored.state) + sum(len(data) for _, data in stored.updates)
        except BaseException as error:
            self.failed = error
            raise
        finally:
            self.ready.set()

    async def rebuild(self) -> None:
        """Rebuild the Doc from the database, in log order, after this room missed updates.

        Applying missed rows late, out of order, is not enough: Yrs can drop an update that
        arrived before the one it depends on (same-client clock gaps), and rows may have been
        merged into the stored state meanwhile. The log, read in id order, is causal order.
        Updates this room applied while the rebuild read the database are applied again.
        """
        self._replay = [data for _, data in self._unstored.items()]
        try:
            stored = await db_call(page_document_load, page_id=self.page_id)
            if stored is None:
                return
            fresh: Doc = doc_from_stored(stored.state, (data for _, data in stored.updates))
            with fresh.transaction():
                for data in self._replay:
                    fresh.apply_update(data)
        finally:
            self._replay = None
        if self._subscription is None:
            return  # unloaded meanwhile
        metrics.resyncs.inc()
        catch_up = fresh.get_update(self.doc.get_state())
        self.doc.unobserve(self._subscription)
        self.doc = fresh
        self._subscription = fresh.observe(self._on_transaction)
        self.known_ids.update(row_id for row_id, _ in stored.updates)
        if catch_up != EMPTY_UPDATE:
            self._forward(catch_up)

    # Applying ----------------------------------------------------------------------------

    def _on_transaction(self, event: TransactionEvent) -> None:
        self._captured.append(event.update)

    def _apply(self, update: bytes) -> bytes | None:
        """Apply an update; return what to store and show, or None when it brought nothing.

        That is the update itself, not only what its transaction changed: an update can
        arrive before one it depends on (a client that reconnects to a process which has
        not yet seen everything it saw, or two tabs of one browser). Yrs keeps such an
        update pending, leaves it out of the transaction's update and out of encoded states,
        and integrates it silently when the missing piece arrives. Kept whole in the log and
        sent whole to clients, it is never lost and every copy converges. When a transaction
        also integrated earlier pending updates, those parts are added to it.
        """
        self._captured.clear()
        if self._replay is not None:
            self._replay.append(update)
        try:
            self.doc.apply_update(update)
        except ValueError as error:
            raise ProtocolError(f"malformed update: {error}") from error
        except BaseException as error:  # pyo3 panics derive from BaseException
            if isinstance(error, (KeyboardInterrupt, SystemExit, asyncio.CancelledError)):
                raise
            raise ProtocolError(f"update could not be applied: {error}") from error
        captured = [u for u in self._captured if u != EMPTY_UPDATE]
        self._captured.clear()
        if not captured:
            if self._holds(update):
                return None  # nothing new: a stale client's sync, an echo, a duplicate
            return update  # pending: not integrated yet, but it must be kept
        if captured == [update]:
            return update
        return merge_updates(update, *captured)

    def _holds(self, update: bytes) -> bool:
        try:
            return doc_holds(self.doc, update)
        except ValueError:
            return True

    # Messages from this process's connections --------------------------------------------

    def receive(self, conn: Connection, message: Message) -> None:
        """Handle one decoded message from a connection; raises ProtocolError on bad input."""
        match message:
            case SyncStep1(state_vector):
                try:
                    reply = sync_step2(self.doc.get_update(state_vector))
                except ValueError as error:
                    raise ProtocolError("malformed state vector") from error
                self.when_stored(lambda: conn.post(reply))
            case SyncStep2(update) | SyncUpdate(update):
                if conn.held is not None:
                    conn.held.append(update)
                elif not conn.read_only:
                    self._local_update(conn, update)
            case Awareness(update):
                self._local_awareness(conn, update)
            case QueryAwareness():
                entries = self.presence.entries()
                if entries:
                    conn.post(awareness_message(entries))
            case _:
                pass  # auth messages from clients carry nothing for the server

    def _local_update(self, conn: Connection, update: bytes) -> None:
        metrics.updates_received.inc()
        if update == EMPTY_UPDATE:
            return
        limit = self.hub.settings["MAX_DOCUMENT_BYTES"]
        if limit and self.size + len(update) > limit:
            raise UpdateRejected(4413, "the page would grow past its size limit")
        effective = self._apply(update)
        if effective is None:
            return
        metrics.updates_applied.inc()
        self.applied_seq += 1
        self.size += len(effective)
        if conn.identity.user_id is not None:
            self.contributors.add(conn.identity.user_id)
        self._unstored[self.applied_seq] = effective
        self.hub.writer.submit(
            PendingUpdate(self.page_id, effective, conn.identity.user_id, self._stored, context=self.applied_seq)
        )

    def _stored(self, pending: PendingUpdate, row_id: int | None) -> None:
        """The writer committed an update of this room: now everyone may see it."""
        self.stored_seq = pending.context
        self._unstored.pop(pending.context, None)
        if row_id is not None:
            metrics.updates_stored.inc()
            self.updates_stored_here += 1
            self.known_ids.add(row_id)
            self.hub.saw_row(row_id)
            self.log_rows += 1
            self._forward(pending.data)
            self.hub.publish_updates(self, [(row_id, pending.data)])
        started = time.perf_counter()
        while self._waiters and self._waiters[0][0] <= self.stored_seq:
            self._waiters.popleft()[1]()
        metrics.fanout_latency.observe(time.perf_counter() - started)

    def when_stored(self, action: Callable[[], None]) -> None:
        """Run `action` once everything applied so far is stored (at once if it is)."""
        if self.stored_seq >= self.applied_seq:
            action()
        else:
            self._waiters.append((self.applied_seq, action))

    def _forward(self, update: bytes | None) -> None:
        """Send a stored update to every connection here and note the change."""
        if update is None:
            return
        frame = sync_update(update)
        for conn in self.connections:
            conn.post(frame)
        metrics.updates_broadcast.inc(len(self.connections))
        self.changed_at = time.monotonic()
        if self.dirty_since is None:
            self.dirty_since = self.changed_at
        if self.version_dirty_since is None:
            self.version_dirty_since = self.changed_at

    def _local_awareness(self, conn: Connection, update: bytes) -> None:
        limit = self.hub.settings["MAX_AWARENESS_BYTES"]
        if limit and len(update) > limit:
            raise UpdateRejected(4413, "awareness state too large")
        entries = decode_awareness(update)
        accepted = self.presence.apply(entries, owner=conn.id)
        if not accepted:
            return
        for entry in accepted:
            if entry.removed:
                conn.client_ids.discard(entry.client_id)
            else:
                conn.client_ids.add(entry.client_id)
        self._broadcast_awareness(accepted)
        self.hub.publish_awareness(self, accepted)

    def _broadcast_awareness(self, entries: list[AwarenessEntry]) -> None:
        frame = awareness_message(entries)
        for conn in self.connections:
            conn.post(frame)

    # Messages from other processes -------------------------------------------------------

    def apply_remote_updates(self, rows: list[tuple[int, bytes]]) -> None:
        """Apply log rows another process (or a REST write) stored, skipping known ones."""
        for row_id, data in rows:
            if row_id in self.known_ids or row_id <= self.hub.floor_for(self):
                continue
            self.known_ids.add(row_id)
            self.hub.saw_row(row_id)
            self.log_rows += 1
            metrics.updates_remote.inc()
            try:
                effective = self._apply(data)
            except ProtocolError:
                logger.error("stored update %s does not apply", row_id, extra={"page_id": str(self.page_id)})
                continue
            if effective is not None:
                self.size += len(effective)
                self._forward(effective)

    def apply_remote_awareness(self, entries: list[AwarenessEntry]) -> None:
        accepted = self.presence.apply(entries)
        if accepted:
            self._broadcast_awareness(accepted)

    # Connections -------------------------------------------------------------------------

    def greet(self, conn: Connection) -> None:
        """What a new connection gets first: our state vector and who is here."""
        step1 = sync_step1(self.doc.get_state())
        self.when_stored(lambda: conn.post(step1))
        entries = self.presence.entries()
        if entries:
            conn.post(awareness_message(entries))

    def leave(self, conn: Connection) -> None:
        self.connections.discard(conn)
        removed = self.presence.remove(conn.client_ids)
        if removed:
            self._broadcast_awareness(removed)
            self.hub.publish_awareness(self, removed)

    def apply_access(self, conn: Connection, close_code: int | None, read_only: bool) -> None:
        """A connection's rights changed: close it, or switch it to or from read-only."""
        if close_code is not None:
            conn.close(close_code)  # the consumer's disconnect then takes it out of the room
            return
        if read_only and not conn.read_only:
            conn.post(encode_message(AuthDenied("read-only")))
        conn.read_only = read_only

    def release(self, conn: Connection) -> None:
        """The access re-check that held this connection's updates is done: apply them if it
        may still write, drop them if not (the client keeps them; they were never shown)."""
        held, conn.held = conn.held, None
        if not held or conn.closed or conn.read_only:
            return
        try:
            for update in held:
                self._local_update(conn, update)
        except (ProtocolError, UpdateRejected) as error:
            code = error.code if isinstance(error, UpdateRejected) else MALFORMED
            logger.info("closing the connection with %s: %s", code, error, extra={"conn_id": conn.id})
            conn.close(code)

    def keep_alive(self, idle: float, frame: bytes) -> None:
        cutoff = time.monotonic() - idle
        for conn in self.connections:
            if conn.last_sent < cutoff:
                conn.post(frame)

    def expire_presence(self, max_age: float) -> None:
        removed = self.presence.expire(max_age)
        if removed:
            self._broadcast_awareness(removed)

    def dispose(self) -> None:
        """Let the document go: the observer held by Yrs refers back to this room, a cycle
        Python's garbage collector cannot see through, so an unloaded room would never be freed."""
        if self._subscription is not None:
            self.doc.unobserve(self._subscription)
            self._subscription = None
        self.connections.clear()
        self._waiters.clear()
        self.unload_handle = None  # its callback refers back to this room

    def peer_seen(self) -> None:
        self._peer_seen = time.monotonic()

    def has_peers(self) -> bool:
        """Whether another process held this page recently (three heartbeats' time)."""
        return time.monotonic() - self._peer_seen < 15.0

    @property
    def settled(self) -> bool:
        return self.stored_seq >= self.applied_seq

    async def wait_settled(self) -> None:
        """Wait until every update applied so far is stored."""
        done = asyncio.get_running_loop().create_future()
        self.when_stored(lambda: done.done() or done.set_result(None))
        await done
