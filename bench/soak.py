"""Soak: 200 clients on 20 pages, split over two server processes, editing for a long time.

    python -m bench.soak --minutes 30        # prints JSON lines, writes bench/soak-rss.png

Both processes share a durable PostgreSQL and Redis (bench/stack.py). Two load generators
(one per process, 100 clients each, the same 20 pages) type at `--rate` edits/s per client
and check that every edit reached every client of theirs. At the end one fresh client per
page and per process reads the page: both processes and the database must hold the same
text. RSS of both processes is sampled every `--sample` seconds and plotted.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from .memory import rss_kb
from .reference import free_port, wait_port
from .stack import ROOT, ours_stack


def sample_rss(pids: list[int], every: float, out: list[tuple[float, list[int]]], stop: threading.Event) -> None:
    started = time.monotonic()
    while not stop.wait(every):
        out.append((time.monotonic() - started, [rss_kb(pid) for pid in pids]))


def check_pages(urls: list[str], pages: list[str]) -> dict:
    """Every page reads the same through both processes and from the database."""
    import asyncio

    import django
    from pycrdt import Text

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "collab_site.settings")
    django.setup()
    from django.contrib.auth import get_user_model

    from documents.selectors.content import page_document_load
    from documents.ydoc import doc_from_stored
    from tests.support.live import SocketClient, session_cookie

    cookie = session_cookie(get_user_model().objects.get(username=os.environ["BENCH_USER"]))

    async def read(url: str, page: str) -> str:
        client = SocketClient(f"{url}/ws/pages/{page}", cookie, "check")
        await client.connect()
        await client.wait_synced(timeout=30)
        text = str(client.doc.get("text", type=Text))
        await client.close()
        return text

    async def all_reads() -> list[list[str]]:
        return [[await read(url, page) for page in pages] for url in urls]

    reads = asyncio.run(all_reads())
    stored = []
    for page in pages:
        document = page_document_load(page_id=page)
        stored.append(str(doc_from_stored(document.state, (d for _, d in document.updates)).get("text", type=Text)))
    same = all(reads[0][i] == reads[1][i] == stored[i] for i in range(len(pages)))
    return {"pages_equal_everywhere": same, "stored_chars": sum(len(s) for s in stored)}


def plot(samples: list[tuple[float, list[int]]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(8, 4))
    for index in range(len(samples[0][1])):
        axis.plot([t / 60 for t, _ in samples], [r[index] / 1024 for _, r in samples], label=f"process {index + 1}")
    axis.set_xlabel("minutes")
    axis.set_ylabel("RSS (MB)")
    axis.set_ylim(bottom=0)
    axis.set_title("Soak: 200 clients, 20 pages, two processes")
    axis.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--rate", type=float, default=1.0, help="edits per second per client")
    parser.add_argument("--sample", type=float, default=10.0, help="seconds between RSS samples")
    parser.add_argument("--plot", type=Path, default=ROOT / "bench" / "soak-rss.png")
    args = parser.parse_args()
    with ours_stack() as command:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "collab_site.settings")
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.contrib.auth import get_user_model

        from documents.services.pages import page_create

        owner = get_user_model().objects.get(username=os.environ["BENCH_USER"])
        pages = [str(page_create(owner=owner, title=f"Soak {i}").id) for i in range(20)]
        rooms = Path(tempfile.mkstemp(prefix="soak-rooms-", suffix=".txt")[1])
        rooms.write_text("\n".join(pages) + "\n")
        ports = [free_port(), free_port()]
        servers = [subprocess.Popen(shlex.split(command.format(port=port)), cwd=ROOT) for port in ports]
        samples: list[tuple[float, list[int]]] = []
        stop = threading.Event()
        try:
            for port in ports:
                wait_port(port, 60)
            sampler = threading.Thread(target=sample_rss, args=([s.pid for s in servers], args.sample, samples, stop))
            sampler.start()
            generators = [
                subprocess.Popen(
                    [
                        sys.executable, "-m", "bench.loadgen", "fanout",
                        "--url", f"ws://127.0.0.1:{port}/ws/pages",
                        "--auth", "py:bench.ours:session", "--rooms-spec", f"file:{rooms}",
                        "--rooms", "20", "--clients", "5", "--rate", str(args.rate),
                        "--duration", str(args.minutes * 60), "--name", f"process-{i + 1}",
                    ],
                    cwd=ROOT,
                    stdout=subprocess.PIPE,
                    text=True,
                )
                for i, port in enumerate(ports)
            ]  # fmt: skip
            for generator in generators:
                out, _ = generator.communicate()
                line = json.loads(out.strip().splitlines()[-1])
                print(
                    json.dumps(
                        {k: line.get(k) for k in ("server", "edits_sent", "lost", "converged", "latency_ms_p99")}
                    )
                )
            stop.set()
            sampler.join()
            result = check_pages([f"ws://127.0.0.1:{port}" for port in ports], pages)
            first, last = samples[min(6, len(samples) - 1)][1], samples[-1][1]
            result.update(
                scenario="soak",
                minutes=args.minutes,
                rss_mb_after_1_min=[round(r / 1024, 1) for r in first],
                rss_mb_at_end=[round(r / 1024, 1) for r in last],
            )
            print(json.dumps(result))
            plot(samples, args.plot)
        finally:
            stop.set()
            for server in servers:
                server.terminate()
                server.wait(30)


if __name__ == "__main__":
    main()
