"""Each limit: hit it, get the documented close code or status, and nothing else changes."""

import pytest
from asgiref.sync import sync_to_async
from django.core.cache import cache
from django.test import Client

from documents.models import PageUpdate
from realtime.protocol import AwarenessEntry, awareness_message
from realtime.tests.conftest import settle

pytestmark = pytest.mark.django_db(transaction=True)


def limit(hub, settings, **values):
    settings.REALTIME = {**settings.REALTIME, **values}
    hub.settings.update(values)


async def test_too_many_messages_closes_with_4429(hub, connect, page, user, settings):
    """More messages than the rate and burst allow close the connection with 4429."""
    limit(hub, settings, MESSAGES_PER_SECOND=5.0, MESSAGE_BURST=10.0)
    client = await connect(page, user)
    for clock in range(1, 40):
        client.outbox.append(awareness_message([AwarenessEntry(5, clock, "{}")]))
    await client.flush()
    await client.pump()
    assert client.close_code == 4429


async def test_oversized_awareness_closes_with_4413(hub, connect, page, user, settings):
    limit(hub, settings, MAX_AWARENESS_BYTES=200)
    other = await connect(page, user)
    client = await connect(page, user)
    client.set_awareness(5, 1, '{"user":{"name":"' + "x" * 500 + '"}}')
    await settle(client, other)
    assert client.close_code == 4413
    assert 5 not in other.awareness


async def test_page_is_full_closes_with_1013(hub, connect, page, user, make_user, settings):
    """Past the connections-per-page limit a new connection gets 1013; the others stay."""
    limit(hub, settings, MAX_CONNECTIONS_PER_PAGE=2)
    first = await connect(page, user)
    await connect(page, user)
    third = await connect(page, user, sync=False)
    await third.pump()
    assert third.close_code == 1013
    first.append("still fine")
    await settle(first)
    assert first.close_code is None
    assert first.content() == "still fine"


async def test_too_many_connections_for_one_user_closes_with_4429(hub, connect, page, user, settings):
    limit(hub, settings, MAX_CONNECTIONS_PER_USER=2)
    await connect(page, user)
    await connect(page, user)
    third = await connect(page, user, sync=False)
    await third.pump()
    assert third.close_code == 4429


async def test_update_past_the_document_size_limit_is_refused(hub, connect, page, user, other_user, settings):
    """An update that would grow the document past the limit closes its sender with 4413; the
    document is unchanged and the page stays openable (Outline #13788)."""
    limit(hub, settings, MAX_DOCUMENT_BYTES=3000)
    writer = await connect(page, user)
    writer.append("small")
    await settle(writer)
    writer.append("x" * 4000)
    await settle(writer)
    assert writer.close_code == 4413
    assert await PageUpdate.objects.filter(page=page).acount() == 1
    fresh = await connect(page, user)
    assert fresh.content() == "small"


def test_rest_rate_limit_answers_429(user, settings):
    """Past the per-user REST rate limit the API answers 429 with a JSON message."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"user": "3/min", "anon": "3/min"}}
    cache.clear()
    client = Client()
    client.force_login(user)
    statuses = [client.get("/api/pages/").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    assert "throttled" in client.get("/api/pages/").json()["detail"].lower()


async def test_garbage_is_logged_once_not_per_frame(hub, connect, page, user, caplog):
    """A client sending garbage is closed with one log line and no traceback."""
    client = await connect(page, user)
    for _ in range(5):
        client.outbox.append(b"\xff\xfe\xfd")
    await sync_to_async(lambda: None)()
    await client.flush()
    await client.pump()
    assert client.close_code == 4400
    lines = [r for r in caplog.records if "closing the connection" in r.getMessage()]
    assert len(lines) == 1
    assert not any(r.exc_info for r in caplog.records)
