"""Fan-out with one page's clients split over two server processes: `python -m bench.two_processes`.

Runs fanout 1x50 (2 edits/s per client, 15 s) against one process, then with the same 50
clients taking the two processes in turn, on one durable PostgreSQL and Redis (bench/stack.py).
Prints one JSON line: both p50/p99, their ratio, and how many channel-layer messages each
process published per stored update (one per update per process is the design: never one
per connection).
"""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
import urllib.request

from .reference import free_port, wait_port
from .stack import ROOT, ours_stack


def metric(port: int, name: str, label: str = "") -> float:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
        for line in response.read().decode().splitlines():
            if line.startswith(name) and label in line and not line.startswith("#"):
                return float(line.rsplit(" ", 1)[1])
    return 0.0


def counts(port: int) -> tuple[float, float]:
    """(update messages published to the layer, updates stored) by one process so far."""
    return metric(port, "collab_layer_published_total", 'type="page.updates"'), metric(
        port, "collab_updates_stored_total"
    )


def fanout(urls: list[str], pids: list[int], duration: float) -> dict:
    command = [
        sys.executable, "-m", "bench.loadgen", "fanout",
        "--url", ",".join(f"{url}/ws/pages" for url in urls),
        "--auth", "py:bench.ours:session", "--rooms-spec", "py:bench.ours:pages",
        "--rooms", "1", "--clients", "50", "--rate", "2", "--duration", str(duration),
    ]  # fmt: skip
    for pid in pids:
        command += ["--pid", str(pid)]
    out = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main(duration: float = 15.0) -> None:
    with ours_stack() as start:
        ports = [free_port(), free_port()]
        servers = [subprocess.Popen(shlex.split(start.format(port=port)), cwd=ROOT) for port in ports]
        try:
            for port in ports:
                wait_port(port, 60)
            urls = [f"ws://127.0.0.1:{port}" for port in ports]
            one = fanout(urls[:1], [servers[0].pid], duration)
            before = [
                (
                    metric(p, "collab_layer_published_total", 'type="page.updates"'),
                    metric(p, "collab_updates_stored_total"),
                )
                for p in ports
            ]
            two = fanout(urls, [s.pid for s in servers], duration)
            after = [
                (
                    metric(p, "collab_layer_published_total", 'type="page.updates"'),
                    metric(p, "collab_updates_stored_total"),
                )
                for p in ports
            ]
        finally:
            for server in servers:
                server.terminate()
                server.wait(30)
    published = sum(a[0] - b[0] for a, b in zip(after, before, strict=True))
    stored = sum(a[1] - b[1] for a, b in zip(after, before, strict=True))
    print(
        json.dumps(
            {
                "scenario": "two-processes",
                "one_process_p50_p99_ms": [one["latency_ms_p50"], one["latency_ms_p99"]],
                "two_processes_p50_p99_ms": [two["latency_ms_p50"], two["latency_ms_p99"]],
                "p99_ratio": round(two["latency_ms_p99"] / one["latency_ms_p99"], 2),
                "lost": [one["lost"], two["lost"]],
                "converged": [one["converged"], two["converged"]],
                "updates_stored": stored,
                "layer_messages_per_stored_update": round(published / stored, 3) if stored else None,
            }
        )
    )


if __name__ == "__main__":
    main()
