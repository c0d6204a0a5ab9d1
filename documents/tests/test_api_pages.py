"""The pages API: list, create, retrieve, rename/move, trash and restore, and who may do what."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from documents.api.pagination import PagePagination
from documents.models import Page, PageMember, Role
from documents.tests.factories import make_member, make_page, make_tree, trash_at

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


# --- create -----------------------------------------------------------------------------


def test_create_a_top_level_page(api, user):
    """POST makes a page owned by the caller, with an owner membership, and returns it with 201."""
    response = api.post("/api/pages/", {"title": "  Hello   world "}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["title"] == "Hello world"
    assert body["parent"] is None
    assert body["owner"] == "alice"
    assert body["role"] == "owner"
    page = Page.objects.get(id=body["id"])
    assert page.owner == user
    assert PageMember.objects.filter(page=page, user=user, role=Role.OWNER).count() == 1


def test_create_with_an_explicit_null_parent(api):
    """`parent: null` is a top-level page."""
    response = api.post("/api/pages/", {"title": "Top", "parent": None}, format="json")
    assert response.status_code == 201
    assert response.json()["parent"] is None


def test_create_a_child_of_a_page_you_may_edit(api, user, other_user):
    """An editor of a page may add pages under it; the creator owns the new page."""
    parent = make_page(owner=other_user)
    make_member(page=parent, user=user, role=Role.EDITOR)
    response = api.post("/api/pages/", {"title": "Child", "parent": str(parent.id)}, format="json")
    assert response.status_code == 201
    assert response.json()["parent"] == str(parent.id)
    assert response.json()["role"] == "owner"
    assert Page.objects.get(id=response.json()["id"]).parent == parent


def test_create_under_a_page_you_may_only_view_is_403(api, user, other_user):
    """A viewer may not add pages under the page; nothing is created."""
    parent = make_page(owner=other_user)
    make_member(page=parent, user=user, role=Role.VIEWER)
    response = api.post("/api/pages/", {"title": "Child", "parent": str(parent.id)}, format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == "You may not add pages under this parent."
    assert Page.objects.count() == 1


def test_create_under_a_page_you_may_not_see_is_like_an_unknown_parent(api, other_user):
    """A hidden parent answers like a missing one (400), so ids of other people's pages leak nothing."""
    hidden = make_page(owner=other_user)
    response = api.post("/api/pages/", {"title": "Child", "parent": str(hidden.id)}, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == "parent: The parent page does not exist."


def test_create_under_a_trashed_parent_is_409(api, user):
    """A page cannot be created under a page in the trash."""
    parent = make_page(owner=user)
    trash_at(parent)
    response = api.post("/api/pages/", {"title": "Child", "parent": str(parent.id)}, format="json")
    assert response.status_code == 409
    assert response.json()["detail"] == "The parent page is in the trash."
    assert Page.objects.count() == 1


def test_create_makes_page_and_owner_membership_in_one_transaction(api, user, monkeypatch):
    """If the owner membership cannot be written, the page is not created either."""

    def fail(*args, **kwargs):
        raise RuntimeError("membership write failed")

    monkeypatch.setattr(PageMember.objects, "create", fail)
    api.raise_request_exception = True
    with pytest.raises(RuntimeError):
        api.post("/api/pages/", {"title": "Half made"}, format="json")
    assert not Page.objects.exists()


# --- retrieve ---------------------------------------------------------------------------


def test_retrieve_a_page(api, user):
    """GET /api/pages/<id>/ returns the page with the caller's role."""
    page = make_page(owner=user, title="One")
    response = api.get(f"/api/pages/{page.id}/")
    assert response.status_code == 200
    assert response.json()["title"] == "One"
    assert response.json()["role"] == "owner"


def test_retrieve_another_users_page_is_404(api, other_user):
    """A page the caller may not see is indistinguishable from a missing one."""
    page = make_page(owner=other_user)
    response = api.get(f"/api/pages/{page.id}/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_retrieve_a_missing_page_is_404(api):
    """An unknown id is 404 with a JSON body."""
    response = api.get("/api/pages/00000000-0000-0000-0000-000000000000/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_retrieve_a_trashed_page_says_it_is_in_the_trash(api, user):
    """A page in the trash answers 410 Gone with a message, for those who may see it."""
    page = make_page(owner=user)
    trash_at(page)
    response = api.get(f"/api/pages/{page.id}/")
    assert response.status_code == 410
    assert response.json()["detail"] == "The page is in the trash."


def test_a_member_of_a_parent_sees_the_children(api, user, other_user):
    """A role on a page applies to the pages below it."""
    root = make_page(owner=other_user)
    grandchild = make_page(owner=other_user, parent=make_page(owner=other_user, parent=root))
    make_member(page=root, user=user, role=Role.VIEWER)
    response = api.get(f"/api/pages/{grandchild.id}/")
    assert response.status_code == 200
    assert response.json()["role"] == "viewer"


def test_a_member_of_a_child_does_not_see_the_parent(api, user, other_user):
    """Roles go down the tree, never up."""
    root = make_page(owner=other_user)
    child = make_page(owner=other_user, parent=root)
    make_member(page=child, user=user, role=Role.OWNER)
    assert api.get(f"/api/pages/{root.id}/").status_code == 404
    assert api.get(f"/api/pages/{child.id}/").status_code == 200


def test_staff_may_retrieve_any_page(api_as, make_user, other_user):
    """Staff see every page, as owners."""
    page = make_page(owner=other_user)
    response = api_as(make_user(is_staff=True)).get(f"/api/pages/{page.id}/")
    assert response.status_code == 200
    assert response.json()["role"] == "owner"


# --- update -----------------------------------------------------------------------------


def test_patch_renames(api, user):
    """PATCH with a title renames the page and leaves its parent alone."""
    root = make_page(owner=user)
    page = make_page(owner=user, title="Old", parent=root)
    response = api.patch(f"/api/pages/{page.id}/", {"title": "New"}, format="json")
    assert response.status_code == 200
    assert response.json()["title"] == "New"
    assert response.json()["parent"] == str(root.id)
    page.refresh_from_db()
    assert (page.title, page.parent_id) == ("New", root.id)


def test_patch_moves(api, user):
    """PATCH with a parent moves the page under it, and `parent: null` moves it to the top."""
    a = make_page(owner=user, title="A")
    b = make_page(owner=user, title="B")
    response = api.patch(f"/api/pages/{b.id}/", {"parent": str(a.id)}, format="json")
    assert response.status_code == 200
    assert response.json()["parent"] == str(a.id)
    response = api.patch(f"/api/pages/{b.id}/", {"parent": None}, format="json")
    assert response.status_code == 200
    b.refresh_from_db()
    assert b.parent_id is None
    assert b.title == "B"


def test_patch_with_nothing_changes_nothing(api, user):
    """An empty PATCH is allowed and leaves the page as it was."""
    page = make_page(owner=user, title="Same")
    response = api.patch(f"/api/pages/{page.id}/", {}, format="json")
    assert response.status_code == 200
    assert response.json()["title"] == "Same"


def test_put_replaces_title_and_parent(api, user):
    """PUT sets both fields a client controls: title and parent."""
    a = make_page(owner=user, title="A")
    b = make_page(owner=user, title="B", parent=a)
    response = api.put(f"/api/pages/{b.id}/", {"title": "B2", "parent": None}, format="json")
    assert response.status_code == 200
    b.refresh_from_db()
    assert (b.title, b.parent_id) == ("B2", None)


def test_put_needs_every_field(api, user):
    """PUT is a full replacement: leaving out title or parent is a 400, not a silent partial update."""
    parent = make_page(owner=user)
    page = make_page(owner=user, title="Kept", parent=parent)
    response = api.put(f"/api/pages/{page.id}/", {"title": "Only title"}, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == "parent: This field is required."
    response = api.put(f"/api/pages/{page.id}/", {"parent": None}, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == "title: This field is required."
    page.refresh_from_db()
    assert (page.title, page.parent_id) == ("Kept", parent.id)


def test_an_editor_may_rename_and_move(api, user, other_user):
    """Editors change title and place of pages they edit, under pages they edit."""
    root = make_page(owner=other_user)
    page = make_page(owner=other_user, parent=root)
    target = make_page(owner=other_user, parent=root)
    make_member(page=root, user=user, role=Role.EDITOR)
    response = api.patch(f"/api/pages/{page.id}/", {"title": "Renamed", "parent": str(target.id)}, format="json")
    assert response.status_code == 200
    assert response.json()["role"] == "editor"


def test_a_viewer_may_not_rename(api, user, other_user):
    """A viewer gets 403 with a message and the page keeps its title."""
    page = make_page(owner=other_user, title="Theirs")
    make_member(page=page, user=user, role=Role.VIEWER)
    for method in ("patch", "put"):
        response = getattr(api, method)(f"/api/pages/{page.id}/", {"title": "Mine", "parent": None}, format="json")
        assert response.status_code == 403
        assert response.json()["detail"] == "You may view this page but not change it."
    page.refresh_from_db()
    assert page.title == "Theirs"


def test_a_viewer_of_a_parent_who_edits_a_child_may_rename_the_child(api, user, other_user):
    """A child can grant more than its parent: editor on the child, viewer above."""
    root = make_page(owner=other_user)
    child = make_page(owner=other_user, parent=root)
    make_member(page=root, user=user, role=Role.VIEWER)
    make_member(page=child, user=user, role=Role.EDITOR)
    assert api.patch(f"/api/pages/{root.id}/", {"title": "No"}, format="json").status_code == 403
    assert api.patch(f"/api/pages/{child.id}/", {"title": "Yes"}, format="json").status_code == 200


def test_moving_under_a_page_you_may_only_view_is_403(api, user, other_user):
    """The new parent needs edit rights too."""
    page = make_page(owner=user)
    target = make_page(owner=other_user)
    make_member(page=target, user=user, role=Role.VIEWER)
    response = api.patch(f"/api/pages/{page.id}/", {"parent": str(target.id)}, format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == "You may not move pages under this parent."


def test_moving_under_a_page_you_may_not_see_is_like_an_unknown_parent(api, user, other_user):
    """A hidden new parent answers 400 "does not exist", as a missing one does."""
    page = make_page(owner=user)
    hidden = make_page(owner=other_user)
    response = api.patch(f"/api/pages/{page.id}/", {"parent": str(hidden.id)}, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == "parent: The parent page does not exist."


def test_updating_another_users_page_is_404(api, other_user):
    """Pages the caller may not see cannot be changed, and are not revealed: 404."""
    page = make_page(owner=other_user, title="Theirs")
    for method in ("patch", "put", "delete"):
        response = getattr(api, method)(f"/api/pages/{page.id}/", {"title": "Mine", "parent": None}, format="json")
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}
    page.refresh_from_db()
    assert (page.title, page.deleted_at) == ("Theirs", None)


def test_patching_a_trashed_page_is_409(api, user):
    """A page in the trash must be restored before it can change."""
    page = make_page(owner=user, title="Gone")
    trash_at(page)
    response = api.patch(f"/api/pages/{page.id}/", {"title": "Back"}, format="json")
    assert response.status_code == 409
    assert response.json()["detail"] == "The page is in the trash; restore it first."
    page.refresh_from_db()
    assert page.title == "Gone"


def test_moving_under_a_trashed_page_is_409(api, user):
    """A page cannot be moved into the trash by way of its parent."""
    page = make_page(owner=user)
    target = make_page(owner=user)
    trash_at(target)
    response = api.patch(f"/api/pages/{page.id}/", {"parent": str(target.id)}, format="json")
    assert response.status_code == 409
    assert response.json()["detail"] == "The parent page is in the trash."


# --- delete and the trash ---------------------------------------------------------------


def test_delete_moves_the_page_and_its_subtree_to_the_trash(api, user):
    """DELETE is 204; the page and everything below it are in the trash, nothing else is."""
    root = make_page(owner=user, title="Root")
    child = make_page(owner=user, title="Child", parent=root)
    grandchild = make_page(owner=user, title="Grandchild", parent=child)
    sibling = make_page(owner=user, title="Sibling")
    response = api.delete(f"/api/pages/{child.id}/")
    assert response.status_code == 204
    assert set(Page.objects.filter(deleted_at__isnull=False)) == {child, grandchild}
    assert set(Page.objects.filter(deleted_at__isnull=True)) == {root, sibling}


def test_an_editor_may_not_delete(api, user, other_user):
    """Only owners delete: an editor gets 403 and the page stays."""
    page = make_page(owner=other_user)
    make_member(page=page, user=user, role=Role.EDITOR)
    response = api.delete(f"/api/pages/{page.id}/")
    assert response.status_code == 403
    assert response.json()["detail"] == "Only an owner of the page may delete it."
    page.refresh_from_db()
    assert page.deleted_at is None


def test_an_owner_of_a_parent_may_delete_a_child(api, user, other_user):
    """Ownership is inherited: the owner of a parent may delete pages below it made by others."""
    root = make_page(owner=user)
    child = make_page(owner=other_user, parent=root)
    assert api.delete(f"/api/pages/{child.id}/").status_code == 204


def test_deleting_a_trashed_page_is_409(api, user):
    """Trashing a page that is already in the trash is a conflict, not a 404."""
    page = make_page(owner=user)
    api.delete(f"/api/pages/{page.id}/")
    response = api.delete(f"/api/pages/{page.id}/")
    assert response.status_code == 409
    assert response.json()["detail"] == "The page is already in the trash."


def test_trash_lists_the_pages_you_own_most_recent_first(api, user, other_user):
    """GET /api/trash/ lists trashed pages the caller owns, newest deletion first."""
    older = make_page(owner=user, title="Older")
    newer = make_page(owner=user, title="Newer")
    theirs = make_page(owner=other_user, title="Theirs, I edit")
    make_member(page=theirs, user=user, role=Role.EDITOR)
    make_page(owner=user, title="Live")
    api.delete(f"/api/pages/{older.id}/")
    api.delete(f"/api/pages/{newer.id}/")
    trash_at(theirs)
    response = api.get("/api/trash/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["title"] for row in rows] == ["Newer", "Older"]
    assert all(row["deleted_at"] for row in rows)
    assert response.json()["count"] == 2


def test_trash_list_query_count_is_constant(api, user, other_user, django_assert_num_queries):
    """The trash list resolves roles for all its pages at once."""
    root = make_page(owner=other_user)
    make_member(page=root, user=user, role=Role.OWNER)
    for _ in range(12):
        make_page(owner=other_user, parent=make_page(owner=other_user, parent=root))
    api.delete(f"/api/pages/{root.id}/")
    # session, user, the trashed pages, their roles
    with django_assert_num_queries(4):
        response = api.get("/api/trash/")
    assert response.json()["count"] == 25


def test_restore_brings_back_exactly_the_pages_trashed_together(api, user):
    """Restoring a page brings back its subtree as trashed with it, not a child trashed earlier."""
    root = make_page(owner=user, title="Root")
    child = make_page(owner=user, title="Child", parent=root)
    earlier = make_page(owner=user, title="Trashed earlier", parent=root)
    api.delete(f"/api/pages/{earlier.id}/")
    api.delete(f"/api/pages/{root.id}/")
    response = api.post(f"/api/trash/{root.id}/restore/")
    assert response.status_code == 200
    assert response.json()["deleted_at"] is None
    assert response.json()["title"] == "Root"
    assert set(Page.objects.filter(deleted_at__isnull=True)) == {root, child}
    assert titles(api.get("/api/trash/")) == ["Trashed earlier"]


def test_restoring_a_page_whose_parent_is_trashed_is_409(api, user):
    """A child trashed with its parent comes back with the parent, not alone."""
    root = make_page(owner=user)
    child = make_page(owner=user, parent=root)
    api.delete(f"/api/pages/{root.id}/")
    response = api.post(f"/api/trash/{child.id}/restore/")
    assert response.status_code == 409
    assert response.json()["detail"] == "The page's parent is in the trash; restore the parent first."


def test_restoring_a_live_page_is_409(api, user):
    """A page that is not in the trash cannot be restored."""
    page = make_page(owner=user)
    response = api.post(f"/api/trash/{page.id}/restore/")
    assert response.status_code == 409
    assert response.json()["detail"] == "The page is not in the trash."


def test_only_owners_may_restore(api, user, other_user):
    """An editor of a trashed page gets 403; someone without a role gets 404."""
    page = make_page(owner=other_user)
    make_member(page=page, user=user, role=Role.EDITOR)
    trash_at(page)
    response = api.post(f"/api/trash/{page.id}/restore/")
    assert response.status_code == 403
    assert response.json()["detail"] == "Only an owner of the page may restore it."
    hidden = make_page(owner=other_user)
    trash_at(hidden)
    assert api.post(f"/api/trash/{hidden.id}/restore/").status_code == 404
