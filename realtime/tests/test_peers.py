"""Cross-process messages: one per update per process, and none for pages held by one process."""

import asyncio

import pytest
from asgiref.sync import sync_to_async

from documents import events
from documents.services.pages import page_create
from realtime.hub import HOLDING, PEER
from realtime.tests.conftest import settle

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def published(hub, monkeypatch):
    """The messages this process hands to the channel layer, by type."""
    sent: list[dict] = []
    original = hub._queue_publish

    def record(group, message):
        sent.append(message)
        original(group, message)

    monkeypatch.setattr(hub, "_queue_publish", record)
    return sent


async def test_a_page_held_by_one_process_publishes_no_updates(hub, connect, page, user, published):
    """Alone with a page, a process only says that it holds it; its updates stay local."""
    client = await connect(page, user)
    for i in range(5):
        client.append(f"x{i}")
    await settle(client)
    kinds = [m["type"] for m in published]
    assert events.UPDATES not in kinds
    assert [m["pages"] for m in published if m.get("hello")] == [page.id.bytes]


async def test_pages_opened_at_the_same_moment_say_hello_in_one_message(hub, user, published):
    """Pages opened in the same turn of the event loop (connections decided together after a
    restart) cost one hello message, not one each."""
    pages = [await sync_to_async(page_create)(owner=user, title=f"P{i}") for i in range(5)]
    published.clear()
    for page in pages:
        hub._hello(page.id)
    assert published == []  # sent once the turn is over
    await asyncio.sleep(0)
    [hello] = published
    assert hello == {
        "type": HOLDING,
        "origin": hub.process_id,
        "pages": b"".join(p.id.bytes for p in pages),
        "hello": True,
    }


async def test_with_a_peer_each_update_is_one_message(hub, connect, page, user, published):
    """Once another process says it holds the page, every stored update is published once,
    whatever the number of connections here; a newcomer's hello is answered at once."""
    clients = [await connect(page, user, name=f"c{i}") for i in range(4)]
    other = await sync_to_async(page_create)(owner=user, title="Not held here")
    hello = other.id.bytes + page.id.bytes
    hub._dispatch({"type": HOLDING, "origin": "other-process", "pages": hello, "hello": True})
    assert published[-1] == {"type": HOLDING, "origin": hub.process_id, "pages": page.id.bytes}  # answered
    for i in range(5):
        clients[0].append(f"y{i}")
        await settle(*clients, rounds=1)
    updates = [m for m in published if m["type"] == events.UPDATES]
    assert len(updates) == 5
    assert all(len(m["updates"]) == 1 for m in updates)


async def test_one_heartbeat_per_process_names_every_page_it_holds(hub, connect, user, published):
    """However many pages a process holds, its heartbeat is one message; a page named in
    another process's heartbeat starts publishing its updates to it."""
    pages = [await sync_to_async(page_create)(owner=user, title=f"P{i}") for i in range(3)]
    clients = [await connect(page, user) for page in pages]
    published.clear()
    hub.heartbeat()
    [beat] = published
    assert beat["type"] == HOLDING
    assert sorted(beat["pages"][i : i + 16] for i in range(0, len(beat["pages"]), 16)) == sorted(
        page.id.bytes for page in pages
    )
    assert not any(hub.rooms[page.id].has_peers() for page in pages)
    hub._dispatch({"type": HOLDING, "origin": "other-process", "pages": pages[1].id.bytes})
    assert [hub.rooms[page.id].has_peers() for page in pages] == [False, True, False]
    for client in clients:
        client.append("z")
    await settle(*clients)
    assert [m["page"] for m in published if m["type"] == events.UPDATES] == [str(pages[1].id)]


async def test_the_heartbeat_reaches_other_processes_through_the_channel_layer(hub, connect, page, user):
    """What another process receives: the page ids as 16 bytes each, through Redis."""
    import asyncio

    from realtime.hub import PROCESSES_GROUP

    listener = await hub.layer.new_channel(prefix="other.")
    await hub.layer.group_add(PROCESSES_GROUP, listener)
    await connect(page, user)
    hub.heartbeat()
    message = await asyncio.wait_for(hub.layer.receive(listener), 5)
    assert message["type"] == HOLDING
    assert message["origin"] == hub.process_id
    assert bytes(message["pages"]) == page.id.bytes
    await hub.layer.group_discard(PROCESSES_GROUP, listener)


async def test_joining_the_process_groups_is_tried_again_after_a_failure(hub, monkeypatch):
    """A layer that refuses the joins at start leaves the process marked as not joined (the
    tick tries again with each heartbeat); the next try joins."""
    add = hub.layer.group_add

    async def refuse(group, channel):
        raise ConnectionError("layer away")

    hub._process_groups_joined = False
    monkeypatch.setattr(hub.layer, "group_add", refuse)
    await hub._join_process_groups()
    assert not hub._process_groups_joined
    monkeypatch.setattr(hub.layer, "group_add", add)
    await hub._join_process_groups()
    assert hub._process_groups_joined


async def test_a_hello_of_an_earlier_version_is_answered(hub, connect, page, user, published):
    """Processes of earlier versions say hello to the page's group; they are answered too, so
    that old and new processes learn of each other during a rolling upgrade."""
    await connect(page, user)
    hub._dispatch({"type": PEER, "page": str(page.id), "origin": "old-process", "hello": True})
    assert published[-1] == {"type": HOLDING, "origin": hub.process_id, "pages": page.id.bytes}
    assert hub.rooms[page.id].has_peers()
