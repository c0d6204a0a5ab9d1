"""The page WebSocket end to end through the ASGI application, on PostgreSQL and Redis."""

import asyncio

import pytest
from asgiref.sync import sync_to_async
from pycrdt import Text

from documents.models import Page, PageUpdate
from documents.selectors.content import page_document_load
from documents.ydoc import doc_from_stored
from realtime.protocol import sync_update
from realtime.tests.conftest import settle

pytestmark = pytest.mark.django_db(transaction=True)


async def stored_text(page) -> str:
    stored = await sync_to_async(page_document_load)(page_id=page.id)
    doc = doc_from_stored(stored.state, (data for _, data in stored.updates))
    return str(doc.get("t", type=Text))


async def test_not_signed_in_is_closed_with_4401(hub, connect, page):
    """A connection without a session is accepted and closed with 4401."""
    client = await connect(page, None, sync=False)
    await client.pump()
    assert client.close_code == 4401


async def test_unknown_page_is_closed_with_4404(hub, connect, page, user):
    """A page id that does not exist closes with 4404."""
    client = await connect(page, user, path="/ws/pages/00000000-0000-0000-0000-000000000000", sync=False)
    await client.pump()
    assert client.close_code == 4404


async def test_unknown_path_is_closed_with_4404(hub, connect, page, user):
    """A path no route matches (a trailing slash) closes cleanly with 4404, not HTTP 500."""
    client = await connect(page, user, path=f"/ws/pages/{page.id}/", sync=False)
    await client.pump()
    assert client.close_code == 4404


async def test_page_without_role_is_closed_with_4403(hub, connect, page, other_user):
    """A signed-in user with no role on the page gets 4403."""
    client = await connect(page, other_user, sync=False)
    await client.pump()
    assert client.close_code == 4403


async def test_sync_edit_echo_and_fanout(hub, connect, page, user):
    """An edit is stored, echoed to its sender and sent to the other client; all agree."""
    alice = await connect(page, user, name="a")
    bob = await connect(page, user, name="b")
    alice.append("héllo ")
    await settle(alice, bob)
    bob.append("wörld")
    await settle(alice, bob)
    assert alice.content() == bob.content() == "héllo wörld"
    assert alice.updates_received == 2  # its own echo and bob's edit
    assert await stored_text(page) == "héllo wörld"
    assert await PageUpdate.objects.filter(page=page).acount() == 2


async def test_late_joiner_gets_everything_in_step2(hub, connect, page, user):
    """A client that joins later receives the whole document in sync step 2."""
    alice = await connect(page, user)
    alice.append("first")
    await settle(alice)
    late = await connect(page, user)
    assert late.content() == "first"


async def test_empty_and_redundant_updates_write_nothing(hub, connect, page, user):
    """The empty update and an update the server already has are neither stored nor echoed."""
    alice = await connect(page, user)
    alice.append("x")
    await settle(alice)
    echoes = alice.updates_received
    alice.outbox.append(sync_update(b"\x00\x00"))
    alice.outbox.append(sync_update(alice.doc.get_update()))
    await settle(alice)
    assert alice.updates_received == echoes
    assert await PageUpdate.objects.filter(page=page).acount() == 1


async def test_offline_edits_in_step2_are_merged(hub, connect, page, user):
    """Edits a client made before connecting arrive in its step 2 and reach the others."""
    alice = await connect(page, user)
    alice.append("online ")
    await settle(alice)
    offline = await connect(page, user, sync=False)
    offline.doc.apply_update(alice.doc.get_update())
    offline.take_outbox()
    offline.append("offline")
    offline.take_outbox()  # never sent as an update: it must travel in step 2
    await offline.sync()
    await settle(alice, offline)
    assert alice.content() == offline.content()
    assert "offline" in alice.content()


async def test_malformed_update_closes_only_its_sender(hub, connect, page, user):
    """A truncated update closes its sender with 4400; the room and others carry on."""
    alice = await connect(page, user)
    bob = await connect(page, user)
    alice.append("kept")
    await settle(alice, bob)
    await bob.communicator.send_to(bytes_data=bytes.fromhex("00021b01012a000401"))
    await bob.pump()
    assert bob.close_code == 4400
    alice.append(" still")
    await settle(alice)
    assert alice.content() == "kept still"
    assert await stored_text(page) == "kept still"


async def test_text_frame_closes_with_4400(hub, connect, page, user):
    client = await connect(page, user)
    await client.communicator.send_to(text_data="hello")
    await client.pump()
    assert client.close_code == 4400


async def test_message_over_the_limit_closes_with_4413(hub, connect, page, user, settings):
    """A frame larger than MAX_MESSAGE_BYTES closes with 4413 and changes nothing."""
    settings.REALTIME = {**settings.REALTIME, "MAX_MESSAGE_BYTES": 1000}
    client = await connect(page, user)
    client.append("x" * 2000)
    await client.flush()
    await client.pump()
    assert client.close_code == 4413
    assert await PageUpdate.objects.filter(page=page).acount() == 0


async def test_awareness_is_relayed_answered_and_removed(hub, connect, page, user, other_user):
    """Awareness reaches the others, a query gets every state, and a closed connection's
    client ids are removed for everyone."""
    alice = await connect(page, user)
    bob = await connect(page, user)
    alice.set_awareness(1001, 1, '{"user":{"name":"Zoë 🚀"}}')
    await settle(alice, bob)
    assert bob.awareness[1001].state == '{"user":{"name":"Zoë 🚀"}}'
    carol = await connect(page, user)
    await settle(carol)
    assert 1001 in carol.awareness  # sent on connect
    carol.awareness.clear()
    carol.query_awareness()
    await settle(carol)
    assert 1001 in carol.awareness
    await alice.communicator.disconnect()
    await settle(bob, carol)
    assert 1001 not in bob.awareness
    assert 1001 not in carol.awareness


async def test_room_unloads_after_grace_and_compacts(hub, connect, page, user):
    """After the last connection leaves, the room unloads, renders and merges its log."""
    alice = await connect(page, user)
    alice.append("compact me")
    alice.add_paragraph("Tiptap text")
    await settle(alice)
    await alice.communicator.disconnect()
    for _ in range(50):
        await asyncio.sleep(0.1)
        if page.id not in hub.rooms and not await PageUpdate.objects.filter(page=page).aexists():
            break
    assert page.id not in hub.rooms
    assert not await PageUpdate.objects.filter(page=page).aexists()
    assert await stored_text(page) == "compact me"
    refreshed = await Page.objects.aget(id=page.id)
    assert "Tiptap text" in refreshed.text


async def test_many_clients_opening_a_new_page_at_once_all_sync(hub, connect, page, user, settings):
    """Fifty clients opening one page at the same moment all sync (one load, no race)."""
    settings.REALTIME = {**settings.REALTIME, "MAX_CONNECTIONS_PER_USER": 100}
    hub.settings["MAX_CONNECTIONS_PER_USER"] = 100
    clients = await asyncio.gather(*(connect(page, user, name=f"c{i}") for i in range(50)))
    assert all(client.synced for client in clients)


async def test_new_page_document_holds_its_title_and_renames_reach_editors(hub, connect, page, user):
    """A page's document starts with its title; a rename through the API changes the title
    in open editors' documents too, as a CRDT change."""
    from documents.services.pages import page_update

    client = await connect(page, user)
    assert str(client.doc.get("title", type=Text)) == "Shared page"
    await sync_to_async(page_update)(page=page, title="Renamed page", changed_by=user)
    for _ in range(40):
        await client.pump(0.05)
        if str(client.doc.get("title", type=Text)) == "Renamed page":
            break
    assert str(client.doc.get("title", type=Text)) == "Renamed page"


async def test_an_unloaded_room_is_freed(hub, connect, page, user):
    """After its last editor leaves and the grace period passes, nothing holds the room or its
    document any more, without waiting for a full garbage collection: Yrs' observer, the
    unload timer and the consumer all refer back to it, and each link is cut on unload."""
    import gc
    import weakref

    client = await connect(page, user)
    client.append("bye")
    await settle(client)
    room = weakref.ref(hub.rooms[page.id])
    gc.collect()
    gc.disable()
    try:
        await client.communicator.disconnect()
        for _ in range(50):
            await asyncio.sleep(0.1)
            if page.id not in hub.rooms:
                break
        await asyncio.sleep(0.3)  # the unload's render, version and compaction
        del client  # the test's own handle on the finished consumer
        assert room() is None
    finally:
        gc.enable()


def test_releasing_memory_collects_reference_cycles_when_asked():
    """Memory held in reference cycles (uvicorn leaves one per closed WebSocket) is freed by
    the full collection that release_memory runs after rooms unload; trimming alone keeps it."""
    import gc
    import weakref

    from realtime.hub import release_memory

    class Node:
        other: object = None

    gc.collect()
    gc.disable()
    try:
        first, second = Node(), Node()
        first.other, second.other = second, first
        cycle = weakref.ref(first)
        del first, second
        release_memory()
        assert cycle() is not None
        release_memory(collect=True)
        assert cycle() is None
    finally:
        gc.enable()


async def test_a_full_collection_waits_for_enough_closed_connections(hub, connect, page, user, monkeypatch):
    """At least COLLECT_AFTER_CLOSED closed since the last one, and a quarter of those still open."""
    from realtime import hub as hub_module

    assert hub_module.COLLECT_AFTER_CLOSED == 200
    hub.closed_since_collection = 199
    assert not hub._collection_due()
    hub.closed_since_collection = 200
    assert hub._collection_due()
    monkeypatch.setattr(hub_module, "COLLECT_AFTER_CLOSED", 1)
    clients = [await connect(page, user) for _ in range(8)]
    hub.closed_since_collection = 1
    assert not hub._collection_due()  # 8 open: a quarter is 2
    hub.closed_since_collection = 2
    assert hub._collection_due()
    for client in clients:
        await client.communicator.disconnect()
