"""GET /api/pages/: what the list holds, its filters, search, ordering, pagination and query count."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from documents.api.pagination import PagePagination
from documents.models import Role
from documents.tests.factories import make_member, make_page, make_tree

pytestmark = pytest.mark.django_db


def titles(response) -> list[str]:
    return [row["title"] for row in response.json()["results"]]


# --- list -------------------------------------------------------------------------------


def test_list_shows_only_pages_the_user_may_see(api, user, other_user):
    """The list holds the user's pages and pages shared with them, not other people's."""
    make_page(owner=user, title="Mine")
    shared = make_page(owner=other_user, title="Shared")
    make_member(page=shared, user=user, role=Role.VIEWER)
    make_page(owner=other_user, title="Private")
    response = api.get("/api/pages/")
    assert response.status_code == 200
    assert titles(response) == ["Mine", "Shared"]
    assert {row["title"]: row["role"] for row in response.json()["results"]} == {"Mine": "owner", "Shared": "viewer"}


def test_list_row_shape(api, user):
    """Each row carries id, title, parent, owner's username, the caller's role, the web URL and timestamps."""
    root = make_page(owner=user, title="Root")
    child = make_page(owner=user, title="Child", parent=root)
    row = api.get("/api/pages/", {"parent": str(root.id)}).json()["results"][0]
    assert row["id"] == str(child.id)
    assert row["parent"] == str(root.id)
    assert row["owner"] == "alice"
    assert row["role"] == "owner"
    assert row["url"] == f"/pages/{child.id}/"
    assert row["deleted_at"] is None
    assert set(row) == {
        "id",
        "title",
        "parent",
        "owner",
        "role",
        "url",
        "created_at",
        "updated_at",
        "edited_at",
        "deleted_at",
    }


def test_list_is_paginated(api, user, monkeypatch):
    """The list comes in pages of PAGE_SIZE with count, next and previous links."""
    monkeypatch.setattr(PagePagination, "page_size", 2)
    for title in ["a", "b", "c", "d", "e"]:
        make_page(owner=user, title=title)
    first = api.get("/api/pages/").json()
    assert first["count"] == 5
    assert [row["title"] for row in first["results"]] == ["a", "b"]
    assert first["previous"] is None
    assert first["next"].endswith("/api/pages/?page=2")
    last = api.get("/api/pages/", {"page": 3}).json()
    assert [row["title"] for row in last["results"]] == ["e"]
    assert last["next"] is None


def test_the_default_page_size_is_50(api, user):
    """Without ?page_size= a page of results holds 50 rows."""
    for _ in range(51):
        make_page(owner=user)
    body = api.get("/api/pages/").json()
    assert (body["count"], len(body["results"])) == (51, 50)


def test_clients_may_choose_the_page_size_up_to_200(api, user):
    """?page_size= sets the rows per page, capped at 200; a bad value falls back to the default."""
    for _ in range(3):
        make_page(owner=user)
    assert len(api.get("/api/pages/", {"page_size": 2}).json()["results"]) == 2
    assert len(api.get("/api/pages/", {"page_size": "lots"}).json()["results"]) == 3
    assert PagePagination.max_page_size == 200


def test_a_page_number_past_the_end_is_a_json_404(api, user):
    """Asking for a page of results that does not exist says so in JSON."""
    make_page(owner=user)
    response = api.get("/api/pages/", {"page": 9})
    assert response.status_code == 404
    assert response.json()["detail"]


def test_list_filters_by_parent_id(api, user):
    """?parent=<id> lists the direct children of that page only."""
    root = make_page(owner=user, title="Root")
    child = make_page(owner=user, title="Child", parent=root)
    make_page(owner=user, title="Grandchild", parent=child)
    make_page(owner=user, title="Other root")
    assert titles(api.get("/api/pages/", {"parent": str(root.id)})) == ["Child"]
    assert titles(api.get("/api/pages/", {"parent": str(child.id)})) == ["Grandchild"]


def test_list_filters_top_level_pages_with_root(api, user):
    """?parent=root lists the pages that have no parent."""
    root = make_page(owner=user, title="Root")
    make_page(owner=user, title="Child", parent=root)
    make_page(owner=user, title="Another root")
    assert titles(api.get("/api/pages/", {"parent": "root"})) == ["Another root", "Root"]


def test_list_filter_by_a_parent_you_may_not_see_is_empty(api, user, other_user):
    """Filtering by someone else's page reveals nothing about its children."""
    hidden = make_page(owner=other_user)
    make_page(owner=other_user, parent=hidden)
    response = api.get("/api/pages/", {"parent": str(hidden.id)})
    assert response.status_code == 200
    assert response.json()["count"] == 0


def test_list_searches_titles_case_insensitively_by_every_word(api, user):
    """?search= keeps pages whose title holds every word, in any case and order."""
    make_page(owner=user, title="Meeting notes March")
    make_page(owner=user, title="Notes on the roadmap")
    make_page(owner=user, title="March planning")
    assert titles(api.get("/api/pages/", {"search": "NOTES"})) == ["Meeting notes March", "Notes on the roadmap"]
    assert titles(api.get("/api/pages/", {"search": "march notes"})) == ["Meeting notes March"]
    assert titles(api.get("/api/pages/", {"search": "  "})) == [
        "March planning",
        "Meeting notes March",
        "Notes on the roadmap",
    ]


def test_list_search_combines_with_the_parent_filter(api, user):
    """Search and parent filter apply together."""
    root = make_page(owner=user, title="Root")
    make_page(owner=user, title="Plan A", parent=root)
    make_page(owner=user, title="Plan B")
    assert titles(api.get("/api/pages/", {"parent": str(root.id), "search": "plan"})) == ["Plan A"]


def test_list_is_ordered_by_title_then_creation(api, user):
    """Pages come by title, case-insensitively as in the web tree; equal titles oldest first."""
    first_same = make_page(owner=user, title="Same")
    second_same = make_page(owner=user, title="Same")
    make_page(owner=user, title="beta")
    make_page(owner=user, title="Alpha")
    make_page(owner=user, title="Zeta")
    rows = api.get("/api/pages/").json()["results"]
    assert [row["title"] for row in rows] == ["Alpha", "beta", "Same", "Same", "Zeta"]
    assert [row["id"] for row in rows[2:4]] == [str(first_same.id), str(second_same.id)]


def test_list_hides_trashed_pages(api, user):
    """Pages in the trash, and the pages trashed with them, are not listed."""
    root = make_page(owner=user, title="Root")
    make_page(owner=user, title="Child", parent=root)
    make_page(owner=user, title="Kept")
    api.delete(f"/api/pages/{root.id}/")
    assert titles(api.get("/api/pages/")) == ["Kept"]


def test_inherited_roles_show_in_the_list(api, user, other_user):
    """A member of a page sees its descendants with the inherited role, and a child can grant more."""
    root = make_page(owner=other_user, title="Root")
    child = make_page(owner=other_user, title="Child", parent=root)
    grandchild = make_page(owner=other_user, title="Grandchild", parent=child)
    make_member(page=root, user=user, role=Role.VIEWER)
    make_member(page=child, user=user, role=Role.EDITOR)
    response = api.get("/api/pages/", {"parent": str(child.id)})
    assert {row["id"]: row["role"] for row in response.json()["results"]} == {str(grandchild.id): "editor"}
    response = api.get("/api/pages/")
    assert {row["title"]: row["role"] for row in response.json()["results"]} == {
        "Child": "editor",
        "Grandchild": "editor",
        "Root": "viewer",
    }


def test_staff_see_every_page_as_owners(api_as, make_user, user):
    """Staff users see every page, with the owner role."""
    make_page(owner=user, title="Alice's")
    staff = make_user("staff", is_staff=True)
    response = api_as(staff).get("/api/pages/")
    assert [(row["title"], row["role"]) for row in response.json()["results"]] == [("Alice's", "owner")]


def test_list_query_count_is_constant(api_as, make_user, user, other_user, django_assert_num_queries):
    """Listing pages costs the same few queries for 30 pages with inherited roles as for one."""
    pages = make_tree(owner=other_user, roots=3, children=3, grandchildren=2)  # 30 pages
    assert len(pages) == 30
    for root in pages[::10]:
        make_member(page=root, user=user, role=Role.EDITOR)
    make_member(page=pages[1], user=user, role=Role.OWNER)
    client = api_as(user)
    # session, user, count, the pages, their roles
    with django_assert_num_queries(5):
        response = client.get("/api/pages/", {"page_size": 100})
    assert response.json()["count"] == 30
    # The children of one parent, whose role comes from an ancestor outside the batch.
    with django_assert_num_queries(5):
        response = client.get("/api/pages/", {"parent": str(pages[1].id)})
    assert [row["role"] for row in response.json()["results"]] == ["owner", "owner"]


def test_list_query_count_does_not_grow_with_the_batch(api_as, user, other_user):
    """The children of a shared page each inherit their role, in the same number of queries for 2 or 20."""
    client = api_as(user)

    def queries_for(children: int) -> int:
        root = make_page(owner=other_user)
        make_member(page=root, user=user, role=Role.VIEWER)
        for _ in range(children):
            make_page(owner=other_user, parent=root)
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/api/pages/", {"parent": str(root.id)})
        assert len(response.json()["results"]) == children
        assert {row["role"] for row in response.json()["results"]} == {"viewer"}
        return len(queries)

    assert queries_for(2) == queries_for(20)
