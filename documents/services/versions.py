"""A page's history: numbered versions, named versions and restores.

A version is a snapshot of the stored document (its state and log merged), so it reproduces
the page exactly, with its rendered title, text and HTML. Restoring a version is a forward
change: a CRDT update that turns the live document into the old content, so open editors
see it at once and nothing before it is lost.
"""

from __future__ import annotations

from uuid import UUID

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction

from documents.errors import Conflict
from documents.models import Page, PageContributor, PageVersion
from documents.rendering import fragment_to_blocks, render, replace_blocks
from documents.selectors.content import page_document_load
from documents.services.content import page_document_change, title_replace
from documents.ydoc import doc_content, doc_from_stored, doc_title

NUMBERING_ATTEMPTS = 5
Reason = PageVersion.Reason


def _latest_version(page_id: UUID) -> PageVersion | None:
    return PageVersion.objects.filter(page_id=page_id).order_by("-number").first()


def page_version_create(
    *,
    page_id: UUID,
    reason: str = Reason.AUTO,
    label: str = "",
    author: AbstractBaseUser | None = None,
    restored_from: int | None = None,
    skip_unchanged: bool = True,
) -> PageVersion | None:
    """Snapshot the stored document as the page's next version; None when nothing is made.

    - Nothing is made when the content (title and HTML) equals the latest version's, unless
      `skip_unchanged` is False. Naming an unchanged page names its latest version instead.
    - An automatic version never records an empty page over real content: emptying a page
      by accident (a bad paste, a broken client) must not push the content out of sight.
    - The version lists everyone who changed the page since the previous one.
    Snapshots of one page take turns on its row lock (which does not block log inserts);
    the unique (page, number) constraint backs that up, with a retry on the next number.
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
                list(Page.objects.select_for_update(no_key=True).filter(id=page_id).values_list("id", flat=True))
                previous = _latest_version(page_id)
                unchanged = previous is not None and (previous.title, previous.html) == (title, rendered.html)
                if skip_unchanged and unchanged:
                    if label and previous is not None and not previous.label:
                        previous.label = label
                        previous.save(update_fields=["label"])
                        return previous
                    if not label:
                        return None
                emptied = previous is not None and previous.text.strip() and not rendered.text.strip()
                if reason == Reason.AUTO and emptied:
                    return None
                contributors = list(PageContributor.objects.filter(page_id=page_id).values_list("user_id", flat=True))
                version = PageVersion.objects.create(
                    page_id=page_id,
                    number=(previous.number if previous else 0) + 1,
                    state=state,
                    title=title[: settings.PAGE_TITLE_MAX_LENGTH],
                    text=rendered.text,
                    html=rendered.html,
                    author=author,
                    label=label,
                    reason=reason,
                    restored_from=restored_from,
                )
                if contributors:
                    version.contributors.set(contributors)
                    PageContributor.objects.filter(page_id=page_id, user_id__in=contributors).delete()
                return version
        except IntegrityError:
            continue  # another process took this number
    raise IntegrityError(f"could not number a new version of page {page_id}")


def page_version_restore(*, page_id: UUID, number: int, user: AbstractBaseUser) -> PageVersion:
    """Bring back a version's content as a new change, and record it as a "restore" version.

    The current state is versioned first (if it changed since the latest version), so the
    history before the restore stays complete.
    """
    old = PageVersion.objects.filter(page_id=page_id, number=number).first()
    if old is None:
        raise PageVersion.DoesNotExist(f"no version {number}")
    if Page.objects.filter(id=page_id, deleted_at__isnull=False).exists():
        raise Conflict("The page is in the trash; restore it from the trash first.")
    page_version_create(page_id=page_id, reason=Reason.AUTO)
    old_doc = doc_from_stored(bytes(old.state))
    blocks = fragment_to_blocks(doc_content(old_doc))
    old_title = str(doc_title(old_doc)) or old.title

    def bring_back(doc) -> None:
        replace_blocks(doc_content(doc), blocks)
        if old_title:
            title_replace(doc, old_title)

    page_document_change(page_id=page_id, user_id=user.pk, change=bring_back)
    if old_title:
        Page.objects.filter(id=page_id).update(title=old_title[: settings.PAGE_TITLE_MAX_LENGTH])
    version = page_version_create(
        page_id=page_id, reason=Reason.RESTORE, author=user, restored_from=number, skip_unchanged=False
    )
    assert version is not None
    return version
