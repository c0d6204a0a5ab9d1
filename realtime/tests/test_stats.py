"""Load snapshots per process and the staff load page that adds them up."""

import json
import time
from collections import deque

import pytest
from asgiref.sync import sync_to_async
from django.conf import settings
from redis import Redis

from realtime import stats
from realtime.stats import _rate, cluster_load, cluster_snapshots, load_key
from realtime.tests.conftest import settle


def test_rate_is_updates_per_second_over_the_window():
    """The rate over a window starts at the last sample at or before the window's start."""
    samples = deque([(0.0, 0), (5.0, 10), (10.0, 30), (20.0, 50)])
    assert _rate(samples, 20.0, 10) == 2.0  # (50 - 30) / (20 - 10)
    assert _rate(samples, 20.0, 60) == 2.5  # (50 - 0) / 20
    assert _rate(deque([(1.0, 5)]), 1.0, 10) == 0.0


def test_cluster_load_adds_up_pages_across_processes():
    """A page open in two processes shows its connections per process and in total."""
    now = time.time()
    a = {
        "process": "a",
        "at": now,
        "connections": 3,
        "rate_10s": 2.0,
        "rate_60s": 1.0,
        "pages": {"p1": {"connections": 2, "editors": 2, "rate_10s": 1.5, "rate_60s": 1.0}},
    }
    a["pages"]["p2"] = {"connections": 1, "editors": 0, "rate_10s": 0.5, "rate_60s": 0.0}
    b = {
        "process": "b",
        "at": now - 4,
        "connections": 4,
        "rate_10s": 1.0,
        "rate_60s": 0.5,
        "pages": {"p1": {"connections": 4, "editors": 3, "rate_10s": 1.0, "rate_60s": 0.5}},
    }
    load = cluster_load([a, b])
    assert (load["connections"], load["rooms"], load["rate_10s"]) == (7, 2, 3.0)
    first, second = load["pages"]
    assert (first["page_id"], first["connections"], first["editors"], first["rate_10s"]) == ("p1", 6, 5, 2.5)
    assert first["per_process"] == [2, 4]
    assert second["per_process"] == [1, 0]
    assert [round(p["age"]) for p in load["processes"]] == [0, 4]


@pytest.mark.django_db(transaction=True)
async def test_a_process_publishes_its_load_to_redis_and_withdraws_it_on_stop(hub, connect, page, user):
    """The snapshot counts the room's connections and stored updates; it expires by itself,
    and a process that stops removes it at once."""
    alice = await connect(page, user, name="a")
    bob = await connect(page, user, name="b")
    alice.append("x")
    await settle(alice, bob)
    await hub.load_stats.publish()
    snapshot = stats.latest_local
    assert snapshot["process"] == hub.process_id
    assert snapshot["connections"] == 2
    assert snapshot["pages"][str(page.id)]["connections"] == 2
    assert snapshot["pages"][str(page.id)]["editors"] == 2
    assert snapshot["pages"][str(page.id)]["updates_stored"] == 1

    redis = Redis.from_url(settings.REDIS_URL)
    key = load_key(hub.process_id)
    assert json.loads(redis.get(key))["pages"][str(page.id)]["connections"] == 2
    assert 0 < redis.ttl(key) <= max(10, int(5 * settings.LOAD_STATS_INTERVAL_SECONDS))
    snapshots, error = await sync_to_async(cluster_snapshots)()
    assert error is None
    assert hub.process_id in [s["process"] for s in snapshots]
    await hub.stop()
    assert redis.get(key) is None
    redis.close()


@pytest.mark.django_db
def test_the_load_page_is_for_staff_only(client, user, make_user, page, monkeypatch):
    """Staff see processes and pages with titles; others are sent to the admin sign-in."""
    snapshot = {
        "process": "p",
        "address": "127.0.0.1:8001",
        "host": "h",
        "pid": 1,
        "at": time.time(),
        "connections": 2,
        "rooms": 1,
        "writer_pending": 0,
        "writer_healthy": True,
        "stopping": False,
        "rate_10s": 1.5,
        "rate_60s": 0.5,
        "pages": {str(page.id): {"connections": 2, "editors": 1, "rate_10s": 1.5, "rate_60s": 0.5}},
    }
    monkeypatch.setattr("realtime.views.cluster_snapshots", lambda: ([snapshot], None))
    client.force_login(user)
    assert client.get("/admin/live/").status_code == 302
    staff = make_user("ops", is_staff=True)
    client.force_login(staff)
    response = client.get("/admin/live/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "127.0.0.1:8001" in body
    assert page.title in body
    assert 'href="/admin/live/"' in client.get("/admin/").content.decode()
    fragment = client.get("/admin/live/?fragment=1").content.decode()
    assert page.title in fragment
    assert "<html" not in fragment
