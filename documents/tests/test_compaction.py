"""Compaction: merging the update log into the stored state without losing anything."""

import threading

import pytest
from django.db import connection
from pycrdt import Doc, Text

from documents.models import PageUpdate
from documents.selectors.content import page_document_load
from documents.services.content import NewUpdate, page_compact, page_updates_append
from documents.services.pages import page_create
from documents.ydoc import doc_from_stored


def stored_text(page_id) -> str:
    stored = page_document_load(page_id=page_id)
    return str(doc_from_stored(stored.state, (data for _, data in stored.updates)).get("t", type=Text))


def word_updates(count: int) -> tuple[list[bytes], str]:
    doc = Doc()
    updates: list[bytes] = []
    doc.observe(lambda event: updates.append(event.update))
    text = doc.get("t", type=Text)
    for i in range(count):
        text.insert(len(text), f"w{i} ")
    return updates, str(text)


@pytest.mark.django_db(transaction=True)
def test_two_compactions_at_once_while_updates_are_appended_lose_nothing(user):
    """Two processes may compact one page at the same moment while a third appends: they take
    turns on the page row, each deletes only the rows it merged, and every update survives."""
    page = page_create(owner=user, title="Busy")
    updates, final = word_updates(300)
    page_updates_append(updates=[NewUpdate(page.id, u, None) for u in updates[:100]])
    errors: list[BaseException] = []

    def run(target) -> None:
        try:
            target()
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    def append_rest() -> None:
        for update in updates[100:]:
            page_updates_append(updates=[NewUpdate(page.id, update, None)])

    def compact_often() -> None:
        for _ in range(15):
            page_compact(page_id=page.id)

    threads = [threading.Thread(target=run, args=(job,)) for job in (append_rest, compact_often, compact_often)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert stored_text(page.id) == final
    page_compact(page_id=page.id)
    assert not PageUpdate.objects.filter(page=page).exists()
    assert stored_text(page.id) == final


@pytest.mark.django_db
def test_compaction_keeps_rows_younger_than_the_minimum_age(user):
    """Recent rows stay in the log (other processes may not have scanned them yet)."""
    from datetime import timedelta

    page = page_create(owner=user, title="Young")
    updates, final = word_updates(3)
    page_updates_append(updates=[NewUpdate(page.id, u, None) for u in updates])
    result = page_compact(page_id=page.id, min_age=timedelta(minutes=5))
    assert result.merged == 0
    assert PageUpdate.objects.filter(page=page).count() == 3
    assert stored_text(page.id) == final
