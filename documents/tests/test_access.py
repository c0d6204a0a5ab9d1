"""Who may do what: roles, their inheritance down the tree, visibility and batch resolution."""

import pytest
from django.contrib.auth.models import AnonymousUser

from documents.models import Page, Role
from documents.selectors.access import (
    can_edit,
    can_manage,
    can_view,
    page_role,
    page_roles,
    pages_visible,
    role_at_least,
    roles_for_pages,
)
from documents.tests.factories import make_member, make_page, trash_at

pytestmark = pytest.mark.django_db


def test_roles_are_ordered_viewer_editor_owner():
    """Each role includes the ones before it; no role includes nothing."""
    assert role_at_least(Role.OWNER, Role.EDITOR)
    assert role_at_least("editor", Role.EDITOR)
    assert not role_at_least(Role.VIEWER, Role.EDITOR)
    assert not role_at_least(None, Role.VIEWER)
    assert [can_view(r) for r in (None, "viewer", "editor", "owner")] == [False, True, True, True]
    assert [can_edit(r) for r in (None, "viewer", "editor", "owner")] == [False, False, True, True]
    assert [can_manage(r) for r in (None, "viewer", "editor", "owner")] == [False, False, False, True]


def test_page_role_of_a_non_member_is_none(user, other_user):
    """Without a membership on the page or above it, there is no role."""
    page = make_page(owner=other_user)
    assert page_role(user=user, page_id=page.id) is None


def test_page_role_is_inherited_from_every_ancestor(user, other_user):
    """A member of a page has that role on all its descendants, however deep."""
    root = make_page(owner=other_user)
    page = root
    for _ in range(5):
        page = make_page(owner=other_user, parent=page)
    make_member(page=root, user=user, role=Role.EDITOR)
    assert page_role(user=user, page_id=page.id) == Role.EDITOR


def test_a_child_can_grant_more_but_never_less(user, other_user):
    """The best role on the chain wins: owner below editor gives owner; viewer below editor stays editor."""
    root = make_page(owner=other_user)
    child = make_page(owner=other_user, parent=root)
    grandchild = make_page(owner=other_user, parent=child)
    make_member(page=root, user=user, role=Role.EDITOR)
    make_member(page=child, user=user, role=Role.VIEWER)
    make_member(page=grandchild, user=user, role=Role.OWNER)
    assert page_role(user=user, page_id=root.id) == Role.EDITOR
    assert page_role(user=user, page_id=child.id) == Role.EDITOR
    assert page_role(user=user, page_id=grandchild.id) == Role.OWNER


def test_roles_do_not_go_up_or_sideways(user, other_user):
    """A member of a child has no role on its parent or on its siblings."""
    root = make_page(owner=other_user)
    child = make_page(owner=other_user, parent=root)
    sibling = make_page(owner=other_user, parent=root)
    make_member(page=child, user=user, role=Role.OWNER)
    assert page_role(user=user, page_id=root.id) is None
    assert page_role(user=user, page_id=sibling.id) is None


def test_staff_are_owners_of_everything(make_user, other_user):
    """Staff users have the owner role on every page, without memberships."""
    staff = make_user(is_staff=True)
    page = make_page(owner=other_user)
    assert page_role(user=staff, page_id=page.id) == Role.OWNER
    assert list(pages_visible(user=staff)) == [page]


def test_anonymous_and_inactive_users_have_no_role(make_user):
    """Signed-out visitors and deactivated accounts see nothing, even their own pages."""
    inactive = make_user(is_active=False)
    page = make_page(owner=inactive)
    for who in (AnonymousUser(), inactive):
        assert page_role(user=who, page_id=page.id) is None
        assert page_roles(user=who, page_ids=[page.id]) == {}
        assert not pages_visible(user=who).exists()


def test_pages_visible_is_the_members_pages_and_everything_below(user, other_user):
    """Visible: pages with a membership, and all their descendants; not their ancestors."""
    root = make_page(owner=other_user, title="root")
    child = make_page(owner=other_user, title="child", parent=root)
    grandchild = make_page(owner=other_user, title="grandchild", parent=child)
    make_page(owner=other_user, title="elsewhere")
    make_member(page=child, user=user, role=Role.VIEWER)
    assert set(pages_visible(user=user)) == {child, grandchild}


def test_pages_visible_hides_the_trash_unless_asked(user):
    """Trashed pages are left out unless include_trashed=True."""
    live = make_page(owner=user)
    gone = make_page(owner=user)
    trash_at(gone)
    assert set(pages_visible(user=user)) == {live}
    assert set(pages_visible(user=user, include_trashed=True)) == {live, gone}


def test_pages_visible_is_one_query_and_composes(user, django_assert_num_queries):
    """The visibility filter is a subquery: filtering and counting stay one query."""
    for _ in range(5):
        make_page(owner=user, parent=make_page(owner=user))
    with django_assert_num_queries(1):
        assert pages_visible(user=user).filter(parent__isnull=True).count() == 5


def test_page_roles_resolves_a_scattered_batch_in_one_query(user, other_user, django_assert_num_queries):
    """page_roles gives each page its inherited role, ancestors outside the batch included, in one query."""
    a = make_page(owner=other_user)
    b = make_page(owner=other_user)
    make_member(page=a, user=user, role=Role.VIEWER)
    make_member(page=b, user=user, role=Role.EDITOR)
    deep_a = make_page(owner=other_user, parent=make_page(owner=other_user, parent=a))
    deep_b = make_page(owner=other_user, parent=make_page(owner=other_user, parent=b))
    hidden = make_page(owner=other_user)
    with django_assert_num_queries(1):
        roles = page_roles(user=user, page_ids=[deep_a.id, deep_b.id, hidden.id])
    assert roles == {deep_a.id: Role.VIEWER, deep_b.id: Role.EDITOR}


def test_page_roles_accepts_ids_as_strings_and_repeats(user):
    """Ids may come as strings and more than once; keys are UUIDs."""
    page = make_page(owner=user)
    assert page_roles(user=user, page_ids=[str(page.id), page.id]) == {page.id: Role.OWNER}
    assert page_roles(user=user, page_ids=[]) == {}


def test_page_roles_splits_very_large_batches(user, monkeypatch, django_assert_num_queries):
    """Over the batch size, one query per batch (SQLite limits the parameters of one query)."""
    from documents.selectors import access

    monkeypatch.setattr(access, "_ROLES_BATCH", 2)
    pages = [make_page(owner=user) for _ in range(5)]
    with django_assert_num_queries(3):
        roles = page_roles(user=user, page_ids=[p.id for p in pages])
    assert roles == {p.id: Role.OWNER for p in pages}


def test_page_roles_terminates_on_a_cycle_in_the_tree(user):
    """A cycle (which the services refuse, but a raw write could make) does not hang the query."""
    a = make_page(owner=user)
    b = make_page(parent=a)
    Page.objects.filter(id=a.id).update(parent=b)
    assert page_roles(user=user, page_ids=[a.id, b.id]) == {a.id: Role.OWNER, b.id: Role.OWNER}


def test_roles_for_pages_agrees_with_page_role_on_the_visible_tree(user, other_user):
    """The zero-recursion resolution used by the tree gives the same roles as the per-page query."""
    root = make_page(owner=other_user)
    child = make_page(owner=other_user, parent=root)
    leaf = make_page(owner=other_user, parent=child)
    other = make_page(owner=other_user, parent=make_page(owner=other_user))
    make_member(page=root, user=user, role=Role.VIEWER)
    make_member(page=child, user=user, role=Role.OWNER)
    make_member(page=other, user=user, role=Role.EDITOR)
    visible = list(pages_visible(user=user))
    assert set(visible) == {root, child, leaf, other}
    expected = {page.id: page_role(user=user, page_id=page.id) for page in visible}
    assert roles_for_pages(user=user, pages=visible) == expected
    assert page_roles(user=user, page_ids=list(expected)) == expected
