"""Prometheus metrics of the realtime side (served at /metrics)."""

from prometheus_client import Counter, Gauge, Histogram

LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

connections_open = Gauge("collab_connections_open", "Open WebSocket connections")
rooms_active = Gauge("collab_rooms_active", "Rooms (pages) loaded in this process")
connections_closed = Counter("collab_connections_closed_total", "Connections closed, by close code", ["code"])

updates_received = Counter("collab_updates_received_total", "Updates received from clients")
updates_applied = Counter("collab_updates_applied_total", "Updates that changed a room's document")
updates_stored = Counter("collab_updates_stored_total", "Updates appended to the update log")
updates_broadcast = Counter("collab_updates_broadcast_total", "Update messages sent to connections")
updates_remote = Counter("collab_updates_remote_total", "Updates received from other processes")
bytes_in = Counter("collab_bytes_in_total", "WebSocket bytes received")
bytes_out = Counter("collab_bytes_out_total", "WebSocket bytes sent")

store_latency = Histogram(
    "collab_update_store_seconds", "From applying an update to its row being committed", buckets=LATENCY_BUCKETS
)
fanout_latency = Histogram(
    "collab_fanout_seconds", "From an update's commit to it being queued on every connection", buckets=LATENCY_BUCKETS
)
store_batch_size = Histogram(
    "collab_store_batch_rows", "Rows written per group commit", buckets=(1, 2, 5, 10, 20, 50, 100, 200, 500)
)
store_failures = Counter("collab_store_failures_total", "Failed attempts to write a batch of updates")
repairs = Counter("collab_repairs_total", "Updates a process picked up from the log after missing them")
resyncs = Counter("collab_resyncs_total", "Rooms reloaded from the database to repair a gap")
compactions = Counter("collab_compactions_total", "Compactions of a page's update log")
compaction_seconds = Histogram("collab_compaction_seconds", "Duration of a compaction", buckets=LATENCY_BUCKETS)
