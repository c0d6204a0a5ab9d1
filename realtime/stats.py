"""Load snapshots: connections per page, recent update rates and who is on each page.

Each process builds a small snapshot every LOAD_STATS_INTERVAL_SECONDS. With Redis it stores
it under `<prefix>:load:<process id>` with a short expiry, so a process that dies drops off
by itself; readers take every process's key. Without Redis there is one process, and readers
take its snapshot from memory. The staff load page and the page list's "editing now" counts
(`people_by_page`) both read them.
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

from documents.selectors.presence import PagePresence
from realtime.redis_client import redis_client

if TYPE_CHECKING:
    from realtime.hub import Hub
    from realtime.rooms import Room

logger = logging.getLogger(__name__)

RATE_WINDOWS = (10, 60)

# A page's snapshot lists its people's user ids up to this many (so that a user with tabs on
# two processes counts once); beyond it, only counts, which may then count someone twice.
PEOPLE_IDS_MAX = 200
# The page list asks every ~10 s per open tab; one Redis scan per second per process is plenty.
PEOPLE_CACHE_SECONDS = 1.0
# With Redis unreachable each read waits for its timeout: the page list must not, every second.
PEOPLE_RETRY_SECONDS = 10.0

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


def _people(room: Room) -> dict[str, Any]:
    """Distinct signed-in users on the page, and those of them who may edit (a user with a
    read-only tab and a writable one is editing)."""
    users = {conn.identity.user_id for conn in room.connections if conn.identity.user_id is not None}
    editing = {
        conn.identity.user_id for conn in room.connections if conn.identity.user_id is not None and not conn.read_only
    }
    people: dict[str, Any] = {"people": len(users), "people_editing": len(editing)}
    if len(users) <= PEOPLE_IDS_MAX:
        people["user_ids"] = sorted(users)
        people["editor_ids"] = sorted(editing)
    return people


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
        still = {f"rate_{window}s": 0.0 for window in RATE_WINDOWS}
        for room in rooms:
            samples = self._samples.setdefault(room, deque())
            samples.append((now, room.updates_stored_here))
            while len(samples) > 2 and samples[1][0] < now - keep:
                samples.popleft()
            # The count only grows: the same at both ends means no update in any window (most
            # open pages, most of the time).
            if samples[0][1] == samples[-1][1]:
                rates = still
            else:
                rates = {f"rate_{window}s": _rate(samples, now, window) for window in RATE_WINDOWS}
            pages[str(room.page_id)] = {
                "connections": len(room.connections),
                "editors": sum(1 for conn in room.connections if not conn.read_only),
                **_people(room),
                "updates_stored": room.updates_stored_here,
                **rates,
            }
        live = set(rooms)
        for room in [room for room in self._samples if room not in live]:
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


def people_by_page(snapshots: list[dict[str, Any]]) -> dict[str, PagePresence]:
    """Distinct people on each page across processes, and how many of them may edit.

    A user with tabs on two processes counts once when both list their ids; a snapshot without
    ids (a crowded page, or a process of an older release during a rolling deploy) adds its
    counts, or failing those its connections.
    """
    ids: dict[str, tuple[set[int], set[int]]] = {}
    extra: dict[str, list[int]] = {}
    for snapshot in snapshots:
        for page_id, load in snapshot.get("pages", {}).items():
            if "user_ids" in load:
                users, editors = ids.setdefault(page_id, (set(), set()))
                users.update(load["user_ids"])
                editors.update(load.get("editor_ids", ()))
            else:
                counts = extra.setdefault(page_id, [0, 0])
                counts[0] += load.get("people", load.get("connections", 0))
                counts[1] += load.get("people_editing", load.get("editors", 0))
    result: dict[str, PagePresence] = {}
    for page_id in ids.keys() | extra.keys():
        users, editors = ids.get(page_id, (set(), set()))
        more_people, more_editing = extra.get(page_id, (0, 0))
        people = len(users) + more_people
        if people > 0:
            result[page_id] = PagePresence(people=people, editing=min(people, len(editors) + more_editing))
    return result


# (valid until, counts)
_people_cache: tuple[float, dict[str, PagePresence]] | None = None


def people_now() -> dict[str, PagePresence]:
    """`people_by_page` of every live process's latest snapshot, at most a second old (with
    Redis unreachable: this process's own, for a while before asking Redis again).

    Registered with `documents.selectors.presence` (see realtime/apps.py), which filters it by
    what the asking user may see.
    """
    global _people_cache
    now = time.monotonic()
    if _people_cache is not None and now < _people_cache[0]:
        return _people_cache[1]
    snapshots, error = cluster_snapshots()
    people = people_by_page(snapshots)
    _people_cache = (now + (PEOPLE_RETRY_SECONDS if error else PEOPLE_CACHE_SECONDS), people)
    return people
