"""Load snapshots for the staff load page: connections per page and recent update rates.

Each process builds a small snapshot every LOAD_STATS_INTERVAL_SECONDS. With Redis it stores
it under `<prefix>:load:<process id>` with a short expiry, so a process that dies drops off
the page by itself; the page reads every process's key. Without Redis there is one process,
and the page reads its snapshot from memory.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
from collections import deque
from typing import TYPE_CHECKING, Any

from django.conf import settings

from realtime.redis_client import redis_client

if TYPE_CHECKING:
    from realtime.hub import Hub
    from realtime.rooms import Room

logger = logging.getLogger(__name__)

RATE_WINDOWS = (10, 60)

# The newest snapshot of this process (what the page shows when there is no Redis).
latest_local: dict[str, Any] | None = None


def load_key(process_id: str) -> str:
    return f"{settings.REDIS_PREFIX}:load:{process_id}"


def _rate(samples: deque[tuple[float, int]], now: float, window: float) -> float:
    """Updates per second over the last `window` seconds (or as long as we have samples)."""
    newest_time, newest = samples[-1]
    base_time, base = samples[0]
    for sample_time, count in samples:
        if sample_time >= now - window:
            break
        base_time, base = sample_time, count
    elapsed = newest_time - base_time
    return round((newest - base) / elapsed, 2) if elapsed > 0 else 0.0


class LoadStats:
    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.started_at = time.time()
        # Samples of each room's count of stored updates; keyed by Room, so a page that
        # unloads and loads again starts afresh.
        self._samples: dict[Room, deque[tuple[float, int]]] = {}

    def snapshot(self) -> dict[str, Any]:
        now = time.monotonic()
        keep = max(RATE_WINDOWS) + 2 * settings.LOAD_STATS_INTERVAL_SECONDS
        pages: dict[str, dict[str, Any]] = {}
        rooms = [room for room in self.hub.rooms.values() if room.ready.is_set() and room.failed is None]
        for room in rooms:
            samples = self._samples.setdefault(room, deque())
            samples.append((now, room.updates_stored_here))
            while len(samples) > 2 and samples[1][0] < now - keep:
                samples.popleft()
            pages[str(room.page_id)] = {
                "connections": len(room.connections),
                "editors": sum(1 for conn in room.connections if not conn.read_only),
                "updates_stored": room.updates_stored_here,
                **{f"rate_{window}s": _rate(samples, now, window) for window in RATE_WINDOWS},
            }
        for room in [room for room in self._samples if room not in set(rooms)]:
            del self._samples[room]
        writer = self.hub.writer
        return {
            "process": self.hub.process_id,
            "address": os.environ.get("COLLAB_SERVER_ADDRESS", ""),
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "started_at": self.started_at,
            "at": time.time(),
            "connections": sum(page["connections"] for page in pages.values()),
            "rooms": len(self.hub.rooms),
            "writer_pending": writer.pending,
            "writer_healthy": writer.healthy,
            "stopping": self.hub.stopping,
            **{f"rate_{w}s": round(sum(p[f"rate_{w}s"] for p in pages.values()), 2) for w in RATE_WINDOWS},
            "pages": pages,
        }

    async def publish(self) -> None:
        """Take a snapshot, keep it in memory and, with Redis, store it for the other processes."""
        global latest_local
        snapshot = self.snapshot()
        latest_local = snapshot
        client = redis_client()
        if client is not None:
            ttl = max(10, int(5 * settings.LOAD_STATS_INTERVAL_SECONDS))
            await client.set(load_key(self.hub.process_id), json.dumps(snapshot), ex=ttl)

    async def withdraw(self) -> None:
        """Remove this process from the load page (it is shutting down)."""
        global latest_local
        latest_local = None
        client = redis_client()
        if client is not None:
            await client.delete(load_key(self.hub.process_id))


def cluster_snapshots() -> tuple[list[dict[str, Any]], str | None]:
    """Every live process's latest snapshot (synchronous, for the view), and an error if any."""
    if not settings.REDIS_URL:
        return ([latest_local] if latest_local else []), None
    import redis

    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
        try:
            keys = sorted(client.scan_iter(match=load_key("*"), count=500))
            values = client.mget(keys) if keys else []
        finally:
            client.close()
    except redis.RedisError as error:
        local = [latest_local] if latest_local else []
        return local, f"Redis did not answer ({error.__class__.__name__}); showing this process only."
    snapshots = [json.loads(value) for value in values if value]
    return sorted(snapshots, key=lambda s: (s.get("address", ""), s.get("process", ""))), None
