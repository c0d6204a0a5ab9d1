"""Does each page's stored document replay, and does it render to the text stored beside it?"""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from django.db import transaction
from pycrdt import Doc

from documents.models import Page, PageUpdate
from documents.rendering import Rendered, render
from documents.selectors.content import page_document_load
from documents.services.content import page_rendered_save


@dataclass
class IntegrityReport:
    page_id: UUID
    title: str
    state_readable: bool = True
    unreadable_updates: list[int] = field(default_factory=list)
    text_matches: bool = True
    html_matches: bool = True
    rendered: Rendered | None = None

    @property
    def ok(self) -> bool:
        return self.state_readable and not self.unreadable_updates and self.text_matches and self.html_matches


def _applies(doc: Doc, update: bytes) -> bool:
    try:
        doc.apply_update(update)
    except BaseException as error:  # pyo3 panics derive from BaseException
        if isinstance(error, (KeyboardInterrupt, SystemExit)):
            raise
        return False
    return True


def page_integrity_check(*, page_id: UUID) -> IntegrityReport | None:
    """Replay the stored state and each log row, render, compare with the stored text and HTML."""
    page = Page.objects.filter(id=page_id).only("id", "title", "text", "html").first()
    stored = page_document_load(page_id=page_id)
    if page is None or stored is None:
        return None
    report = IntegrityReport(page_id=page.id, title=page.title)
    doc: Doc = Doc()
    if stored.state and not _applies(doc, stored.state):
        report.state_readable = False
        doc = Doc()
    for row_id, data in stored.updates:
        if not _applies(doc, data):
            report.unreadable_updates.append(row_id)
    report.rendered = render(doc)
    report.text_matches = report.rendered.text == page.text
    report.html_matches = report.rendered.html == page.html
    return report


def page_integrity_repair(*, report: IntegrityReport) -> int:
    """Drop the log rows that do not decode and save the re-rendered content. Returns rows dropped.

    An unreadable stored state is left alone: only a person can choose what replaces it
    (restore a version).
    """
    assert report.rendered is not None
    with transaction.atomic():
        dropped, _ = PageUpdate.objects.filter(page_id=report.page_id, id__in=report.unreadable_updates).delete()
        # Re-rendering is not an edit: the page keeps its time of last edit.
        edited_at = Page.objects.filter(id=report.page_id).values_list("edited_at", flat=True).first()
        page_rendered_save(
            page_id=report.page_id,
            title=report.rendered.title or None,
            text=report.rendered.text,
            html=report.rendered.html,
            edited_at=edited_at,
        )
    return dropped
