"""The WebSocket of a page: authorise, decode, hand every message to the page's Room."""

from __future__ import annotations

import logging
import time
from typing import Any
from uuid import UUID

from channels.consumer import get_handler_name
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.db import DatabaseError

from collab_site.logs import bind_log_context
from realtime import metrics
from realtime.auth import (
    MALFORMED,
    NO_SUCH_PAGE,
    SERVICE_RESTART,
    TOO_FAST,
    TOO_LARGE,
    TRY_AGAIN_LATER,
    Access,
    credentials_from_scope,
)
from realtime.connection import Connection
from realtime.hub import Hub, get_hub
from realtime.protocol import AuthDenied, ProtocolError, decode_message, encode_message
from realtime.rooms import PageMissing, Room, UpdateRejected
from realtime.wsserver import direct_writer

logger = logging.getLogger(__name__)


class PageConsumer(AsyncWebsocketConsumer):
    # Rooms share one layer channel per process (see realtime/hub.py); a channel per
    # connection would cost a pending receive task and a Redis subscription each.
    channel_layer_alias = "__none__"

    conn: Connection | None = None
    room: Room | None = None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """Read the socket's messages one after another. Channels' own loop waits on a new
        task per message so that it can also read a layer channel, which rooms do instead."""
        self.scope = scope
        self.channel_layer = None
        self.base_send = send
        try:
            while True:
                await self.dispatch(await receive())
        except StopConsumer:
            pass

    async def dispatch(self, message: dict[str, Any]) -> None:
        """Call the handler directly: this consumer does no ORM work, so Channels' per-message
        close_old_connections() thread hop would be pure cost."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def websocket_connect(self, message: dict[str, Any]) -> None:
        # Accept first: closing before accept() answers HTTP 403 without our close code.
        await self.accept()
        page_id = self.scope["url_route"]["kwargs"]["page_id"]
        hub = get_hub()
        await hub.start()
        try:
            access, decided_after = await self._decide(hub, page_id)
        except DatabaseError:
            # The database is away: the client retries, as after any close.
            logger.warning("cannot check a connection: the database is unavailable", extra={"page_id": str(page_id)})
            access, decided_after = Access(TRY_AGAIN_LATER), 0
        if hub.stopping:  # this process is shutting down: the client reconnects elsewhere
            access = Access(SERVICE_RESTART)
        if access.close_code is not None:
            logger.info("refused a connection with %s", access.close_code, extra={"page_id": str(page_id)})
            await self.close(access.close_code)
            metrics.count_close(access.close_code)
            return
        limits = settings.REALTIME
        self.conn = Connection(
            identity=access.identity,
            read_only=access.read_only,
            send=self._send_frame,
            close=self.close,
            write=direct_writer(self.base_send) if limits["DIRECT_WRITES"] else None,
            rate=limits["MESSAGES_PER_SECOND"],
            burst=limits["MESSAGE_BURST"],
        )
        # Every log line of this connection's task says which page, connection and user it is about.
        bind_log_context(page_id=str(page_id), conn_id=self.conn.id, user_id=access.identity.user_id)
        logger.debug("connection opened%s", " (read-only)" if access.read_only else "")
        metrics.connections_open.inc()
        if access.read_only:
            # Tell the client it is read-only (y-protocols auth message); it stays connected.
            self.conn.post(encode_message(AuthDenied("read-only")))
        try:
            self.room = await hub.join(page_id, self.conn, decided_after=decided_after)
        except PageMissing:
            self.conn.close(NO_SUCH_PAGE)
        except UpdateRejected as refusal:
            self._refuse(refusal.code, str(refusal))
        except DatabaseError:
            logger.warning("cannot load the page: the database is unavailable")
            self.conn.close(TRY_AGAIN_LATER)

    async def _decide(self, hub: Hub, page_id: UUID) -> tuple[Access, int]:
        """The connection's verdict, and how many access changes the process had heard of
        before it was read: a verdict read while a change was announced may predate it, and
        is read again (see Hub.join for changes that come while the page loads)."""
        credentials = credentials_from_scope(self.scope)
        for _ in range(3):
            changes = hub.access_changes
            access = await hub.decide((credentials, page_id))
            if hub.access_changes == changes:
                return access, changes
        return Access(TRY_AGAIN_LATER), changes

    async def _send_frame(self, frame: bytes) -> None:
        await self.base_send({"type": "websocket.send", "bytes": frame})

    async def websocket_receive(self, message: dict[str, Any]) -> None:
        conn, room = self.conn, self.room
        if conn is None or room is None or conn.closed:
            return
        frame = message.get("bytes")
        if frame is None:
            self._refuse(MALFORMED, "text frame")
            return
        metrics.bytes_in.inc(len(frame))
        if len(frame) > settings.REALTIME["MAX_MESSAGE_BYTES"]:
            self._refuse(TOO_LARGE, f"message of {len(frame)} bytes")
            return
        if not conn.allow_message():
            self._refuse(TOO_FAST, "too many messages")
            return
        try:
            room.receive(conn, decode_message(frame))
        except ProtocolError as error:
            self._refuse(MALFORMED, str(error))
        except UpdateRejected as error:
            self._refuse(error.code, str(error))

    def _refuse(self, code: int, reason: str) -> None:
        """One log line per refused connection, never a traceback per frame."""
        logger.info("closing the connection with %s: %s", code, reason)
        if self.conn is not None:
            self.conn.close(code)

    async def websocket_disconnect(self, message: dict[str, Any]) -> None:
        conn = self.conn
        if conn is not None:
            conn.closed = True
            metrics.connections_open.dec()
            code = conn.close_code
            if code is None:  # the client (or the server shutting down) closed it
                code = message.get("code", 1005)
                metrics.count_close(code)
            logger.debug("connection closed with %s after %.1f s", code, time.monotonic() - conn.opened_at)
            if self.room is not None:
                get_hub().leave(self.room, conn)
            # The connection refers to this consumer (its send and close); without this the
            # pair, and the room, would wait for a full garbage collection to be freed.
            conn.detach()
            self.conn = self.room = None
        raise StopConsumer


class UnknownPathConsumer(AsyncWebsocketConsumer):
    """Any other WebSocket path: a clean 4404 instead of Channels' HTTP 500."""

    channel_layer_alias = "__none__"

    async def connect(self) -> None:
        await self.accept()
        await self.close(NO_SUCH_PAGE)
