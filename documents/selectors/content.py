"""Reads of stored documents: the compacted state and the update log."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from django.db import connection
from django.db.models import Count, Max

from documents.models import Page, PageUpdate


@dataclass(frozen=True)
class StoredDocument:
    state: bytes
    updates: list[tuple[int, bytes]]


_LOAD_SQL = """
SELECT p.id,
       p.state,
       ARRAY(SELECT u.id FROM documents_pageupdate u WHERE u.page_id = p.id ORDER BY u.id),
       ARRAY(SELECT u.data FROM documents_pageupdate u WHERE u.page_id = p.id ORDER BY u.id)
FROM documents_page p WHERE p.id = ANY(%s)
"""


def page_document_load(*, page_id: UUID) -> StoredDocument | None:
    """The page's stored state and log, or None if there is no such page.

    On PostgreSQL one statement reads both, from one snapshot, in one round trip. Elsewhere
    the log is read before the state: a compaction that commits in between moves rows into
    the state, so reading in this order can only see a row twice, never miss it.
    """
    return page_documents_load(page_ids=[page_id])[0]


def page_documents_load(*, page_ids: list[UUID]) -> list[StoredDocument | None]:
    """page_document_load() for several pages, in their order; one statement on PostgreSQL."""
    to_uuid = Page._meta.pk.to_python
    page_ids = [to_uuid(page_id) for page_id in page_ids]
    if connection.vendor != "postgresql":
        return [_document_load_in_two_reads(page_id) for page_id in page_ids]
    with connection.cursor() as cursor:
        cursor.execute(_LOAD_SQL, [list(dict.fromkeys(page_ids))])
        rows = cursor.fetchall()
    found = {
        page_id: StoredDocument(state=bytes(state), updates=[(i, bytes(d)) for i, d in zip(ids, datas, strict=True)])
        for page_id, state, ids, datas in rows
    }
    return [found.get(page_id) for page_id in page_ids]


def _document_load_in_two_reads(page_id: UUID) -> StoredDocument | None:
    updates = [
        (row_id, bytes(data))
        for row_id, data in PageUpdate.objects.filter(page_id=page_id).order_by("id").values_list("id", "data")
    ]
    state = Page.objects.filter(id=page_id).values_list("state", flat=True).first()
    if state is None:
        return None
    return StoredDocument(state=bytes(state), updates=updates)


def page_update_counts_after(*, page_ids: list[UUID], after_id: int) -> dict[UUID, tuple[int, int]]:
    """How many log rows each of these pages has with an id above `after_id`, and the highest.

    Runs twice a second in every server process; one aggregate, a row per page.
    """
    if not page_ids:
        return {}
    rows = (
        PageUpdate.objects.filter(page_id__in=page_ids, id__gt=after_id)
        .values("page_id")
        .annotate(rows=Count("id"), last=Max("id"))
        .values_list("page_id", "rows", "last")
    )
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    to_uuid = Page._meta.pk.to_python
    return {to_uuid(page_id): (count, last) for page_id, count, last in fetched}


def page_update_ids_after(*, page_id: UUID, after_id: int) -> list[tuple[int, datetime]]:
    """(id, created_at) of one page's log rows with an id above `after_id`."""
    rows = PageUpdate.objects.filter(page_id=page_id, id__gt=after_id).order_by("id")
    return list(rows.values_list("id", "created_at"))
