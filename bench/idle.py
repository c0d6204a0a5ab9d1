"""What idle connections cost: `python -m bench.idle [--n 5000] [--one-room]`.

Starts our server on its own durable PostgreSQL and Redis (bench/stack.py), opens N
connections (a page each, or all on one page) that then say nothing, waits until the server
counts them all, and measures the server's CPU over `--seconds` while nothing is edited:
the price of its periodic work (keep-alives, presence expiry, heartbeats to other processes,
the load snapshot, repair scans), which should grow slowly with the pages held. Prints one
JSON line; `--profile` also prints the functions the event loop spent that time in (py-spy).
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import shlex
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from .profile import process_cpu_s, thread_cpu_s
from .reference import free_port, wait_port
from .stack import ROOT, loadgen_command, ours_stack


def open_connections(port: int) -> int:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
        for line in response.read().decode().splitlines():
            if line.startswith("collab_connections_open "):
                return int(float(line.split()[-1]))
    return 0


def hot_functions(raw: Path, most: int = 15) -> list[tuple[str, float]]:
    """The event loop thread's functions by share of its samples (a function counts once per sample)."""
    counts: collections.Counter = collections.Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit() or stack.startswith("Thread._bootstrap"):
            continue
        total += int(count)
        for frame in {re.sub(r":\d+\)", ")", f) for f in stack.split(";")}:
            counts[frame] += int(count)
    ours = [(f, n) for f, n in counts.most_common() if "(realtime/" in f or "(documents/" in f]
    return [(f, round(100 * n / max(total, 1), 1)) for f, n in ours[:most]]


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.idle", description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=5000)
    ap.add_argument("--one-room", action="store_true")
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args()
    with ours_stack() as command, tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        server = subprocess.Popen(shlex.split(command.format(port=port)), cwd=ROOT)
        try:
            wait_port(port, 60)
            connect = ["connect", "--n", str(args.n), "--hold", str(args.seconds + 300)]
            load = subprocess.Popen(
                loadgen_command(connect + (["--one-room"] if args.one_room else []), port, server.pid),
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
            )
            deadline = time.monotonic() + 300  # pages are made over REST first
            while open_connections(port) < args.n:
                if time.monotonic() > deadline or load.poll() is not None:
                    raise SystemExit(f"only {open_connections(port)} of {args.n} connections opened")
                time.sleep(1)
            time.sleep(5)  # the last rooms' loads and first heartbeats
            raw = Path(tmp) / "samples.txt"
            cpu, loop = process_cpu_s(server.pid), thread_cpu_s(server.pid)
            if args.profile:
                py_spy = str(Path(sys.executable).with_name("py-spy"))
                spy = [py_spy, "record", "--pid", str(server.pid), "--rate", "100", "--format", "raw"]
                subprocess.run(
                    [*spy, "--duration", str(int(args.seconds)), "--output", str(raw)],
                    capture_output=True,
                    check=True,
                )
            else:
                time.sleep(args.seconds)
            cpu, loop = process_cpu_s(server.pid) - cpu, thread_cpu_s(server.pid) - loop
            load.kill()
        finally:
            server.terminate()
            server.wait(20)
        result: dict[str, object] = {
            "scenario": "idle",
            "connections": args.n,
            "pages": 1 if args.one_room else args.n,
            "seconds": args.seconds,
            "server_cpu_pct": round(100 * cpu / args.seconds, 1),
            "loop_cpu_pct": round(100 * loop / args.seconds, 1),
        }
        if args.profile:
            result["loop_functions_pct"] = hot_functions(raw)
        print(json.dumps(result))


if __name__ == "__main__":
    main()
