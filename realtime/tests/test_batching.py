"""Reads made at the same moment share one query: connection verdicts and page loads."""

import asyncio

import pytest
from asgiref.sync import sync_to_async
from prometheus_client import REGISTRY, Histogram

from documents.services.pages import page_create
from documents.tests.factories import append_paragraphs
from realtime.batching import Batched

pytestmark = pytest.mark.django_db(transaction=True)


def loads_so_far() -> tuple[float, float]:
    """(load queries run, pages they loaded) in this process so far."""
    count = REGISTRY.get_sample_value("collab_load_batch_pages_count") or 0.0
    total = REGISTRY.get_sample_value("collab_load_batch_pages_sum") or 0.0
    return count, total


async def test_pages_opened_at_once_are_loaded_together(hub, connect, cookie_for, user):
    """Twenty pages opened in the same moment load in a few queries, each with its own
    content; a page that does not exist among them is refused with 4404."""
    pages = [await sync_to_async(page_create)(owner=user, title=f"Page {n}") for n in range(20)]
    for n, page in enumerate(pages):
        await sync_to_async(append_paragraphs)(page, f"page {n}")
    missing = type("Missing", (), {"id": "0d7a1c52-3b8e-4f7e-9c1a-5e2d8b6f4a90"})()
    cookie = await sync_to_async(cookie_for)(user)
    before = loads_so_far()
    clients = await asyncio.gather(
        *(connect(page, None, headers=[(b"cookie", cookie)], sync=False) for page in [*pages, missing])
    )
    for n, client in enumerate(clients[:-1]):
        await client.sync()
        assert f"page {n}<" in str(client.fragment)
    await clients[-1].pump()
    assert clients[-1].close_code == 4404
    queries, loaded = (now - then for now, then in zip(loads_so_far(), before, strict=True))
    assert loaded == len(pages)  # the missing page was refused before any load
    assert queries < len(pages) / 2


def _histogram(name: str) -> Histogram:
    return Histogram(name, "test", registry=None)


async def test_a_failed_read_fails_everyone_waiting_for_it(transactional_db):
    """Questions asked while a read runs go into the next read together; when that one fails,
    each of them gets the error, and the read after runs normally."""
    calls = []
    release = asyncio.Event()
    loop = asyncio.get_running_loop()

    def read(questions):
        calls.append(list(questions))
        if questions == ["a"]:
            asyncio.run_coroutine_threadsafe(release.wait(), loop).result(5)
        if "bad" in questions:
            raise RuntimeError("database away")
        return [question.upper() for question in questions]

    batched = Batched(read, _histogram("failed_read"))
    first = asyncio.ensure_future(batched("a"))
    await asyncio.sleep(0.05)
    others = [asyncio.ensure_future(batched(q)) for q in ("bad", "c")]
    await asyncio.sleep(0)
    release.set()
    assert await first == "A"
    for other in others:
        with pytest.raises(RuntimeError):
            await other
    assert calls == [["a"], ["bad", "c"]]
    assert await batched("d") == "D"


async def test_a_waiter_that_gives_up_does_not_hold_up_the_others(transactional_db):
    """A client that disconnects while its question waits leaves; the others get answers."""
    release = asyncio.Event()
    loop = asyncio.get_running_loop()

    def read(questions):
        asyncio.run_coroutine_threadsafe(release.wait(), loop).result(5)
        return list(questions)

    batched = Batched(read, _histogram("gave_up"))
    first = asyncio.ensure_future(batched(1))
    await asyncio.sleep(0.05)
    leaving, staying = asyncio.ensure_future(batched(2)), asyncio.ensure_future(batched(3))
    await asyncio.sleep(0)
    leaving.cancel()
    release.set()
    assert await first == 1
    assert await staying == 3
    assert leaving.cancelled()


async def test_a_read_that_hangs_fails_its_questions_and_the_next_one_goes_ahead(transactional_db):
    """A hung statement costs its own questions a DatabaseError after the timeout (the client
    is told to come back, 1013); questions asked after it are answered on another thread."""
    import threading

    from django.db import DatabaseError

    hang = threading.Event()

    def read(questions):
        if "stuck" in questions:
            hang.wait(5)
        return list(questions)

    batched = Batched(read, _histogram("hung"), timeout=0.2)
    try:
        with pytest.raises(DatabaseError):
            await batched("stuck")
        assert await batched("next") == "next"
    finally:
        hang.set()
