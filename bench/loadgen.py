"""Load generator for y-websocket servers (and Hocuspocus). Prints ONE JSON line per run.

    python -m bench.loadgen SCENARIO --url ws://127.0.0.1:1234 [options]

Scenarios: fanout, sweep, connect, open-race, bigdoc, presence, replay (see bench/README.md).
Clients open ``URL/ROOM``; ``--auth`` and ``--rooms`` make connections and room names
pluggable (see bench/auth.py and bench/common.py); ``--pid`` names server processes whose
CPU and memory to sample (descendants included).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import sys
import time
from dataclasses import fields

from .client import Target
from .common import make_rooms, raise_fd_limit
from .fanout import FanoutParams


def _target(args: argparse.Namespace) -> Target:
    name = args.name or args.dialect
    return Target(
        name=name, url=args.url, dialect=args.dialect, auth_spec=args.auth, pids=args.pid, transport=args.transport
    )


def _rooms(count: int, target: Target, args: argparse.Namespace, label: str) -> list[str]:
    return asyncio.run(make_rooms(count, target, args.rooms_spec, label))


def run_fanout(args: argparse.Namespace, target: Target) -> dict:
    from .workers import run_fanout as run

    params = FanoutParams(**{f.name: getattr(args, f.name) for f in fields(FanoutParams)})
    if params.workers == 0:  # auto: about 250 clients per worker process, at most one per core
        import os

        params.workers = max(1, min(os.cpu_count() or 1, -(-params.rooms * params.clients // 250)))
    rooms = _rooms(params.rooms, target, args, "fanout")
    return run(target, rooms, params)


def run_sweep(args: argparse.Namespace, target: Target) -> list[dict]:
    out = []
    for n in args.sweep:
        args.rooms, args.clients = 1, n
        if args.room_rate:
            args.rate = args.room_rate / n
        out.append({"clients_per_room": n, **run_fanout(args, target)})
    return out


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m bench.loadgen", description=__doc__.split("\n")[0])
    ap.add_argument("scenario", choices=["fanout", "sweep", "connect", "open-race", "bigdoc", "presence", "replay"])
    ap.add_argument(
        "--url", required=True, help="base WebSocket URL; clients open URL/ROOM (several, comma-separated: in turn)"
    )
    ap.add_argument("--dialect", default="y-websocket", choices=["y-websocket", "hocuspocus"])
    ap.add_argument("--auth", default="none", help="auth spec, see bench/auth.py")
    ap.add_argument("--rooms-spec", default="random", help="random | file:PATH | py:module:function")
    ap.add_argument("--pid", type=int, action="append", default=[], help="server pid to sample (repeatable)")
    ap.add_argument("--name", default="", help="label of the server in the output")
    ap.add_argument("--transport", default="fast", choices=["fast", "websockets"], help="WebSocket client code")
    ap.add_argument("--doc-type", default="text", choices=["text", "xml"])
    ap.add_argument("--apply", default="deferred", choices=["live", "deferred"], help="when clients apply updates")
    ap.add_argument("--concurrency", type=int, default=100, help="connections opening at once")
    ap.add_argument("--sync-timeout", type=float, default=30.0)
    # fanout / sweep
    ap.add_argument("--rooms", type=int, default=1)
    ap.add_argument("--clients", type=int, default=50, help="clients per room")
    ap.add_argument("--rate", type=float, default=2.0, help="edits per second per client")
    ap.add_argument("--duration", type=float, default=15.0, help="seconds of editing")
    ap.add_argument("--settle", type=float, default=10.0, help="longest wait for late deliveries")
    ap.add_argument("--verify-budget", type=int, default=400_000)
    ap.add_argument("--workers", type=int, default=1, help="load generator processes (0 = auto)")
    ap.add_argument("--sweep", type=lambda s: [int(x) for x in s.split(",")], default=[10, 25, 50, 100, 200])
    ap.add_argument("--room-rate", type=float, default=0, help="sweep: edits/s per room, split over its clients")
    # connect
    ap.add_argument("--n", type=int, default=3000, help="connect: number of clients")
    ap.add_argument("--one-room", action="store_true", help="connect: all clients to one room")
    ap.add_argument("--hold", type=float, default=1.0, help="connect: seconds to hold before measuring RSS")
    # open-race
    ap.add_argument("--repeat", type=int, default=5)
    # bigdoc / replay
    ap.add_argument("--trace", default="automerge-paper", help="trace name in ../shared/data/editing-traces")
    ap.add_argument("--tail", type=int, default=1000, help="bigdoc: edits sent one by one after the bulk")
    ap.add_argument("--window", type=int, default=1000, help="replay: most unechoed updates in flight")
    ap.add_argument("--cold", action="store_true", help="bigdoc: seeder leaves before the fresh client comes")
    # presence
    ap.add_argument("--samples", type=int, default=50, help="presence: awareness updates to time")
    return ap


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    raise_fd_limit()
    target = _target(args)
    started = time.time()
    if args.scenario == "fanout":
        result: object = run_fanout(args, target)
    elif args.scenario == "sweep":
        result = run_sweep(args, target)
    else:
        import uvloop

        from . import scenarios

        fn = getattr(scenarios, args.scenario.replace("-", "_"))
        rooms_needed = {"connect": 1 if args.one_room else args.n, "open_race": args.repeat}.get(
            args.scenario.replace("-", "_"), 1
        )
        rooms = _rooms(rooms_needed, target, args, args.scenario)
        result = uvloop.run(fn(target, rooms, args))
    line = {
        "scenario": args.scenario,
        "server": target.name,
        "url": target.url,
        "dialect": target.dialect,
        "at": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(started)),
        "host": platform.node(),
        "elapsed_s": round(time.time() - started, 2),
    }
    if isinstance(result, list):
        line["points"] = result
    else:
        line.update(result)  # type: ignore[arg-type]
    print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
