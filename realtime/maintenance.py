"""Work a room needs besides editing: rendering its content, versioning it, compacting its log.

Run from the Hub's tick every half second and when a room unloads; each job runs on a
database thread and never blocks editing.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from collab_site.logs import context_with
from documents.models import PageVersion
from documents.rendering import render
from documents.services.content import page_compact, page_rendered_save
from documents.services.versions import page_version_create
from realtime import metrics
from realtime.db import db_call

if TYPE_CHECKING:
    from realtime.hub import Hub
    from realtime.rooms import Room

logger = logging.getLogger(__name__)

# Render at least this often during continuous editing, even if the page never goes quiet.
RENDER_MAX_WAIT_SECONDS = 5.0


class RoomMaintenance:
    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self._rendered: dict[Room, float] = {}
        self._busy: set[tuple[Room, str]] = set()

    def tick(self) -> None:
        now = time.monotonic()
        delay = self.hub.settings["RENDER_DELAY_SECONDS"]
        threshold = self.hub.settings["COMPACT_AFTER_UPDATES"]
        for room in list(self.hub.rooms.values()):
            if not room.ready.is_set() or room.failed:
                continue
            changed = room.changed_at
            if changed is not None and changed > self._rendered.get(room, 0.0):
                first = room.dirty_since or changed
                if now - changed >= delay or now - first >= RENDER_MAX_WAIT_SECONDS:
                    self._start(room, "render", self.render(room))
            since = room.version_dirty_since
            if since is not None and changed is not None:
                quiet = now - changed >= self.hub.settings["VERSION_QUIET_SECONDS"]
                overdue = now - since >= self.hub.settings["VERSION_MAX_INTERVAL_SECONDS"]
                if quiet or overdue:
                    self._start(room, "version", self.version(room))
            if room.log_rows >= threshold:
                min_age = timedelta(seconds=self.hub.settings["COMPACT_MIN_AGE_SECONDS"])
                self._start(room, "compact", self.compact(room, min_age))

    def _start(self, room: Room, job: str, coro: Any) -> None:
        key = (room, job)
        if key in self._busy:
            coro.close()
            return
        self._busy.add(key)

        async def run() -> None:
            try:
                await coro
            except asyncio.CancelledError:
                raise
            except Exception as error:
                logger.warning("%s failed: %s", job, error)
            finally:
                self._busy.discard(key)

        self.hub.loop.create_task(run(), context=context_with(page_id=str(room.page_id)))

    async def render(self, room: Room) -> None:
        """Save the page's title, text and HTML as the document now has them."""
        mark = room.changed_at or time.monotonic()
        room.dirty_since = None
        rendered = render(room.doc)
        await db_call(
            page_rendered_save,
            page_id=room.page_id,
            title=rendered.title,
            text=rendered.text,
            html=rendered.html,
            edited_at=timezone.now(),
        )
        self._rendered[room] = mark

    async def version(self, room: Room) -> None:
        """Snapshot the stored page as an automatic version (skipped when nothing changed)."""
        room.version_dirty_since = None
        # Whatever this room applied is stored first, so the version holds it.
        await room.wait_settled()
        await db_call(page_version_create, page_id=room.page_id, reason=PageVersion.Reason.AUTO)

    async def compact(self, room: Room, min_age: timedelta) -> None:
        result = await db_call(page_compact, page_id=room.page_id, min_age=min_age)
        room.log_rows = max(0, room.log_rows - result.merged)
        if result.merged:
            metrics.compactions.inc()
            metrics.compaction_seconds.observe(result.seconds)
            # The estimate only grew with each update; re-measure the encoded document.
            room.size = len(room.doc.get_update())

    async def on_unload(self, room: Room) -> None:
        """A room's last chance, when its last editor left: render, version, merge the log."""
        try:
            if room.changed_at is not None and room.changed_at > self._rendered.get(room, 0.0):
                await self.render(room)
            if room.version_dirty_since is not None:
                await self.version(room)
            if room.log_rows:
                await self.compact(room, timedelta(0))
        except Exception as error:
            logger.warning("unloading the page: %s", error, extra={"page_id": str(room.page_id)})
        finally:
            self._rendered.pop(room, None)
