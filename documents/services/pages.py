"""Creating, renaming, moving, trashing and restoring pages."""

from datetime import timedelta
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction
from django.utils import timezone

from documents.errors import Conflict, InvalidInput
from documents.events import access_changed_published
from documents.models import AccessEvent, Page, PageMember, Role
from documents.selectors.pages import page_descendant_ids
from documents.services.content import document_with_title, page_title_write

UNCHANGED: Any = object()


def _clean_title(title: str) -> str:
    title = " ".join(str(title).split())
    if not title:
        raise InvalidInput("A page needs a title.", field="title")
    if len(title) > settings.PAGE_TITLE_MAX_LENGTH:
        raise InvalidInput(
            f"A title can be at most {settings.PAGE_TITLE_MAX_LENGTH} characters long.",
            field="title",
        )
    return title


def _live_parent(parent_id: UUID | None) -> Page | None:
    if parent_id is None:
        return None
    parent = Page.objects.filter(id=parent_id).first()
    if parent is None:
        raise InvalidInput("The parent page does not exist.", field="parent")
    if parent.in_trash:
        raise Conflict("The parent page is in the trash.", field="parent")
    return parent


# Any fixed number; it names the lock that serialises moves in the page tree.
_TREE_MOVE_LOCK = 7_061_676_501


def _serialise_moves() -> None:
    """Hold the tree's move lock until the transaction ends.

    Two moves checked at once can each see no cycle and together close one (A under B while
    B's parent goes under A), or deadlock on each other's row locks. Moves are rare, so they
    take turns. SQLite needs nothing: its transactions here take the write lock at BEGIN.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_TREE_MOVE_LOCK])


def page_move_check(*, page_id: UUID, parent_id: UUID | None) -> None:
    """Refuse to put a page under itself or one of its descendants: the tree would get a cycle."""
    if parent_id is not None and (parent_id == page_id or parent_id in page_descendant_ids(page_id=page_id)):
        raise InvalidInput("A page cannot be moved under itself or one of its children.", field="parent")


@transaction.atomic
def page_create(*, owner: AbstractBaseUser, title: str, parent_id: UUID | None = None) -> Page:
    """Create a page and make its creator its owner, in one transaction."""
    title = _clean_title(title)
    page = Page.objects.create(
        title=title, parent=_live_parent(parent_id), owner=owner, state=document_with_title(title)
    )
    PageMember.objects.create(page=page, user=owner, role=Role.OWNER)
    return page


@transaction.atomic
def page_update(
    *,
    page: Page,
    title: str = UNCHANGED,
    parent_id: UUID | None = UNCHANGED,
    changed_by: AbstractBaseUser | None = None,
) -> Page:
    """Rename and/or move a page. Moving under itself or a descendant is refused."""
    if parent_id is not UNCHANGED:
        _serialise_moves()
    page = Page.objects.select_for_update().get(id=page.id)
    if page.in_trash:
        raise Conflict("The page is in the trash; restore it first.")
    fields = ["updated_at"]
    if title is not UNCHANGED and _clean_title(title) != page.title:
        page.title = _clean_title(title)
        fields.append("title")
        # The title lives in the document as well, where open editors see it change.
        page_title_write(page_id=page.id, title=page.title, user_id=changed_by.pk if changed_by else None)
    if parent_id is not UNCHANGED:
        page_move_check(page_id=page.id, parent_id=parent_id)
        moved = page.parent_id != parent_id
        page.parent = _live_parent(parent_id)
        fields.append("parent")
        if moved:
            # Roles inherited from the old parent no longer apply below the page.
            AccessEvent.objects.create(page=page, reason=AccessEvent.Reason.MOVED, changed_by=changed_by)
            access_changed_published(page_ids=[page.id, *page_descendant_ids(page_id=page.id)])
    page.save(update_fields=fields)
    return page


@transaction.atomic
def page_trash(*, page: Page, changed_by: AbstractBaseUser | None = None) -> int:
    """Move a page and everything below it to the trash. Returns how many pages moved.

    Open editors of those pages are closed (4404) by their server processes.
    """
    if page.in_trash:
        raise Conflict("The page is already in the trash.")
    now = timezone.now()
    ids = {page.id} | page_descendant_ids(page_id=page.id)
    moved = Page.objects.filter(id__in=ids, deleted_at__isnull=True).update(deleted_at=now)
    AccessEvent.objects.create(page=page, reason=AccessEvent.Reason.TRASHED, changed_by=changed_by)
    access_changed_published(page_ids=list(ids))
    return moved


@transaction.atomic
def page_untrash(*, page: Page) -> int:
    """Bring a page back from the trash, with the pages that were trashed along with it."""
    page = Page.objects.select_for_update().get(id=page.id)
    if not page.in_trash:
        raise Conflict("The page is not in the trash.")
    if page.parent_id is not None and Page.objects.filter(id=page.parent_id, deleted_at__isnull=False).exists():
        raise Conflict("The page's parent is in the trash; restore the parent first.")
    ids = {page.id} | page_descendant_ids(page_id=page.id)
    return Page.objects.filter(id__in=ids, deleted_at=page.deleted_at).update(deleted_at=None)


def pages_purge_trash(*, older_than: timedelta | None = None) -> int:
    """Delete for good the pages that have been in the trash longer than the retention time."""
    if older_than is None:
        older_than = timedelta(days=settings.TRASH_RETENTION_DAYS)
    cutoff = timezone.now() - older_than
    purged = 0
    # Children cascade with their parents; delete the topmost expired pages one by one.
    for page_id in Page.objects.filter(deleted_at__lt=cutoff).values_list("id", flat=True):
        with transaction.atomic():
            _, by_model = Page.objects.filter(id=page_id).delete()
            purged += by_model.get("documents.Page", 0)
    return purged
