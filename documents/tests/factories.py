"""Small factories for pages and members: plain functions, sensible defaults, keyword args."""

import itertools
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from documents.models import Page, PageMember, PageUpdate, PageVersion, Role

_titles = itertools.count(1)


def make_page(
    *,
    owner: AbstractBaseUser | None = None,
    title: str | None = None,
    parent: Page | None = None,
    **fields,
) -> Page:
    """A page; its owner (when given) also gets the owner membership, as page_create does."""
    page = Page.objects.create(title=title or f"Page {next(_titles)}", parent=parent, owner=owner, **fields)
    if owner is not None:
        PageMember.objects.create(page=page, user=owner, role=Role.OWNER)
    return page


def make_member(*, page: Page, user: AbstractBaseUser, role: Role | str = Role.VIEWER) -> PageMember:
    """Give `user` a role on `page` (and so on the pages below it)."""
    return PageMember.objects.create(page=page, user=user, role=role)


def make_tree(*, owner: AbstractBaseUser, roots: int = 3, children: int = 3, grandchildren: int = 2) -> list[Page]:
    """A page tree owned by `owner`, depth first: every root with its children and their children."""
    pages: list[Page] = []
    for r in range(roots):
        root = make_page(owner=owner, title=f"Root {r}")
        pages.append(root)
        for c in range(children):
            child = make_page(owner=owner, title=f"Root {r} child {c}", parent=root)
            pages.append(child)
            for g in range(grandchildren):
                pages.append(make_page(owner=owner, title=f"Root {r} child {c} leaf {g}", parent=child))
    return pages


def trash_at(*pages: Page, when: datetime | None = None) -> None:
    """Mark pages as trashed at `when` (now by default), bypassing the service."""
    when = when or timezone.now()
    Page.objects.filter(id__in=[page.id for page in pages]).update(deleted_at=when)
    for page in pages:
        page.deleted_at = when


def make_update(*, page: Page, data: bytes = b"\x00\x00", user: AbstractBaseUser | None = None) -> PageUpdate:
    """A row of the page's update log."""
    return PageUpdate.objects.create(page=page, data=data, user=user)


def make_version(*, page: Page, number: int = 1, **fields) -> PageVersion:
    """A stored version of the page."""
    fields.setdefault("state", b"")
    fields.setdefault("title", page.title)
    return PageVersion.objects.create(page=page, number=number, **fields)
