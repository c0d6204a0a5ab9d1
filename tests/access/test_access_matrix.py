"""Every role against every REST endpoint and WebSocket action: allowed and denied, one table.

Roles: a stranger (no role), viewer, editor, owner (each a member of the page's parent, so the
role is inherited), and staff. Denied means 404 where the page is invisible and 403 where it
is visible but the action is not allowed.
"""

import json

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from documents.models import Page, PageMember, Role
from documents.services.members import member_set
from documents.services.pages import page_create, page_trash

User = get_user_model()

ROLES = ["stranger", "viewer", "editor", "owner", "staff"]


@pytest.fixture
def world(db):
    creator = User.objects.create_user("creator", email="creator@example.com", password="x")
    parent = page_create(owner=creator, title="Parent")
    page = page_create(owner=creator, title="Page", parent_id=parent.id)
    users = {}
    for role in ROLES:
        user = User.objects.create_user(role, email=f"{role}@example.com", password="x", is_staff=role == "staff")
        if role in ("viewer", "editor", "owner"):
            member_set(page=parent, user=user, role=Role(role), changed_by=creator)
        users[role] = user
    User.objects.create_user("newcomer", email="newcomer@example.com", password="x")
    target = User.objects.create_user("target", email="target@example.com", password="x")
    member_set(page=page, user=target, role=Role.VIEWER, changed_by=creator)
    return {"creator": creator, "parent": parent, "page": page, "users": users, "target": target}


def call(world, role, action):
    page, target = world["page"], world["target"]
    client = Client()
    client.force_login(world["users"][role])
    base = f"/api/pages/{page.id}/"

    def send(method, url, body=None):
        return getattr(client, method)(
            url, data=json.dumps(body) if body is not None else None, content_type="application/json"
        )

    match action:
        case "retrieve":
            return send("get", base)
        case "rename":
            return send("patch", base, {"title": "Renamed"})
        case "move to top":
            return send("patch", base, {"parent": None})
        case "trash":
            return send("delete", base)
        case "members list":
            return send("get", base + "members/")
        case "members add":
            return send("post", base + "members/", {"user": "newcomer@example.com", "role": "viewer"})
        case "members change":
            return send("patch", base + f"members/{target.pk}/", {"role": "editor"})
        case "members remove":
            return send("delete", base + f"members/{target.pk}/")
        case "ticket":
            return send("post", base + "ticket/")
        case "create child":
            return send("post", "/api/pages/", {"title": "Child", "parent": str(page.id)})
        case "restore from trash":
            page_trash(page=page)
            return send("post", f"/api/trash/{page.id}/restore/")
    raise AssertionError(action)


# action -> expected status for stranger, viewer, editor, owner, staff
TABLE = {
    "retrieve": (404, 200, 200, 200, 200),
    "rename": (404, 403, 200, 200, 200),
    "move to top": (404, 403, 200, 200, 200),
    "trash": (404, 403, 403, 204, 204),
    "members list": (404, 200, 200, 200, 200),
    "members add": (404, 403, 403, 201, 201),
    "members change": (404, 403, 403, 200, 200),
    "members remove": (404, 403, 403, 204, 204),
    "ticket": (404, 201, 201, 201, 201),
    "create child": (400, 403, 201, 201, 201),
    "restore from trash": (404, 403, 403, 200, 200),
}


@pytest.mark.parametrize(("action", "role"), [(a, r) for a in TABLE for r in ROLES])
def test_rest_action(world, action, role):
    """Each role gets exactly the status the table says, and a JSON body with a detail on denial."""
    response = call(world, role, action)
    expected = TABLE[action][ROLES.index(role)]
    assert response.status_code == expected, (action, role, response.content)
    if expected >= 400:
        assert "detail" in response.json()


@pytest.mark.parametrize("role", ROLES)
def test_page_list_shows_only_visible_pages(world, role):
    """The list shows the page to viewers and up (inherited from the parent) and to staff."""
    client = Client()
    client.force_login(world["users"][role])
    titles = {p["title"] for p in client.get("/api/pages/").json()["results"]}
    assert ("Page" in titles) == (role != "stranger")


def test_denied_actions_change_nothing(world):
    """A viewer's rename, trash and share attempts leave the page and its members as they were."""
    for action in ("rename", "move to top", "trash", "members add", "members change", "members remove"):
        call(world, "viewer", action)
    page = Page.objects.get(id=world["page"].id)
    assert (page.title, page.parent_id, page.deleted_at) == ("Page", world["parent"].id, None)
    assert list(PageMember.objects.filter(page=page).values_list("user__username", "role")) == [
        ("creator", "owner"),
        ("target", "viewer"),
    ]
