"""Memory and cold-load measurements of our server: `python -m bench.memory`.

Prints one JSON line with:
- cold_load_ms: loading the automerge-paper page (a compacted state plus a 1,000-update log,
  as a page looks between compactions) from PostgreSQL into a Room's document;
- room_mb: memory a Room's document of that page takes (RSS growth per document held);
- rss_before_kb, rss_after_each_1000_kb: a server process before and after each of (argv[1],
  default 3) rounds in which 1,000 new pages were opened (a client connects, syncs, leaves)
  and unloaded; rss_growth_pct is the first round's growth, rss_growth_after_first_1000_pct
  each later round's against the first (memory kept per page would go on growing).

Runs against its own durable PostgreSQL and Redis (bench/stack.py).
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import shlex
import statistics
import subprocess
import sys
import time

from .reference import free_port, wait_port
from .stack import ROOT, ours_stack
from .trace import load


def rss_kb(pid: int | None = None) -> int:
    with open(f"/proc/{pid or 'self'}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def seed_big_page():
    from django.contrib.auth import get_user_model

    from documents.models import Page, PageUpdate
    from documents.services.pages import page_create

    trace = load("automerge-paper", "text", tail=1000)
    owner = get_user_model().objects.get(username=os.environ["BENCH_USER"])
    page = page_create(owner=owner, title="automerge-paper")
    Page.objects.filter(id=page.id).update(state=trace.head)
    PageUpdate.objects.bulk_create(PageUpdate(page=page, data=u) for u in trace.updates[-trace.tail :])
    return page


def cold_load_ms(page) -> float:
    from documents.selectors.content import page_document_load
    from documents.ydoc import doc_from_stored

    times = []
    for _ in range(15):
        started = time.perf_counter()
        stored = page_document_load(page_id=page.id)
        doc_from_stored(stored.state, (data for _, data in stored.updates))
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 1)


def room_mb(page) -> float:
    from documents.selectors.content import page_document_load
    from documents.ydoc import doc_from_stored

    stored = page_document_load(page_id=page.id)
    gc.collect()
    before = rss_kb()
    docs = [doc_from_stored(stored.state, (data for _, data in stored.updates)) for _ in range(10)]
    gc.collect()
    grown = rss_kb() - before
    del docs
    return round(grown / 10 / 1024, 2)


async def open_and_close(url: str, cookie: str, page_ids: list[str]) -> None:
    from tests.support.live import SocketClient

    async def visit(page_id: str) -> None:
        client = SocketClient(f"{url}/ws/pages/{page_id}", cookie, page_id)
        await client.connect()
        await client.wait_synced(timeout=30)
        await client.close()

    for start in range(0, len(page_ids), 50):
        await asyncio.gather(*(visit(p) for p in page_ids[start : start + 50]))


def new_pages(owner, count: int) -> list[str]:
    from documents.services.pages import page_create

    return [str(page_create(owner=owner, title=f"Visited {i}").id) for i in range(count)]


def main() -> None:
    passes = max(1, int(sys.argv[1])) if len(sys.argv) > 1 else 3
    with ours_stack() as command:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "collab_site.settings")
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.contrib.auth import get_user_model

        from tests.support.live import session_cookie

        page = seed_big_page()
        result = {"scenario": "memory", "cold_load_ms": cold_load_ms(page), "room_mb": room_mb(page)}

        owner = get_user_model().objects.get(username=os.environ["BENCH_USER"])
        cookie = session_cookie(owner)
        port = free_port()
        env = {**os.environ, "REALTIME_ROOM_GRACE_SECONDS": "0.5"}
        server = subprocess.Popen(shlex.split(command.format(port=port)), cwd=ROOT, env=env)
        try:
            wait_port(port, 60)
            url = f"ws://127.0.0.1:{port}"
            asyncio.run(open_and_close(url, cookie, new_pages(owner, 50)))  # warm up: first imports, caches
            time.sleep(3)
            rss = [rss_kb(server.pid)]
            for _ in range(passes):
                # New pages every time: memory kept per page would go on growing.
                asyncio.run(open_and_close(url, cookie, new_pages(owner, 1000)))
                time.sleep(8)  # rooms unload after the grace period; freed memory is collected and trimmed
                rss.append(rss_kb(server.pid))
        finally:
            server.terminate()
            server.wait(20)
        result.update(
            rss_before_kb=rss[0],
            rss_after_each_1000_kb=rss[1:],
            rss_growth_pct=round(100 * (rss[1] - rss[0]) / rss[0], 1),
            rss_growth_after_first_1000_pct=[round(100 * (kb - rss[1]) / rss[1], 1) for kb in rss[2:]],
        )
        print(json.dumps(result))


if __name__ == "__main__":
    main()
