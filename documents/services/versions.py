"""Numbered snapshots of a page's document (the history feature builds on this)."""

from __future__ import annotations

from uuid import UUID

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from pycrdt import Doc

from documents.models import Page, PageVersion
from documents.rendering import Rendered, render
from documents.selectors.content import page_document_load
from documents.ydoc import doc_from_stored

NUMBERING_ATTEMPTS = 5


def _same_document(previous: PageVersion, state: bytes, doc: Doc, rendered: Rendered) -> bool:
    previous_state = bytes(previous.state)
    if previous_state == state:
        return True
    # The same document can be encoded differently (updates merged in another order): it is
    # the same when it holds the same items (state vector) and shows the same content.
    old = doc_from_stored(previous_state)
    return old.get_state() == doc.get_state() and (previous.text, previous.html) == (rendered.text, rendered.html)


def _latest_version(page_id: UUID) -> PageVersion | None:
    return PageVersion.objects.filter(page_id=page_id).order_by("-number").first()


def page_version_create(
    *,
    page_id: UUID,
    reason: str = PageVersion.Reason.AUTO,
    label: str = "",
    author: AbstractBaseUser | None = None,
    skip_unchanged: bool = True,
) -> PageVersion | None:
    """Snapshot the stored document (state and log) with its rendered content as the page's
    next version. Returns None, creating nothing, when it equals the latest version.

    Numbers are the next per page: snapshots of a page take turns on its row lock, and one
    that still meets the unique constraint on (page, number) retries with the next number.
    """
    stored = page_document_load(page_id=page_id)
    if stored is None:
        raise Page.DoesNotExist(f"no page {page_id}")
    doc = doc_from_stored(stored.state, (data for _, data in stored.updates))
    state = doc.get_update()
    rendered = render(doc)
    title = rendered.title or Page.objects.filter(id=page_id).values_list("title", flat=True).first() or ""
    for _ in range(NUMBERING_ATTEMPTS):
        try:
            with transaction.atomic():
                # Snapshots of one page take turns (the lock does not block log inserts); the
                # unique constraint backs it up where the database has no row locks.
                list(Page.objects.select_for_update(no_key=True).filter(id=page_id).values_list("id", flat=True))
                previous = _latest_version(page_id)
                if skip_unchanged and previous is not None and _same_document(previous, state, doc, rendered):
                    return None
                return PageVersion.objects.create(
                    page_id=page_id,
                    number=(previous.number if previous else 0) + 1,
                    state=state,
                    title=title[:255],
                    text=rendered.text,
                    html=rendered.html,
                    author=author,
                    label=label,
                    reason=reason,
                )
        except IntegrityError:
            continue  # another snapshot took this number
    raise IntegrityError(f"could not number a new version of page {page_id}")
