"""Access on the WebSocket: read-only viewers, tickets, and re-checks when access changes."""

import asyncio
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.utils import timezone

from documents.models import PageMember, PageUpdate, Role, WebSocketTicket
from documents.services.members import member_remove, member_set
from documents.services.pages import page_create, page_trash, page_update
from documents.services.tickets import ticket_issue
from realtime.tests.conftest import settle

pytestmark = pytest.mark.django_db(transaction=True)


async def wait_closed(client, timeout=2.0):
    """Pump until the server closes the client; the test fails after `timeout` seconds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while client.close_code is None and asyncio.get_running_loop().time() < deadline:
        await client.pump(0.05)
    return client.close_code


async def test_viewer_is_read_only_and_told_so(hub, connect, page, user, other_user):
    """A viewer connects, is told "read-only" by an auth message, and its updates reach
    neither the database nor other clients; its awareness does."""
    await sync_to_async(member_set)(page=page, user=other_user, role=Role.VIEWER, changed_by=user)
    editor = await connect(page, user, name="editor")
    viewer = await connect(page, other_user, name="viewer")
    assert viewer.auth_denied == "read-only"
    viewer.append("vandalism")
    viewer.set_awareness(7, 1, '{"user":{"name":"Viewer"}}')
    await settle(viewer, editor)
    assert viewer.close_code is None
    assert editor.content() == ""
    assert 7 in editor.awareness
    assert await PageUpdate.objects.filter(page=page).acount() == 0
    editor.append("real")
    await settle(editor, viewer)
    assert editor.content() == "real"
    assert "real" in viewer.content()  # its own refused edit stays only in its own copy


async def test_removed_editor_is_closed_within_two_seconds(hub, connect, page, user, other_user):
    """Taking away an editor's role closes their open connection with 4403; an update they
    send meanwhile is not applied."""
    await sync_to_async(member_set)(page=page, user=other_user, role=Role.EDITOR, changed_by=user)
    owner = await connect(page, user)
    editor = await connect(page, other_user)
    await sync_to_async(member_remove)(page=page, user=other_user, changed_by=user)
    assert await wait_closed(editor) == 4403
    editor.append("too late")
    await settle(owner)
    assert owner.content() == ""


async def test_update_sent_while_access_is_rechecked_waits_for_the_verdict(hub, connect, page, user, other_user):
    """An update that arrives after an access change was announced, while the database is
    still being asked, is not applied when the role is gone (the sender is closed)."""
    await sync_to_async(member_set)(page=page, user=other_user, role=Role.EDITOR, changed_by=user)
    owner = await connect(page, user)
    editor = await connect(page, other_user)
    # The role goes away in the database; the announcement arrives as a layer message would.
    await PageMember.objects.filter(page=page, user=other_user).adelete()
    hub.recheck_later({page.id}, {other_user.pk})
    editor.append("one more")
    await editor.flush()
    assert await wait_closed(editor) == 4403
    await settle(owner)
    assert owner.content() == ""
    assert await PageUpdate.objects.filter(page=page).acount() == 0


async def test_updates_held_for_a_recheck_are_applied_when_access_stays(hub, connect, page, user, other_user):
    """When the re-check finds the editor may still write, the updates held meanwhile are
    applied in order and reach everyone."""
    await sync_to_async(member_set)(page=page, user=other_user, role=Role.EDITOR, changed_by=user)
    owner = await connect(page, user)
    editor = await connect(page, other_user)
    hub.recheck_later({page.id}, {other_user.pk})
    editor.append("first ")
    await editor.flush()
    editor.append("second")
    await settle(editor, owner)
    for _ in range(20):
        if owner.content() == "first second":
            break
        await settle(editor, owner)
    assert owner.content() == "first second"
    assert editor.close_code is None
    assert await PageUpdate.objects.filter(page=page).acount() == 2


async def test_downgraded_editor_becomes_read_only(hub, connect, page, user, other_user):
    """An editor made viewer stays connected, is told read-only, and can no longer write."""
    await sync_to_async(member_set)(page=page, user=other_user, role=Role.EDITOR, changed_by=user)
    editor = await connect(page, other_user)
    await sync_to_async(member_set)(page=page, user=other_user, role=Role.VIEWER, changed_by=user)
    for _ in range(40):
        await editor.pump(0.05)
        if editor.auth_denied:
            break
    assert editor.auth_denied == "read-only"
    editor.append("nope")
    await settle(editor)
    assert editor.close_code is None
    assert await PageUpdate.objects.filter(page=page).acount() == 0


async def test_access_change_reaches_children_of_a_moved_page(hub, connect, user, other_user):
    """Moving a page away from the parent that granted a role closes that user's connection."""
    parent = await sync_to_async(page_create)(owner=user, title="Team")
    child = await sync_to_async(page_create)(owner=user, title="Notes", parent_id=parent.id)
    await sync_to_async(member_set)(page=parent, user=other_user, role=Role.EDITOR, changed_by=user)
    client = await connect(child, other_user)
    await sync_to_async(page_update)(page=child, parent_id=None, changed_by=user)
    assert await wait_closed(client) == 4403


async def test_trashing_a_page_closes_its_editors_with_4404(hub, connect, page, user):
    client = await connect(page, user)
    await sync_to_async(page_trash)(page=page, changed_by=user)
    assert await wait_closed(client) == 4404


async def test_access_changes_are_repaired_from_the_database(hub, connect, page, user, other_user):
    """With the layer message lost, the repair scan of access events still closes the socket."""
    await sync_to_async(member_set)(page=page, user=other_user, role=Role.EDITOR, changed_by=user)
    editor = await connect(page, other_user)
    hub.channel_name, saved = None, hub.channel_name  # stop listening to the layer
    try:
        await hub.layer.group_discard("access", saved)
        await sync_to_async(member_remove)(page=page, user=other_user, changed_by=user)
        assert await wait_closed(editor) == 4403
    finally:
        hub.channel_name = saved


async def test_ticket_opens_one_connection_once(hub, connect, page, user):
    """A ticket opens the page without a cookie once; reused, expired or for another page: 4401."""
    ticket = await sync_to_async(ticket_issue)(user=user, page=page)
    client = await connect(page, None, path=f"/ws/pages/{page.id}?ticket={ticket}")
    assert client.synced
    again = await connect(page, None, path=f"/ws/pages/{page.id}?ticket={ticket}", sync=False)
    assert await wait_closed(again) == 4401
    other = await sync_to_async(page_create)(owner=user, title="Other")
    wrong_page = await sync_to_async(ticket_issue)(user=user, page=other)
    client = await connect(page, None, path=f"/ws/pages/{page.id}?ticket={wrong_page}", sync=False)
    assert await wait_closed(client) == 4401
    expired = await sync_to_async(ticket_issue)(user=user, page=page)
    await WebSocketTicket.objects.filter(user=user, page=page).aupdate(expires_at=timezone.now() - timedelta(seconds=1))
    client = await connect(page, None, path=f"/ws/pages/{page.id}?ticket={expired}", sync=False)
    assert await wait_closed(client) == 4401


async def test_session_is_read_from_a_cookie_header_with_other_apps_cookies(hub, connect, cookie_for, page, user):
    """Cookies another app on the domain set (JSON, spaces, odd names) do not hide the session:
    the socket reads the header as Django's HTTP side does, so a user the page loads for edits."""
    session = await sync_to_async(cookie_for)(user)
    header = b'theme={"dark":true}; note=a b; odd name=1; ' + session + b'; tail="unterminated'
    client = await connect(page, None, headers=[(b"cookie", header)])
    assert client.auth_denied is None
    client.append("signed in")
    await settle(client)
    assert await PageUpdate.objects.filter(page=page).acount() == 1


async def test_foreign_origin_is_refused(hub, connect, page, user):
    """A browser page of another site cannot open the socket (cross-site WebSocket hijacking)."""
    from channels.testing import WebsocketCommunicator

    from collab_site.asgi import application

    communicator = WebsocketCommunicator(
        application, f"/ws/pages/{page.id}", headers=[(b"origin", b"https://evil.example")]
    )
    connected, _ = await communicator.connect()
    assert not connected


def batches_decided() -> tuple[float, float]:
    """(access queries run, connections they decided) so far in this process."""
    from prometheus_client import REGISTRY

    count = REGISTRY.get_sample_value("collab_access_batch_connections_count") or 0.0
    total = REGISTRY.get_sample_value("collab_access_batch_connections_sum") or 0.0
    return count, total


async def test_connections_opened_at_once_are_decided_together(hub, connect, cookie_for, user, other_user):
    """Clients connecting in the same moment share access queries, and each still gets its own
    verdict: roles inherited from a parent, read-only viewers, strangers, a trashed page, a
    page that does not exist, and no sign-in at all."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    parent = await sync_to_async(page_create)(owner=user, title="Parent")
    child = await sync_to_async(page_create)(owner=user, title="Child", parent_id=parent.id)
    trashed = await sync_to_async(page_create)(owner=user, title="Trashed")
    await sync_to_async(page_trash)(page=trashed, changed_by=user)
    viewer = await sync_to_async(User.objects.create_user)("viewer", password="x")
    staff = await sync_to_async(User.objects.create_user)("staff", password="x", is_staff=True)
    await sync_to_async(member_set)(page=parent, user=other_user, role=Role.EDITOR, changed_by=user)
    await sync_to_async(member_set)(page=child, user=viewer, role=Role.VIEWER, changed_by=user)
    stranger = await sync_to_async(User.objects.create_user)("stranger", password="x")
    missing = type("Missing", (), {"id": "6f1c0b9e-8a54-4c9f-9d7e-2b0f3f5a1c11"})()
    # (page, user, close code or None, read-only)
    cases = [
        (child, user, None, False),
        (child, other_user, None, False),  # editor of the parent
        (child, viewer, None, True),
        (parent, viewer, 4403, None),  # a role on the child gives nothing on the parent
        (child, staff, None, False),
        (child, stranger, 4403, None),
        (trashed, user, 4404, None),
        (missing, user, 4404, None),
        (child, None, 4401, None),
    ] * 3
    cookies = {person: await sync_to_async(cookie_for)(person) for _, person, _, _ in cases if person is not None}
    before = batches_decided()
    clients = await asyncio.gather(
        *(
            connect(page, None, headers=[(b"cookie", cookies[person])] if person else [], sync=False)
            for page, person, _, _ in cases
        )
    )
    for client, (_, _, code, read_only) in zip(clients, cases, strict=True):
        if code is None:
            await client.sync()
            assert client.close_code is None
            assert (client.auth_denied == "read-only") is read_only
        else:
            assert await wait_closed(client) == code
    queries, decided = (now - then for now, then in zip(batches_decided(), before, strict=True))
    assert decided == len(cases)
    assert queries < len(cases) / 2


async def test_access_change_while_a_connection_is_decided_reaches_it(
    hub, connect, page, user, other_user, monkeypatch
):
    """A role taken away just after the connection's verdict was read, before it joined the
    room: the connection is decided again (4403) or sent away to reconnect (1013), and it is
    sent nothing of the page."""
    from realtime import hub as hub_module

    await sync_to_async(member_set)(page=page, user=other_user, role=Role.EDITOR, changed_by=user)
    decide = hub_module.authorize_many
    removed = []

    def decide_then_remove(*, requests):
        verdicts = decide(requests=requests)
        if not removed:
            member_remove(page=page, user=other_user, changed_by=user)
            removed.append(True)
        return verdicts

    owner = await connect(page, user)
    owner.append("for members only")
    await settle(owner)
    monkeypatch.setattr(hub_module, "authorize_many", decide_then_remove)
    editor = await connect(page, other_user, sync=False)
    assert await wait_closed(editor) in (4403, 1013)
    assert editor.content() == ""
    editor.append("too late")
    await settle(owner)
    assert owner.content() == "for members only"


async def test_a_connection_decided_before_an_access_change_does_not_join(hub, connect, page, user, other_user):
    """An access change heard of after a connection was decided but before its page was
    loaded: it is closed with 1013 (reconnect and be decided again) before it is sent
    anything of the page."""
    from realtime.connection import Connection, Identity
    from realtime.rooms import UpdateRejected

    changes = hub.access_changes
    hub._dispatch({"type": "access.changed", "origin": "other", "pages": [str(page.id)], "users": None})
    sent = []

    async def send(frame):
        sent.append(frame)

    async def close(code):
        pass

    conn = Connection(identity=Identity(other_user.pk, "bob"), read_only=False, send=send, close=close)
    with pytest.raises(UpdateRejected) as refused:
        await hub.join(page.id, conn, decided_after=changes)
    assert refused.value.code == 1013
    assert sent == []


def test_tickets_decided_together_are_each_used_once(page, user, other_user):
    """In one batch, a ticket reused by a second connection opens only the first one."""
    from realtime.auth import Credentials, authorize_many

    ticket = ticket_issue(user=user, page=page)
    stranger = ticket_issue(user=other_user, page=page)
    verdicts = authorize_many(
        requests=[
            (Credentials(session_key=None, ticket=ticket), page.id),
            (Credentials(session_key=None, ticket=ticket), page.id),
            (Credentials(session_key=None, ticket=stranger), page.id),
            (Credentials(session_key="no-such-session", ticket=None), page.id),
        ]
    )
    assert [verdict.close_code for verdict in verdicts] == [None, 4401, 4403, 4401]
    assert verdicts[0].identity.user_id == user.pk
    assert not verdicts[0].read_only
