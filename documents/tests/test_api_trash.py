"""DELETE /api/pages/<id>/, GET /api/trash/ and POST /api/trash/<id>/restore/."""

import pytest

from documents.models import Page, Role
from documents.tests.factories import make_member, make_page, trash_at

pytestmark = pytest.mark.django_db


def titles(response) -> list[str]:
    return [row["title"] for row in response.json()["results"]]


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
