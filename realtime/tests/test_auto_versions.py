"""Automatic versions made by the rooms: after a quiet period, when the last editor leaves,
and at least every so often during continuous editing; never a duplicate."""

import asyncio

import pytest

from documents.models import PageVersion
from realtime.tests.conftest import settle

pytestmark = pytest.mark.django_db(transaction=True)


async def versions(page) -> list[tuple[int, str]]:
    return [(v.number, v.reason) async for v in PageVersion.objects.filter(page=page).order_by("number")]


async def wait_for_versions(page, count: int, timeout: float = 5.0) -> list[tuple[int, str]]:
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        found = await versions(page)
        if len(found) >= count:
            return found
        await asyncio.sleep(0.1)
    return await versions(page)


async def test_a_quiet_period_after_editing_makes_one_version(hub, connect, page, user):
    hub.settings.update(VERSION_QUIET_SECONDS=0.5, VERSION_MAX_INTERVAL_SECONDS=60)
    client = await connect(page, user)
    client.add_paragraph("Draft")
    await settle(client)
    assert await wait_for_versions(page, 1) == [(1, "auto")]
    await asyncio.sleep(1.5)  # still quiet: nothing new to version
    assert await versions(page) == [(1, "auto")]
    version = await PageVersion.objects.aget(page=page, number=1)
    assert "Draft" in version.text
    assert [u.pk async for u in version.contributors.all()] == [user.pk]


async def test_continuous_editing_is_versioned_at_least_every_interval(hub, connect, page, user):
    hub.settings.update(VERSION_QUIET_SECONDS=60, VERSION_MAX_INTERVAL_SECONDS=1.0)
    client = await connect(page, user)
    for i in range(25):  # never quiet for long
        client.add_paragraph(f"line {i}")
        await settle(client, rounds=1, timeout=0.05)
        await asyncio.sleep(0.05)
    assert len(await wait_for_versions(page, 1)) >= 1


async def test_the_last_editor_leaving_makes_a_version(hub, connect, page, user):
    hub.settings.update(VERSION_QUIET_SECONDS=60, VERSION_MAX_INTERVAL_SECONDS=60)
    client = await connect(page, user)
    client.add_paragraph("Written just before leaving")
    await settle(client)
    await client.communicator.disconnect()
    found = await wait_for_versions(page, 1)
    assert found == [(1, "auto")]
    assert "just before leaving" in (await PageVersion.objects.aget(page=page, number=1)).text


async def test_opening_and_closing_without_editing_makes_no_version(hub, connect, page, user):
    hub.settings.update(VERSION_QUIET_SECONDS=0.2, VERSION_MAX_INTERVAL_SECONDS=60)
    client = await connect(page, user)
    await asyncio.sleep(0.5)
    await client.communicator.disconnect()
    await asyncio.sleep(1.0)
    assert await versions(page) == []
