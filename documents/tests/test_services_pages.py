"""The page services: create, rename, move, trash, restore and purge, each in one transaction."""

from datetime import timedelta

import pytest
from django.utils import timezone

from documents.errors import Conflict, InvalidInput
from documents.models import Page, PageMember, PageUpdate, PageVersion, Role
from documents.services.pages import (
    page_create,
    page_trash,
    page_untrash,
    page_update,
    pages_purge_trash,
)
from documents.tests.factories import make_member, make_page, make_update, make_version, trash_at

pytestmark = pytest.mark.django_db


def live() -> set[Page]:
    return set(Page.objects.filter(deleted_at__isnull=True))


def trashed() -> set[Page]:
    return set(Page.objects.filter(deleted_at__isnull=False))


# --- create -----------------------------------------------------------------------------


def test_page_create_makes_the_creator_owner(user):
    """The new page has its creator as owner and an owner membership."""
    page = page_create(owner=user, title="New")
    assert page.owner == user
    assert list(PageMember.objects.filter(page=page).values_list("user", "role")) == [(user.id, "owner")]


def test_page_create_collapses_whitespace_in_the_title(user):
    """Leading, trailing and repeated whitespace is tidied away."""
    assert page_create(owner=user, title="  a \t b\n ").title == "a b"


@pytest.mark.parametrize("title", ["", "   ", "\n\t"])
def test_page_create_refuses_an_empty_title(user, title):
    """A page needs a title."""
    with pytest.raises(InvalidInput, match="needs a title") as error:
        page_create(owner=user, title=title)
    assert error.value.field == "title"
    assert not Page.objects.exists()


def test_page_create_refuses_an_over_long_title(user, settings):
    """Titles are at most PAGE_TITLE_MAX_LENGTH characters."""
    with pytest.raises(InvalidInput, match="at most 255"):
        page_create(owner=user, title="x" * 256)
    assert page_create(owner=user, title="x" * 255).title == "x" * 255


def test_page_create_under_a_missing_parent_is_invalid(user):
    """An unknown parent id is invalid input."""
    import uuid

    with pytest.raises(InvalidInput, match="does not exist"):
        page_create(owner=user, title="Orphan", parent_id=uuid.uuid4())
    assert not Page.objects.exists()


def test_page_create_under_a_trashed_parent_is_a_conflict(user):
    """Nothing can be created inside the trash."""
    parent = make_page(owner=user)
    trash_at(parent)
    with pytest.raises(Conflict, match="in the trash"):
        page_create(owner=user, title="Child", parent_id=parent.id)


def test_page_create_is_one_transaction(user, monkeypatch):
    """If the membership cannot be written, no page is left behind."""

    def fail(**kwargs):
        raise RuntimeError("no")

    monkeypatch.setattr(PageMember.objects, "create", fail)
    with pytest.raises(RuntimeError):
        page_create(owner=user, title="Half")
    assert not Page.objects.exists()


# --- update -----------------------------------------------------------------------------


def test_page_update_renames_and_moves(user):
    """Title and parent change together; other fields stay."""
    a = make_page(owner=user, title="A")
    b = make_page(owner=user, title="B")
    updated = page_update(page=b, title=" B2 ", parent_id=a.id)
    b.refresh_from_db()
    assert (updated.title, b.title, b.parent_id) == ("B2", "B2", a.id)


def test_page_update_without_changes_keeps_everything(user):
    """Leaving both fields out touches nothing but updated_at."""
    root = make_page(owner=user)
    page = make_page(owner=user, title="Same", parent=root)
    before = page.updated_at
    page_update(page=page)
    page.refresh_from_db()
    assert (page.title, page.parent_id) == ("Same", root.id)
    assert page.updated_at >= before


def test_page_update_to_the_top_level(user):
    """parent_id=None moves a page to the top of the tree."""
    page = make_page(owner=user, parent=make_page(owner=user))
    page_update(page=page, parent_id=None)
    page.refresh_from_db()
    assert page.parent_id is None


def test_page_update_refuses_cycles(user):
    """A page cannot move under itself or any descendant, including trashed ones."""
    root = make_page(owner=user)
    child = make_page(owner=user, parent=root)
    grandchild = make_page(owner=user, parent=child)
    gone = make_page(owner=user, parent=grandchild)
    trash_at(gone)
    for target in (root, child, grandchild, gone):
        with pytest.raises(InvalidInput, match="under itself or one of its children"):
            page_update(page=root, parent_id=target.id)
    root.refresh_from_db()
    assert root.parent_id is None


def test_page_update_of_a_trashed_page_is_a_conflict(user):
    """A page in the trash must be restored before it changes."""
    page = make_page(owner=user, title="Gone")
    trash_at(page)
    with pytest.raises(Conflict, match="restore it first"):
        page_update(page=page, title="Back")


def test_page_update_refuses_bad_titles_and_parents(user):
    """The title and parent rules of creation hold for changes too."""
    import uuid

    page = make_page(owner=user, title="Kept")
    with pytest.raises(InvalidInput):
        page_update(page=page, title="  ")
    with pytest.raises(InvalidInput):
        page_update(page=page, parent_id=uuid.uuid4())
    page.refresh_from_db()
    assert page.title == "Kept"


# --- trash and restore ------------------------------------------------------------------


def test_page_trash_takes_the_whole_subtree(user):
    """Trashing a page trashes every page below it, at the same moment, and nothing else."""
    root = make_page(owner=user)
    child = make_page(owner=user, parent=root)
    grandchildren = {make_page(owner=user, parent=child) for _ in range(3)}
    sibling = make_page(owner=user)
    assert page_trash(page=child) == 4
    assert trashed() == {child} | grandchildren
    assert live() == {root, sibling}
    assert len(set(Page.objects.filter(deleted_at__isnull=False).values_list("deleted_at", flat=True))) == 1


def test_page_trash_of_a_trashed_page_is_a_conflict(user):
    """A page can be trashed once."""
    page = make_page(owner=user)
    page_trash(page=page)
    page.refresh_from_db()
    with pytest.raises(Conflict, match="already in the trash"):
        page_trash(page=page)


def test_page_trash_keeps_the_time_of_pages_trashed_earlier(user):
    """A child already in the trash keeps its own deletion time when its parent follows."""
    root = make_page(owner=user)
    child = make_page(owner=user, parent=root)
    earlier = timezone.now() - timedelta(days=3)
    trash_at(child, when=earlier)
    page_trash(page=root)
    child.refresh_from_db()
    assert child.deleted_at == earlier


def test_page_untrash_restores_exactly_what_was_trashed_together(user):
    """Restoring brings back the page and the pages trashed with it, not those trashed before."""
    root = make_page(owner=user)
    child = make_page(owner=user, parent=root)
    earlier = make_page(owner=user, parent=root)
    page_trash(page=earlier)
    page_trash(page=root)
    root.refresh_from_db()
    assert page_untrash(page=root) == 2
    assert live() == {root, child}
    assert trashed() == {earlier}


def test_page_untrash_under_a_trashed_parent_is_a_conflict(user):
    """A child cannot come back while its parent is in the trash."""
    root = make_page(owner=user)
    child = make_page(owner=user, parent=root)
    page_trash(page=root)
    with pytest.raises(Conflict, match="restore the parent first"):
        page_untrash(page=child)
    assert trashed() == {root, child}


def test_page_untrash_of_a_live_page_is_a_conflict(user):
    """Only trashed pages can be restored."""
    with pytest.raises(Conflict, match="not in the trash"):
        page_untrash(page=make_page(owner=user))


def test_a_child_trashed_earlier_can_be_restored_after_its_parent(user):
    """After the parent is back, the earlier-trashed child can be restored on its own."""
    root = make_page(owner=user)
    child = make_page(owner=user, parent=root)
    page_trash(page=child)
    page_trash(page=root)
    page_untrash(page=root)
    assert page_untrash(page=child) == 1
    assert live() == {root, child}


# --- purge ------------------------------------------------------------------------------


def test_purge_deletes_pages_older_than_the_retention_and_keeps_newer_ones(user, settings):
    """Pages trashed more than TRASH_RETENTION_DAYS (30) ago go for good; younger ones and live ones stay."""
    assert settings.TRASH_RETENTION_DAYS == 30
    now = timezone.now()
    old = make_page(owner=user, title="old")
    borderline = make_page(owner=user, title="29 days")
    recent = make_page(owner=user, title="recent")
    alive = make_page(owner=user, title="alive")
    trash_at(old, when=now - timedelta(days=31))
    trash_at(borderline, when=now - timedelta(days=29, hours=23))
    trash_at(recent, when=now - timedelta(hours=1))
    assert pages_purge_trash() == 1
    assert set(Page.objects.all()) == {borderline, recent, alive}


def test_purge_takes_children_updates_versions_and_members_along(user, other_user):
    """A purged page's subtree, update log, versions and memberships are deleted with it, and counted."""
    root = make_page(owner=user)
    child = make_page(owner=user, parent=root)
    make_member(page=child, user=other_user, role=Role.EDITOR)
    make_update(page=child)
    make_version(page=root)
    page_trash(page=root)
    trash_at(root, child, when=timezone.now() - timedelta(days=40))
    assert pages_purge_trash() == 2
    assert not Page.objects.exists()
    assert not PageMember.objects.exists()
    assert not PageUpdate.objects.exists()
    assert not PageVersion.objects.exists()


def test_purge_respects_the_retention_setting_and_argument(user, settings):
    """TRASH_RETENTION_DAYS sets the default; older_than overrides it."""
    page = make_page(owner=user)
    trash_at(page, when=timezone.now() - timedelta(days=10))
    assert pages_purge_trash() == 0
    settings.TRASH_RETENTION_DAYS = 7
    assert pages_purge_trash(older_than=timedelta(days=11)) == 0
    assert pages_purge_trash() == 1
    assert not Page.objects.exists()


def test_purge_with_nothing_to_do(user):
    """An empty trash purges nothing."""
    make_page(owner=user)
    assert pages_purge_trash() == 0
    assert Page.objects.count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("length", [2, 3])
def test_concurrent_crossing_moves_cannot_make_a_cycle(make_user, monkeypatch, length):
    """Two moves that would together close a loop (A under B while B, or B's parent, goes under A):
    one wins, the other is refused with 400, and the tree has no cycle."""
    import threading

    from django.db import connection

    from documents.selectors import pages as page_selectors
    from documents.services import pages as page_services

    owner = make_user()
    c = make_page(owner=owner, title="C")
    b = make_page(owner=owner, title="B", parent=c if length == 3 else None)
    a = make_page(owner=owner, title="A")
    top_of_b = c if length == 3 else b
    both_checked = threading.Barrier(2, timeout=2)
    real = page_selectors.page_descendant_ids

    def descendants_then_wait(*, page_id):
        found = real(page_id=page_id)
        # Unserialised, both moves get here, each having seen no cycle.
        try:
            both_checked.wait()
        except threading.BrokenBarrierError:
            pass
        return found

    monkeypatch.setattr(page_services, "page_descendant_ids", descendants_then_wait)
    outcomes: dict[str, str] = {}

    def move(name: str, page: Page, parent: Page) -> None:
        try:
            page_update(page=page, parent_id=parent.id)
            outcomes[name] = "moved"
        except InvalidInput:
            outcomes[name] = "refused"
        except Exception as error:
            outcomes[name] = repr(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=move, args=("a", a, b)),
        threading.Thread(target=move, args=("top", top_of_b, a)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert sorted(outcomes.values()) == ["moved", "refused"]
    parents = dict(Page.objects.values_list("id", "parent_id"))
    for start in parents:
        seen, page_id = set(), start
        while page_id is not None:
            assert page_id not in seen, "cycle in the page tree"
            seen.add(page_id)
            page_id = parents[page_id]
