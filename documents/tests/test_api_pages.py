"""The pages API for one page: create, retrieve, rename and move, and who may do what."""

import pytest

from documents.models import Page, PageMember, Role
from documents.tests.factories import make_member, make_page, trash_at

pytestmark = pytest.mark.django_db


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
