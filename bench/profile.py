"""Where our server's time goes under load: `python -m bench.profile [--rooms 100 --clients 5]`.

Starts our server on its own durable PostgreSQL and Redis (bench/stack.py), runs a fan-out
load against it, samples the server with py-spy for the steady part of the run (after the
pages are made and every client connected) and sorts every sample of the event loop's
thread into one step of an update's path. Prints one JSON line: the load's own result
(latency, CPU) and, per step, its share of the loop's busy samples and the microseconds of
the loop thread's CPU (read from /proc for the sampled window) that step costs per stored
update. Other threads (database reads, renders) are listed apart. py-spy pauses the server
for each sample (`--nonblocking` does not, and misreads samples taken in C code), so the
latencies printed are those of a server being sampled.

py-spy needs ptrace: root, or kernel.yama.ptrace_scope=0.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .reference import free_port, wait_port
from .stack import ROOT, loadgen_command, ours_stack

# First match wins, tested from the innermost frame outwards: the step a sample belongs to is
# the deepest of our (or our libraries') functions it is inside of.
SEND = (
    "Connection._flush",
    "Connection._send_now",
    "PageConsumer._send_frame",
    "WebSocketProtocol.send",
    "WebSocketProtocol.write_binary",
)
RECEIVE = ("websocket_receive", "decode_message", "PageConsumer", "Room.receive", "WebSocketProtocol.data_received")
STEPS: list[tuple[str, tuple[str, ...]]] = [
    ("store: group commit (libpq, on the loop)", ("store.py", "realtime/pq.py", "psycopg/")),
    ("apply: pycrdt", ("Room._apply", "Doc.apply_update", "merge_updates", "doc_holds")),
    ("channel layer (Redis)", ("channels_redis/", "redis/", "Hub._publish_loop", "Hub._receive_loop")),
    ("send: frames to sockets (uvicorn)", SEND),
    ("fan-out: post to each connection", ("Room._forward", "Connection.post", "Room._stored", "Room._broadcast")),
    ("receive: decode and dispatch", RECEIVE),
    ("maintenance: render, repair, ticks", ("maintenance.py", "Hub._tick", "Hub.repair", "render", "Hub._repair")),
    ("metrics", ("prometheus_client/", "realtime/metrics.py")),
]
LOOP_NATIVE = "event loop (uvloop's C code: epoll, socket reads, callbacks; no Python frame)"


def classify(frames: list[str]) -> str:
    for frame in reversed(frames):
        for step, needles in STEPS:
            if any(needle in frame for needle in needles):
                return step
    if frames and frames[-1].startswith("Runner.run "):
        return LOOP_NATIVE
    return "other"


def _cpu_s(stat: Path) -> float:
    fields = stat.read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def thread_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) of a process's main thread, which runs the event loop."""
    return _cpu_s(Path(f"/proc/{pid}/task/{pid}/stat"))


def process_cpu_s(pid: int) -> float:
    return _cpu_s(Path(f"/proc/{pid}/stat"))


def breakdown(raw: Path) -> tuple[collections.Counter, collections.Counter]:
    """(steps of the event loop's samples, other threads' samples by their first own frame)."""
    loop: collections.Counter = collections.Counter()
    threads: collections.Counter = collections.Counter()
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        frames = stack.split(";")
        if any(frame.startswith("Thread._bootstrap") for frame in frames[:2]):
            ours = [f for f in frames if re.search(r"\((?:realtime|documents)/", f)]
            threads[re.sub(r" \(.*", "", ours[-1]) if ours else "library code"] += int(count)
        else:
            loop[classify(frames)] += int(count)
    return loop, threads


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__.split("\n")[0])
    ap.add_argument("--rooms", type=int, default=100)
    ap.add_argument("--clients", type=int, default=5)
    ap.add_argument("--rate", type=float, default=2.0)
    ap.add_argument("--duration", type=float, default=15.0)
    ap.add_argument("--skip", type=float, default=5.0, help="seconds before sampling starts (set-up)")
    ap.add_argument("--sample-rate", type=int, default=100)
    ap.add_argument(
        "--nonblocking",
        action="store_true",
        help="sample without pausing the server: lighter, but samples taken in C code are mostly "
        "read as the event loop's own C code (62 %% at 100x5, against 31-36 %% when paused)",
    )
    args = ap.parse_args()
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    window = max(1, int(args.duration - args.skip))  # whole seconds, as py-spy takes them
    with ours_stack() as command, tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "samples.txt"
        port = free_port()
        server = subprocess.Popen(shlex.split(command.format(port=port)), cwd=ROOT)
        try:
            wait_port(port, 60)
            fanout = ["fanout", "--rooms", str(args.rooms), "--clients", str(args.clients)]
            fanout += ["--rate", str(args.rate), "--duration", str(args.duration)]
            load = subprocess.Popen(
                loadgen_command(fanout, port, server.pid),
                cwd=ROOT,
                stdout=subprocess.PIPE,
                text=True,
            )
            # The generator makes the pages and connects every client first; then edits start.
            time.sleep(args.skip)
            loop_cpu_before, all_cpu_before = thread_cpu_s(server.pid), process_cpu_s(server.pid)
            spy = subprocess.run(
                [
                    py_spy,
                    "record",
                    "--pid",
                    str(server.pid),
                    "--rate",
                    str(args.sample_rate),
                    "--duration",
                    str(window),
                    "--format",
                    "raw",
                    "--output",
                    str(raw),
                    *(["--nonblocking"] if args.nonblocking else []),
                ],
                capture_output=True,
                text=True,
            )
            loop_cpu = thread_cpu_s(server.pid) - loop_cpu_before
            other_cpu = process_cpu_s(server.pid) - all_cpu_before - loop_cpu
            out, _ = load.communicate()
        finally:
            server.terminate()
            server.wait(20)
        if spy.returncode != 0 or not raw.exists():
            raise SystemExit(f"py-spy failed: {spy.stderr.strip()}")
        lines = [line for line in out.splitlines() if line.startswith("{")]
        if load.returncode != 0 or not lines:
            raise SystemExit(f"the load generator failed (exit {load.returncode})")
        result = json.loads(lines[-1])
        loop, threads = breakdown(raw)
    busy = sum(loop.values())
    updates = result["edits_per_s"] * window

    def us_per_update(samples: int) -> float:
        """The event loop thread's CPU in the window (from /proc), shared out by samples."""
        return round(1e6 * loop_cpu * samples / busy / updates, 1)

    print(
        json.dumps(
            {
                "scenario": "profile",
                "rooms": args.rooms,
                "clients": args.clients,
                "latency_ms_p50": result["latency_ms_p50"],
                "latency_ms_p99": result["latency_ms_p99"],
                "server_cpu_s": result["server_cpu_s"],
                "sampled_s": window,
                "loop_cpu_pct": round(100 * loop_cpu / window, 1),
                "loop_us_per_update": round(1e6 * loop_cpu / updates, 1),
                "steps": {
                    step: {"pct": round(100 * n / busy, 1), "us_per_update": us_per_update(n)}
                    for step, n in loop.most_common()
                },
                "other_threads_cpu_pct": round(100 * other_cpu / window, 1),
                "other_threads_samples_pct": {
                    name: round(100 * n / max(1, sum(threads.values())), 1) for name, n in threads.most_common(6)
                },
            }
        )
    )


if __name__ == "__main__":
    main()
