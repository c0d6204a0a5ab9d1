"""Every role against the WebSocket's actions: connect, write, awareness."""

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth import get_user_model

from documents.models import PageUpdate, Role
from documents.services.members import member_set
from documents.services.pages import page_create
from realtime.tests.conftest import settle

pytestmark = pytest.mark.django_db(transaction=True)

# role -> (close code on connect, may write)
TABLE = {
    "stranger": (4403, False),
    "viewer": (None, False),
    "editor": (None, True),
    "owner": (None, True),
    "staff": (None, True),
}


@pytest.mark.parametrize("role", list(TABLE))
async def test_websocket_actions_by_role(hub, connect, role):
    """Strangers are refused; viewers read (and show their cursor) but their writes are
    dropped; editors, owners and staff write. Roles come from the parent page."""
    User = get_user_model()
    creator = await sync_to_async(User.objects.create_user)("creator", password="x")
    parent = await sync_to_async(page_create)(owner=creator, title="Parent")
    page = await sync_to_async(page_create)(owner=creator, title="Page", parent_id=parent.id)
    person = await sync_to_async(User.objects.create_user)(role, password="x", is_staff=role == "staff")
    if role in ("viewer", "editor", "owner"):
        await sync_to_async(member_set)(page=parent, user=person, role=Role(role), changed_by=creator)
    watcher = await connect(page, creator, name="watcher")
    expected_close, may_write = TABLE[role]
    client = await connect(page, person, sync=expected_close is None)
    if expected_close is not None:
        await client.pump()
        assert client.close_code == expected_close
        return
    assert (client.auth_denied == "read-only") is not may_write
    client.append("written")
    client.set_awareness(77, 1, '{"user":{"name":"x"}}')
    await settle(client, watcher)
    assert client.close_code is None
    assert (watcher.content() == "written") is may_write
    assert (await PageUpdate.objects.filter(page=page).aexists()) is may_write
    assert 77 in watcher.awareness
