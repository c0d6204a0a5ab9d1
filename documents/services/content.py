"""Writes of page documents: the update log, compaction and the rendered content."""

import logging
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

import psycopg
from django.db import connection, transaction
from django.utils import timezone
from pycrdt import Doc, XmlElement, merge_updates

from documents.events import page_updates_published
from documents.models import Page, PageContributor, PageUpdate
from documents.selectors.content import page_document_load
from documents.ydoc import doc_content, doc_from_stored, doc_holds, doc_title

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class NewUpdate:
    page_id: UUID
    data: bytes
    user_id: int | None


def page_updates_append(*, updates: list[NewUpdate]) -> list[int]:
    """Append updates to their pages' logs in one transaction; returns their ids in order.

    Records who wrote them (for the next version) in the same transaction.
    """
    if not updates:
        return []
    if connection.vendor == "postgresql":
        return _append_postgresql(updates)
    rows = [PageUpdate(page_id=u.page_id, data=u.data, user_id=u.user_id) for u in updates]
    authors = {(u.page_id, u.user_id) for u in updates if u.user_id is not None}
    with transaction.atomic():
        PageUpdate.objects.bulk_create(rows)
        if authors:
            PageContributor.objects.bulk_create(
                [PageContributor(page_id=page_id, user_id=user_id) for page_id, user_id in authors],
                ignore_conflicts=True,
            )
    return [row.id for row in rows]


# Appends updates and records their authors: one statement, so one round trip and atomic
# without a transaction block, for any number of rows; it returns the new ids, ascending in the
# order of the updates. Positional ($n): the realtime writer runs it prepared on libpq with
# append_parameters, the synchronous path through psycopg.
APPEND_SQL = """
WITH
    added AS (
        INSERT INTO documents_pageupdate (page_id, data, user_id, created_at)
        SELECT page_id, data, user_id, $1
        FROM unnest($2::uuid[], $3::bytea[], $4::integer[]) WITH ORDINALITY
            AS t(page_id, data, user_id, n)
        ORDER BY n
        RETURNING id
    ),
    authors AS (
        INSERT INTO documents_pagecontributor (page_id, user_id)
        SELECT DISTINCT page_id, user_id FROM unnest($2::uuid[], $4::integer[]) AS t(page_id, user_id)
        WHERE user_id IS NOT NULL
        ON CONFLICT DO NOTHING
    )
SELECT id FROM added ORDER BY id
"""
# Parameter types: timestamptz, uuid[], bytea[], int4[].
APPEND_TYPES = (1184, 2951, 1001, 1007)
_EPOCH = 946_684_800  # PostgreSQL's binary timestamps count microseconds from 2000-01-01 UTC
_INT8 = struct.Struct("!q")
_LENGTH = struct.Struct("!i")
_USER = struct.Struct("!ii")  # an int4 element: its length (4) and the id
_NULL = _LENGTH.pack(-1)
_UUID_LENGTH = _LENGTH.pack(16)
# An array's header: one dimension, whether it holds NULLs, the element type, length, lower bound 1.
_ARRAY = struct.Struct("!iiIii")


def append_parameters(updates: list[NewUpdate]) -> list[bytes]:
    """APPEND_SQL's parameters for `updates` (one or more), in PostgreSQL's binary format.

    The realtime writer sends these as they are. Through psycopg's adapters (lists of UUIDs,
    bytes and ints, dumped element by element in Python) the same cost more than the rest of
    a batch's client time.
    """
    n = len(updates)
    users = [u.user_id for u in updates]
    return [
        _INT8.pack(round((time.time() - _EPOCH) * 1_000_000)),
        _ARRAY.pack(1, 0, 2950, n, 1) + b"".join([_UUID_LENGTH + u.page_id.bytes for u in updates]),
        _ARRAY.pack(1, 0, 17, n, 1) + b"".join([_LENGTH.pack(len(u.data)) + u.data for u in updates]),
        _ARRAY.pack(1, int(None in users), 23, n, 1)
        + b"".join([_NULL if user is None else _USER.pack(4, user) for user in users]),
    ]


def _append_postgresql(updates: list[NewUpdate]) -> list[int]:
    connection.ensure_connection()
    with psycopg.RawCursor(connection.connection) as cursor:
        params = [
            timezone.now(),
            [u.page_id for u in updates],
            [u.data for u in updates],
            [u.user_id for u in updates],
        ]
        cursor.execute(APPEND_SQL, params, binary=True)
        return [row[0] for row in cursor.fetchall()]


@dataclass(frozen=True)
class Compaction:
    merged: int
    state_bytes: int
    seconds: float


def page_compact(*, page_id: UUID, min_age: timedelta = timedelta(0)) -> Compaction:
    """Merge the page's log rows older than `min_age` into its stored state, in one transaction.

    Safe to run from any process at any time: the page row is locked (FOR NO KEY UPDATE, which
    does not block concurrent log inserts) so two compactions of one page take turns, and
    only the rows that were merged are deleted.
    """
    started = time.perf_counter()
    with transaction.atomic():
        page = Page.objects.select_for_update(no_key=True).only("id", "state").filter(id=page_id).first()
        if page is None:
            return Compaction(0, 0, 0.0)
        rows = PageUpdate.objects.filter(page_id=page_id).order_by("id")
        if min_age:
            rows = rows.filter(created_at__lt=timezone.now() - min_age)
        merged = list(rows.values_list("id", "data"))
        if not merged:
            return Compaction(0, len(page.state or b""), time.perf_counter() - started)
        doc = doc_from_stored(bytes(page.state or b""), (data for _, data in merged))
        # Updates still waiting for one they depend on are not in the encoded state: keep them.
        waiting = [bytes(data) for _, data in merged if not doc_holds(doc, bytes(data))]
        state = merge_updates(doc.get_update(), *waiting) if waiting else doc.get_update()
        Page.objects.filter(id=page_id).update(state=state)
        PageUpdate.objects.filter(id__in=[row_id for row_id, _ in merged]).delete()
    return Compaction(len(merged), len(state), time.perf_counter() - started)


def page_rendered_save(
    *, page_id: UUID, title: str | None, text: str, html: str, edited_at: datetime | None = None
) -> None:
    """Store the page's rendered content (and its title, when the document has one)."""
    fields: dict[str, object] = {"text": text, "html": html, "edited_at": edited_at or timezone.now()}
    if title:
        fields["title"] = title[:255]
    Page.objects.filter(id=page_id).update(**fields)


def page_document_change(*, page_id: UUID, user_id: int | None, change: Callable[[Doc], None]) -> bytes | None:
    """Make a change to a page's document outside the WebSocket, as a CRDT update.

    The change runs on the stored document; its update is appended to the log and handed to
    live editors on commit, so it merges with whatever they are typing. Returns the update,
    or None when the change changed nothing.
    """
    stored = page_document_load(page_id=page_id)
    if stored is None:
        raise Page.DoesNotExist(page_id)
    doc = doc_from_stored(stored.state, (data for _, data in stored.updates))
    captured: list[bytes] = []
    subscription = doc.observe(lambda event: captured.append(event.update))
    with doc.transaction():
        change(doc)
    doc.unobserve(subscription)
    update = captured[0] if captured else None
    if not update or update == b"\x00\x00":
        return None
    with transaction.atomic():
        [row_id] = page_updates_append(updates=[NewUpdate(page_id, update, user_id)])
        Page.objects.filter(id=page_id).update(edited_at=timezone.now())
        page_updates_published(page_id, [(row_id, update)])
    return update


def title_replace(doc: Doc, title: str) -> None:
    """Make the document's title read `title` (lengths in pycrdt Text count UTF-8 bytes)."""
    text = doc_title(doc)
    if str(text) == title:
        return
    del text[0 : len(text)]
    text.insert(0, title)


def document_with_title(title: str) -> bytes:
    """The stored state of a new page: its title and one empty paragraph.

    Made on the server so that two people opening a new page at the same moment start from
    the same document, instead of each editor adding its own first paragraph.
    """
    doc = Doc()
    with doc.transaction():
        title_replace(doc, title)
        doc_content(doc).children.append(XmlElement("paragraph"))
    return doc.get_update()


def page_title_write(*, page_id: UUID, title: str, user_id: int | None) -> None:
    """Rename a page inside its document too, as a change that merges with live editing."""
    page_document_change(page_id=page_id, user_id=user_id, change=lambda doc: title_replace(doc, title))
