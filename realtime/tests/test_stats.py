"""Load snapshots per process and the staff load page that adds them up."""

import json
import time
from collections import deque

import pytest
from asgiref.sync import sync_to_async
from django.conf import settings
from redis import Redis

from documents.models import PageMember, Role
from documents.services.pages import page_create
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


def test_people_by_page_counts_a_person_once_across_processes():
    """A user with tabs on two processes counts once; a viewer with a writable tab elsewhere is
    editing; snapshots without ids (a crowded page, an older process) add their counts."""
    a = {"pages": {"p1": {"connections": 3, "user_ids": [1, 2], "editor_ids": [1]}}}
    b = {
        "pages": {
            "p1": {"connections": 2, "user_ids": [1, 2], "editor_ids": [2]},
            "p2": {"connections": 1, "user_ids": [3], "editor_ids": []},
        }
    }
    crowded = {"pages": {"p3": {"connections": 300, "people": 250, "people_editing": 240}}}
    older = {"pages": {"p3": {"connections": 2, "editors": 1}, "p4": {"connections": 0, "editors": 0}}}
    people = stats.people_by_page([a, b, crowded, older])
    assert people == {
        "p1": stats.PagePresence(people=2, editing=2),
        "p2": stats.PagePresence(people=1, editing=0),
        "p3": stats.PagePresence(people=252, editing=241),
    }


@pytest.mark.django_db(transaction=True)
async def test_the_snapshot_counts_distinct_people_and_those_who_may_edit(
    hub, connect, page, user, other_user, make_user, monkeypatch
):
    """Two tabs of one editor and a viewer: two people on the page, one editing, read back
    from Redis as the page list does."""
    viewer = await sync_to_async(make_user)("carol")
    await sync_to_async(PageMember.objects.create)(page=page, user=viewer, role=Role.VIEWER)
    await connect(page, user, name="tab 1")
    await connect(page, user, name="tab 2")
    await connect(page, viewer)
    await hub.load_stats.publish()
    load = stats.latest_local["pages"][str(page.id)]
    assert (load["connections"], load["people"], load["people_editing"]) == (3, 2, 1)
    assert load["user_ids"] == sorted([user.pk, viewer.pk])
    assert load["editor_ids"] == [user.pk]

    monkeypatch.setattr(stats, "latest_local", None)  # so the counts can only come from Redis
    monkeypatch.setattr(stats, "_people_cache", None)
    people = await sync_to_async(stats.people_now)()
    assert people[str(page.id)] == stats.PagePresence(people=2, editing=1)


def test_people_now_reads_the_in_memory_snapshot_without_redis(settings, monkeypatch):
    """One process without Redis: the counts come from its own latest snapshot, and are
    reused for a second rather than read again for every request."""
    settings.REDIS_URL = ""
    monkeypatch.setattr(stats, "_people_cache", None)
    monkeypatch.setattr(stats, "latest_local", {"pages": {"p": {"user_ids": [1], "editor_ids": [1]}}})
    assert stats.people_now() == {"p": stats.PagePresence(people=1, editing=1)}
    monkeypatch.setattr(stats, "latest_local", None)
    assert stats.people_now() == {"p": stats.PagePresence(people=1, editing=1)}
    monkeypatch.setattr(stats, "_people_cache", None)
    assert stats.people_now() == {}


@pytest.mark.django_db
def test_the_presence_endpoint_sums_the_processes_snapshots_in_redis(client, user, other_user, monkeypatch):
    """Snapshots of two processes, stored as the processes store them: the page list's endpoint
    counts a person on both once, and tells each user only about pages they may see."""
    mine = page_create(owner=user, title="Mine")
    theirs = page_create(owner=other_user, title="Theirs")
    redis = Redis.from_url(settings.REDIS_URL)
    snapshots = {
        "proc-a": {str(mine.id): {"connections": 1, "user_ids": [user.pk], "editor_ids": [user.pk]}},
        "proc-b": {
            str(mine.id): {"connections": 2, "user_ids": [user.pk, other_user.pk], "editor_ids": [user.pk]},
            str(theirs.id): {"connections": 1, "user_ids": [other_user.pk], "editor_ids": [other_user.pk]},
        },
    }
    try:
        for process, pages in snapshots.items():
            redis.set(load_key(process), json.dumps({"process": process, "at": time.time(), "pages": pages}), ex=30)
        monkeypatch.setattr(stats, "_people_cache", None)
        client.force_login(user)
        assert client.get("/api/pages/presence/").json() == {str(mine.id): {"people": 2, "editing": 1}}
        assert ">1 editing</span>" in client.get("/").content.decode()
    finally:
        redis.delete(*(load_key(process) for process in snapshots))
        redis.close()


def test_people_now_backs_off_while_redis_is_unreachable(monkeypatch):
    """A Redis that does not answer costs its timeout once per retry period, not every request;
    meanwhile this process's own snapshot still counts."""
    calls = []

    def unreachable():
        calls.append(1)
        return [{"pages": {"p": {"user_ids": [1], "editor_ids": []}}}], "Redis did not answer"

    monkeypatch.setattr(stats, "cluster_snapshots", unreachable)
    monkeypatch.setattr(stats, "_people_cache", None)
    assert stats.people_now() == {"p": stats.PagePresence(people=1, editing=0)}
    clock = time.monotonic()
    monkeypatch.setattr(stats.time, "monotonic", lambda: clock + stats.PEOPLE_RETRY_SECONDS - 1)
    stats.people_now()
    assert len(calls) == 1
    monkeypatch.setattr(stats.time, "monotonic", lambda: clock + stats.PEOPLE_RETRY_SECONDS + 1)
    stats.people_now()
    assert len(calls) == 2


def test_snapshot_rates_of_a_busy_page_and_of_one_that_went_quiet(monkeypatch):
    """A page with updates in the window reports them per second; a page whose last update
    is older than every sample reports 0 (the shortcut for unchanged counts), and one that
    changed only early in the 60 s window still shows it there."""
    from types import SimpleNamespace
    from uuid import uuid4

    class Ready:
        def is_set(self):
            return True

    class Room:  # hashable, as the snapshot keys its samples by room
        def __init__(self, stored):
            self.page_id, self.ready, self.failed = uuid4(), Ready(), None
            self.connections, self.updates_stored_here = set(), stored

    room = Room

    busy, quiet, earlier = room(0), room(7), room(0)
    hub = SimpleNamespace(
        rooms={r.page_id: r for r in (busy, quiet, earlier)},
        process_id="p",
        writer=SimpleNamespace(pending=0, healthy=True),
        stopping=False,
    )
    load = stats.LoadStats(hub)
    clock = [100.0]
    monkeypatch.setattr(stats.time, "monotonic", lambda: clock[0])
    for step in range(16):  # every 2 s for 30 s
        busy.updates_stored_here = 10 * step
        earlier.updates_stored_here = 40 if step >= 1 else 0
        snapshot = load.snapshot()
        clock[0] += 2.0
    pages = snapshot["pages"]
    assert pages[str(busy.page_id)]["rate_10s"] == 5.0
    assert pages[str(quiet.page_id)]["rate_10s"] == pages[str(quiet.page_id)]["rate_60s"] == 0.0
    assert pages[str(earlier.page_id)]["rate_10s"] == 0.0
    assert pages[str(earlier.page_id)]["rate_60s"] > 0
