"""The storage floor under every echo: `python -m bench.commit [--count 1000]`.

An update is shown to anyone only once its row is committed (DESIGN.md), so the time of one
commit is the least latency our server can have and the reference servers, which store
nothing, do not pay. This appends one-row batches through the server's own writer connection
(realtime/store.py's PostgresAppender) on the benchmark's PostgreSQL (bench/stack.py), back
to back and paced like the fan-out cases (100 and 1,000 updates/s), and prints one JSON line
of latencies in milliseconds. `BENCH_DURABLE=0` shows the same without fsync.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time

from .stack import BENCH_USER, ours_stack
from .stats import summary


async def append_times(count: int, pace: float, page_id: object, user_id: int) -> list[float]:
    from documents.services.content import NewUpdate
    from realtime.store import PostgresAppender

    appender = PostgresAppender()
    times = []
    try:
        for _ in range(20):  # connect and prepare the statement before the clock starts
            await appender.append([NewUpdate(page_id, b"\x01" * 30, user_id)])
        for _ in range(count):
            started = time.perf_counter()
            await appender.append([NewUpdate(page_id, b"\x01" * 30, user_id)])
            elapsed = time.perf_counter() - started
            times.append(elapsed * 1000)
            if pace:
                await asyncio.sleep(max(0.0, pace - elapsed))
    finally:
        await appender.close()
    return times


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.commit", description=__doc__.split("\n")[0])
    ap.add_argument("--count", type=int, default=1000)
    args = ap.parse_args()
    with ours_stack():
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "collab_site.settings")
        import django

        django.setup()
        import uvloop
        from django.contrib.auth.models import User

        from documents.models import Page

        user = User.objects.get(username=BENCH_USER)
        page = Page.objects.create(title="commit floor")
        result: dict[str, object] = {"scenario": "commit", "durable": os.environ.get("BENCH_DURABLE", "1") != "0"}
        for label, pace in (("back_to_back", 0.0), ("at_1000_per_s", 0.001), ("at_100_per_s", 0.01)):
            times = uvloop.run(append_times(args.count, pace, page.id, user.id))
            result.update(summary(times, f"{label}_ms_"))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
