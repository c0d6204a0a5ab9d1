"""Cross-process messages: one per update per process, and none for pages held by one process."""

import pytest

from documents import events
from realtime.hub import PEER
from realtime.tests.conftest import settle

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def published(hub, monkeypatch):
    """The messages this process hands to the channel layer, by type."""
    sent: list[dict] = []
    original = hub._queue_publish

    def record(page_id, message):
        sent.append(message)
        original(page_id, message)

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
    assert kinds.count(PEER) >= 1


async def test_with_a_peer_each_update_is_one_message(hub, connect, page, user, published):
    """Once another process says it holds the page, every stored update is published once,
    whatever the number of connections here; a newcomer's hello is answered at once."""
    clients = [await connect(page, user, name=f"c{i}") for i in range(4)]
    hub._dispatch({"type": PEER, "page": str(page.id), "origin": "other-process", "hello": True})
    assert published[-1]["type"] == PEER  # answered
    for i in range(5):
        clients[0].append(f"y{i}")
        await settle(*clients, rounds=1)
    updates = [m for m in published if m["type"] == events.UPDATES]
    assert len(updates) == 5
    assert all(len(m["updates"]) == 1 for m in updates)
