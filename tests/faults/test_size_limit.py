"""An update that would make the page too large."""

import pytest
from asgiref.sync import sync_to_async

from documents.services.pages import page_create
from tests.faults.support import Editor, assert_nothing_lost, close_all, open_editors
from tests.support.live import session_cookie

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


async def test_update_past_the_size_limit_is_refused_and_the_page_stays_openable(live_servers, user):
    """Guards against Outline #13788: one huge paste made a document too large to load, and
    the page could no longer be opened by anyone. The update is refused with 4413, the
    document is unchanged, and everyone can still open and edit the page."""
    [server] = await sync_to_async(live_servers)(1, REALTIME_MAX_DOCUMENT_BYTES="20000")
    page = await sync_to_async(page_create)(owner=user, title="Big paste")
    cookie = await sync_to_async(session_cookie)(user)
    writer, other = await open_editors([server], page.id, cookie, per_server=2)
    await writer.type_token()
    await assert_nothing_lost([writer, other], page.id)
    writer.append("x" * 30_000)
    await writer.flush()
    await writer.wait_for(lambda: writer.close_code is not None, 5)
    assert writer.close_code == 4413
    fresh = Editor([server], page.id, cookie, "fresh")
    await fresh.connect()
    await fresh.wait_synced()
    assert "x" * 100 not in fresh.content()
    await fresh.type_token()
    await assert_nothing_lost([fresh, other], page.id)
    await close_all([fresh, other, writer])
