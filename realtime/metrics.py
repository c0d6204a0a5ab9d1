"""Prometheus metrics of the realtime side (served at /metrics, one registry per process)."""

from prometheus_client import REGISTRY, Counter, Gauge, Histogram
from prometheus_client.core import CounterMetricFamily

LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

connections_open = Gauge("collab_connections_open", "Open WebSocket connections")
rooms_active = Gauge("collab_rooms_active", "Rooms (pages) loaded in this process")
connections_closed = Counter(
    "collab_connections_closed_total", "Connections ended, by close code and its meaning", ["code", "reason"]
)

updates_received = Counter("collab_updates_received_total", "Updates received from clients")
updates_applied = Counter("collab_updates_applied_total", "Updates that changed a room's document")
updates_stored = Counter("collab_updates_stored_total", "Updates appended to the update log")
updates_broadcast = Counter("collab_updates_broadcast_total", "Update messages sent to connections")
updates_remote = Counter("collab_updates_remote_total", "Updates received from other processes")


class Tally:
    """A counter for the per-frame hot path: a plain integer, read at scrape time.

    prometheus_client's Counter takes a lock on every increment; these are only ever
    incremented on the event loop's thread.
    """

    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value = 0

    def inc(self, amount: int = 1) -> None:
        self.value += amount


class _TallyCollector:
    def __init__(self, tallies: dict[str, tuple[Tally, str]]) -> None:
        self._tallies = tallies

    def collect(self):
        for name, (tally, documentation) in self._tallies.items():
            yield CounterMetricFamily(name, documentation, value=tally.value)


bytes_in = Tally()
bytes_out = Tally()
frames_direct = Tally()
frames_asgi = Tally()
REGISTRY.register(
    _TallyCollector(
        {
            "collab_bytes_in": (bytes_in, "WebSocket bytes received"),
            "collab_bytes_out": (bytes_out, "WebSocket bytes sent"),
            "collab_frames_direct": (frames_direct, "Frames written straight to the socket (realtime/wsserver)"),
            "collab_frames_asgi": (frames_asgi, "Frames sent through the ASGI interface"),
        }
    )
)

store_latency = Histogram(
    "collab_update_store_seconds", "From applying an update to its row being committed", buckets=LATENCY_BUCKETS
)
fanout_latency = Histogram(
    "collab_fanout_seconds", "From an update's commit to it being queued on every connection", buckets=LATENCY_BUCKETS
)
store_batch_size = Histogram(
    "collab_store_batch_rows", "Rows written per group commit", buckets=(1, 2, 5, 10, 20, 50, 100, 200, 500)
)
access_batch_size = Histogram(
    "collab_access_batch_connections",
    "Connections decided per access query",
    buckets=(1, 2, 5, 10, 20, 50, 100, 200, 500),
)
load_batch_size = Histogram(
    "collab_load_batch_pages",
    "Pages loaded per query",
    buckets=(1, 2, 5, 10, 20, 50, 100, 200, 500),
)
store_failures = Counter("collab_store_failures_total", "Failed attempts to write a batch of updates")
repairs = Counter("collab_repairs_total", "Updates a process picked up from the log after missing them")
resyncs = Counter("collab_resyncs_total", "Rooms reloaded from the database to repair a gap")
compactions = Counter("collab_compactions_total", "Compactions of a page's update log")
compaction_seconds = Histogram("collab_compaction_seconds", "Duration of a compaction", buckets=LATENCY_BUCKETS)
writer_pending = Gauge("collab_store_pending_updates", "Updates applied and waiting to be stored")
writer_healthy = Gauge("collab_store_healthy", "1 while the update writer stores, 0 while it retries")
layer_published = Counter(
    "collab_layer_published_total", "Messages this process published to the channel layer", ["type"]
)
layer_failures = Counter("collab_layer_publish_failures_total", "Failed attempts to publish to the channel layer")

# What each close code means (documented in the README); any other code counts as "other".
CLOSE_REASONS = {
    1000: "normal",
    1001: "going_away",
    1005: "no_status",
    1006: "abnormal",
    1011: "server_error",
    1012: "service_restart",
    1013: "page_full",
    4400: "malformed",
    4401: "not_signed_in",
    4403: "forbidden",
    4404: "no_such_page",
    4408: "slow_consumer",
    4413: "too_large",
    4429: "too_fast",
}


def count_close(code: int | None) -> None:
    """Count one ended connection; client-chosen codes outside the table share one label."""
    code = 1005 if code is None else code
    reason = CLOSE_REASONS.get(code)
    if reason is None:
        connections_closed.labels("other", "other").inc()
    else:
        connections_closed.labels(str(code), reason).inc()
