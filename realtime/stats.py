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
    """Updates per second since the last sample at or before `window` seconds ago (or the oldest)."""
    newest_time, newest = samples[-1]
    base_time, base = samples[0]
    for sample_time, count in samples:
        if sample_time > now - window:
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


def cluster_load(snapshots: list[dict[str, Any]], *, limit: int = 200) -> dict[str, Any]:
    """Add up the processes' snapshots: totals, and each page's load per process and overall."""
    now = time.time()
    processes = []
    pages: dict[str, dict[str, Any]] = {}
    for index, snapshot in enumerate(snapshots):
        processes.append({**snapshot, "age": round(max(0.0, now - snapshot.get("at", now)), 1), "index": index})
        for page_id, load in snapshot.get("pages", {}).items():
            page = pages.setdefault(
                page_id,
                {"page_id": page_id, "connections": 0, "editors": 0, "rate_10s": 0.0, "rate_60s": 0.0, "by": {}},
            )
            page["connections"] += load.get("connections", 0)
            page["editors"] += load.get("editors", 0)
            page["rate_10s"] = round(page["rate_10s"] + load.get("rate_10s", 0.0), 2)
            page["rate_60s"] = round(page["rate_60s"] + load.get("rate_60s", 0.0), 2)
            page["by"][index] = load.get("connections", 0)
    rows = sorted(pages.values(), key=lambda p: (-p["connections"], -p["rate_10s"], p["page_id"]))
    for row in rows:
        row["per_process"] = [row["by"].get(process["index"], 0) for process in processes]
    return {
        "processes": processes,
        "pages": rows[:limit],
        "hidden_pages": max(0, len(rows) - limit),
        "connections": sum(p.get("connections", 0) for p in snapshots),
        "rooms": len(pages),
        "rate_10s": round(sum(p.get("rate_10s", 0.0) for p in snapshots), 2),
        "rate_60s": round(sum(p.get("rate_60s", 0.0) for p in snapshots), 2),
    }
