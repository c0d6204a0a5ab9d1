"""Small factories for pages, members and page documents (real Yjs updates made with pycrdt)."""

import itertools
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone
from pycrdt import Doc, Text, XmlElement, XmlFragment, XmlText

from documents.models import Page, PageMember, PageUpdate, PageVersion, Role
from documents.rendering import CONTENT_FIELD, render
from documents.selectors.content import page_document_load
from documents.services.content import NewUpdate, page_updates_append, title_replace
from documents.ydoc import doc_from_stored

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


# Page documents ----------------------------------------------------------------------------


def paragraph_updates(*paragraphs: str) -> list[bytes]:
    """One update per paragraph appended to a fresh document's content, as Tiptap would write."""
    doc: Doc = Doc()
    fragment = doc.get(CONTENT_FIELD, type=XmlFragment)
    updates: list[bytes] = []
    doc.observe(lambda event: updates.append(event.update))
    for text in paragraphs:
        fragment.children.append(XmlElement("paragraph", {}, [XmlText(text)]))
    return updates


def append_paragraphs(page, *paragraphs: str, user=None) -> list[int]:
    """Store paragraphs as log rows of the page, after what its stored document holds.

    A new page's one empty paragraph is typed into first, as a person would.
    """
    stored = page_document_load(page_id=page.id)
    doc = doc_from_stored(stored.state, (data for _, data in stored.updates))
    fragment = doc.get(CONTENT_FIELD, type=XmlFragment)
    updates: list[bytes] = []
    doc.observe(lambda event: updates.append(event.update))
    paragraphs_left = list(paragraphs)
    children = list(fragment.children)
    if paragraphs_left and len(children) == 1 and children[0].tag == "paragraph" and not len(children[0].children):
        first = children[0]
        first.children.append(XmlText(paragraphs_left.pop(0)))
    for text in paragraphs_left:
        fragment.children.append(XmlElement("paragraph", {}, [XmlText(text)]))
    rows = [NewUpdate(page.id, update, user.pk if user else None) for update in updates]
    return page_updates_append(updates=rows)


def set_title(page, title: str) -> list[int]:
    """Store a change of the document's title as a log row, as a person renaming would."""
    stored = page_document_load(page_id=page.id)
    doc = doc_from_stored(stored.state, (data for _, data in stored.updates))
    updates: list[bytes] = []
    doc.observe(lambda event: updates.append(event.update))
    with doc.transaction():
        title_replace(doc, title)
    return page_updates_append(updates=[NewUpdate(page.id, update, None) for update in updates])


def rendered(*paragraphs: str, title: str = ""):
    """What the renderer makes of a document holding these paragraphs (and title)."""
    doc = doc_from_stored(b"", paragraph_updates(*paragraphs))
    if title:
        doc.get("title", type=Text).insert(0, title)
    return render(doc)
