"""Updates that arrive before the updates they depend on."""

import pytest
from asgiref.sync import sync_to_async
from pycrdt import Doc, Text

from documents.models import PageUpdate
from documents.selectors.content import page_document_load
from documents.services.content import NewUpdate, page_compact, page_updates_append
from documents.ydoc import doc_from_stored
from realtime.protocol import sync_update
from realtime.tests.conftest import settle

pytestmark = pytest.mark.django_db(transaction=True)


def two_dependent_updates() -> tuple[bytes, bytes, str]:
    """A's insert, then B's insert next to it (B depends on A), and the final text."""
    a, b = Doc(), Doc()
    a.get("t", type=Text).insert(0, "first ")
    first = a.get_update()
    b.apply_update(first)
    before = b.get_state()
    text = b.get("t", type=Text)
    text.insert(len(text), "second")
    return first, b.get_update(before), str(text)


def stored_text(page_id) -> str:
    stored = page_document_load(page_id=page_id)
    return str(doc_from_stored(stored.state, (data for _, data in stored.updates)).get("t", type=Text))


async def test_an_update_that_arrives_early_is_stored_and_integrates_later(hub, connect, page, user):
    """B's update arrives first (say B reconnected to a process that had not yet seen A's):
    it is stored whole although nothing shows yet; when A's arrives both show everywhere."""
    first, second, final = two_dependent_updates()
    early = await connect(page, user, name="early")
    watcher = await connect(page, user, name="watcher")
    early.outbox.append(sync_update(second))
    await settle(early, watcher)
    assert await PageUpdate.objects.filter(page=page).acount() == 1
    early.outbox.append(sync_update(first))
    await settle(early, watcher)
    assert str(watcher.doc.get("t", type=Text)) == final
    assert await sync_to_async(stored_text)(page.id) == final
    late = await connect(page, user, name="late")
    assert str(late.doc.get("t", type=Text)) == final


def test_compaction_keeps_an_update_still_waiting_for_its_dependency(transactional_db, page):
    """A pending update is not in Yrs' encoded state; compaction must keep it anyway."""
    first, second, final = two_dependent_updates()
    page_updates_append(updates=[NewUpdate(page.id, second, None)])
    page_compact(page_id=page.id)
    assert not PageUpdate.objects.filter(page=page).exists()
    page_updates_append(updates=[NewUpdate(page.id, first, None)])
    assert stored_text(page.id) == final
