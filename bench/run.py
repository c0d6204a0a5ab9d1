"""Run the scenarios against the reference servers (and ours) in one run and compare.

    python -m bench.run                       # everything, reference servers only
    python -m bench.run --quick               # a short smoke run
    python -m bench.run --ours ws://127.0.0.1:8000/ws/pages --ours-auth 'py:bench.ours:ticket' \\
        --ours-rooms 'py:bench.ours:pages' --ours-pid 1234
    python -m bench.run --ours-cmd '.venv/bin/uvicorn collab_site.asgi:application --port {port}' \\
        --ours-path /ws/pages ...         # start ours fresh for every scenario, like the reference servers

Every scenario runs in its own `python -m bench.loadgen` process; the reference servers are
started fresh for each (so memory numbers start from an idle server). JSON lines go to
bench/results/run-<time>.jsonl; a table comparing the servers is printed at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import reference

RESULTS = Path(__file__).resolve().parent / "results"

# name -> loadgen arguments (full run, quick run)
SCENARIOS: dict[str, tuple[list[str], list[str]]] = {
    "fanout-1x50": (["fanout", "--rooms", "1", "--clients", "50"], ["--duration", "3"]),
    "fanout-100x5": (["fanout", "--rooms", "100", "--clients", "5"], ["--duration", "3"]),
    "connect-3000": (["connect", "--n", "3000"], ["--n", "300"]),
    "connect-3000-one-room": (["connect", "--n", "3000", "--one-room"], ["--n", "300"]),
    "open-race": (["open-race", "--clients", "50", "--repeat", "20"], ["--repeat", "3"]),
    "bigdoc": (["bigdoc", "--repeat", "5"], ["--repeat", "2"]),
    "presence": (["presence", "--clients", "10", "--samples", "50"], ["--samples", "10"]),
    "replay": (["replay"], ["--trace", "sveltecomponent"]),
    "sweep": (["sweep", "--room-rate", "100"], ["--sweep", "10,25", "--duration", "3"]),
    "idle-10000": (["connect", "--n", "10000", "--hold", "5"], ["--n", "500"]),
}
# 10,000 idle connections only on request: it is the one case that needs a high file limit.
DEFAULT = [s for s in SCENARIOS if s not in ("sweep", "idle-10000")] + ["sweep"]


@dataclass
class Server:
    name: str
    dialect: str = "y-websocket"
    url: str = ""
    pids: list[int] = field(default_factory=list)
    auth: str = "none"
    rooms: str = "random"
    reference: str = ""  # name in bench.reference, started fresh per scenario
    cmd: str = ""  # our start command with {port}, started fresh per scenario
    path: str = ""  # URL path under the started server (ours)


class Running:
    def __init__(self, server: Server, nice: int) -> None:
        self.server = server
        self.nice = nice
        self.ref: reference.RefServer | None = None
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> tuple[str, list[int]]:
        s = self.server
        if s.reference:
            self.ref = reference.start(s.reference, RESULTS)
            _renice(self.ref.pid, self.nice)
            return self.ref.url, [self.ref.pid]
        if s.cmd:
            port = reference.free_port()
            self.proc = subprocess.Popen(
                shlex.split(s.cmd.format(port=port)),
                stdout=open(RESULTS / f"{s.name}.log", "ab"),
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=reference._raise_nofile,
            )
            reference.wait_port(port, 60)
            _renice(self.proc.pid, self.nice)
            return f"ws://127.0.0.1:{port}{s.path}", [self.proc.pid]
        return s.url, s.pids

    def __exit__(self, *exc: object) -> None:
        if self.ref is not None:
            self.ref.stop()
        if self.proc is not None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def _renice(pid: int, nice: int) -> None:
    if nice:
        try:
            os.setpriority(os.PRIO_PROCESS, pid, nice)
        except OSError:
            pass


def run_one(server: Server, scenario: str, extra: list[str], args: argparse.Namespace, out) -> dict | None:
    full, quick = SCENARIOS[scenario]
    cmd_args = full + (quick if args.quick else []) + extra
    with Running(server, args.nice) as (url, pids):
        cmd = [sys.executable, "-m", "bench.loadgen", *cmd_args, "--url", url, "--dialect", server.dialect]
        cmd += ["--name", server.name, "--auth", server.auth, "--rooms-spec", server.rooms]
        cmd += ["--transport", args.transport]
        for pid in pids:
            cmd += ["--pid", str(pid)]
        print(f"# {server.name}: {scenario} ...", file=sys.stderr, flush=True)
        proc = subprocess.run(
            cmd,
            capture_output=True,
            text=True,
            cwd=Path(__file__).resolve().parents[1],
            preexec_fn=(lambda: os.nice(args.nice)) if args.nice else None,
        )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        print(f"#   failed ({proc.returncode}): {proc.stderr.strip()[-2000:]}", file=sys.stderr)
        return None
    result = json.loads(lines[-1])
    result["case"] = scenario
    result["run_id"] = args.run_id
    result["command"] = " ".join(shlex.quote(c) for c in ["python", "-m", "bench.loadgen", *cmd_args])
    out.write(json.dumps(result) + "\n")
    out.flush()
    return result


# (case, label, key or function) rows of the comparison table
ROWS: list[tuple[str, str, object]] = [
    ("fanout-1x50", "fanout 1x50 p50 / p99 ms", ("latency_ms_p50", "latency_ms_p99")),
    ("fanout-1x50", "fanout 1x50 lost / converged", ("lost", "converged")),
    ("fanout-1x50", "fanout 1x50 server CPU s", ("server_cpu_s",)),
    ("fanout-100x5", "fanout 100x5 p50 / p99 ms", ("latency_ms_p50", "latency_ms_p99")),
    ("fanout-100x5", "fanout 100x5 lost / converged", ("lost", "converged")),
    ("fanout-100x5", "fanout 100x5 server CPU s", ("server_cpu_s",)),
    ("connect-3000", "connect N, a room each: s / KB per conn", ("all_synced_s", "kb_per_connection")),
    ("connect-3000", "connect N, a room each: failures", ("failures",)),
    ("connect-3000-one-room", "connect N, one room: s / KB per conn", ("all_synced_s", "kb_per_connection")),
    ("connect-3000-one-room", "connect N, one room: failures", ("failures",)),
    ("idle-10000", "10,000 idle connections: s / KB per conn", ("all_synced_s", "kb_per_connection")),
    ("idle-10000", "10,000 idle connections: failures", ("failures",)),
    ("open-race", "open-race: min synced / runs all synced", ("synced_min", "synced_all_runs")),
    ("bigdoc", "bigdoc: fresh client sync p50 / min ms", ("sync_ms_p50", "sync_ms_min")),
    ("presence", "awareness p50 / p99 ms", ("awareness_ms_p50", "awareness_ms_p99")),
    ("presence", "awareness removal after abort p50 / max ms", ("removal_ms_p50", "removal_ms_max")),
    ("replay", "replay: edits/s / final text ok", ("edits_per_s", "final_text_ok")),
]


def _pick(values: list, stat: str) -> object:
    values = [v for v in values if v is not None]
    if not values:
        return None
    if all(isinstance(v, bool) for v in values):
        return all(values)
    if all(isinstance(v, (int, float)) for v in values):
        ordered = sorted(values)
        if stat == "best":  # the least disturbed run: outside load only ever adds time
            return ordered[0]
        return ordered[(len(ordered) - 1) // 2]  # the lower median: a value that was measured
    return values[-1]


# numbers where more is better; "best" takes their maximum, the minimum of everything else
_HIGHER_IS_BETTER = ("edits_per_s", "synced_min", "synced_all_runs", "converged_runs", "connected", "complete")


def combine(runs: list[dict], stat: str = "median") -> dict:
    """The median (or best) of each number over repeated runs of one case on one server."""
    out = {}
    for k in runs[0]:
        if k == "points":
            continue
        values = [r.get(k) for r in runs]
        if stat == "best" and k in _HIGHER_IS_BETTER:
            values = [-v for v in values if isinstance(v, (int, float))]
            best = _pick(values, stat)
            out[k] = -best if isinstance(best, (int, float)) else best
        else:
            out[k] = _pick(values, stat)
    if "points" in runs[0]:
        by_n: dict[int, list[dict]] = {}
        for r in runs:
            for point in r["points"]:
                by_n.setdefault(point["clients_per_room"], []).append(point)
        out["points"] = [combine(points, stat) for _, points in sorted(by_n.items())]
    out["repeats"] = len(runs)
    return out


def table(results: list[dict], servers: list[str], stat: str = "median") -> str:
    grouped: dict[tuple[str, str], list[dict]] = {}
    for r in results:
        grouped.setdefault((r["server"], r["case"]), []).append(r)
    by = {key: combine(runs, stat) for key, runs in grouped.items()}
    lines = ["| case | " + " | ".join(servers) + " |", "|---|" + "---|" * len(servers)]
    for case, label, keys in ROWS:
        cells = []
        for s in servers:
            r = by.get((s, case))
            cells.append(" / ".join(_fmt(r.get(k)) for k in keys) if r else "-")  # type: ignore[union-attr]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    for s in servers:
        sweep = by.get((s, "sweep"))
        for point in sweep["points"] if sweep else []:
            lines.append(
                f"| sweep {s}: 1x{point['clients_per_room']} p50 / p99 ms | "
                + " | ".join(
                    (_fmt(point["latency_ms_p50"]) + " / " + _fmt(point["latency_ms_p99"])) if x == s else ""
                    for x in servers
                )
                + " |"
            )
    return "\n".join(lines)


def _fmt(v: object) -> str:
    if isinstance(v, float):
        return f"{v:.1f}" if abs(v) >= 10 else f"{v:.2f}"
    return "-" if v is None else str(v)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="short smoke run")
    ap.add_argument("--scenarios", default=",".join(DEFAULT), help="comma-separated: " + ",".join(SCENARIOS))
    ap.add_argument("--servers", default="y-websocket,hocuspocus", help="reference servers to run ('' for none)")
    ap.add_argument("--ours", default="", help="base WebSocket URL of our running server (e.g. ws://h:p/ws/pages)")
    ap.add_argument("--ours-cmd", default="", help="command starting ours, with {port}; started per scenario")
    ap.add_argument("--ours-path", default="/ws/pages", help="URL path of the pages endpoint with --ours-cmd")
    ap.add_argument("--ours-pid", type=int, action="append", default=[], help="pid(s) of our running server")
    ap.add_argument("--ours-auth", default="none", help="auth spec for ours (bench/auth.py)")
    ap.add_argument("--ours-rooms", default="random", help="rooms spec for ours (bench/common.py)")
    ap.add_argument("--ours-name", default="ours")
    ap.add_argument(
        "--ours-stack",
        action="store_true",
        help="start ours on its own durable PostgreSQL and Redis (bench/stack.py), fresh per scenario",
    )
    ap.add_argument("--transport", default="fast", choices=["fast", "websockets"])
    ap.add_argument("--nice", type=int, default=0, help="niceness for servers and load generator (root: <0)")
    ap.add_argument("--repeat", type=int, default=1, help="runs per case; the table shows medians")
    ap.add_argument("--table", type=Path, help="only print the table of an earlier results file")
    ap.add_argument("--stat", default="median", choices=["median", "best"], help="how the table combines repeats")
    ap.add_argument("--extra", default="", help="extra loadgen arguments for every scenario")
    args = ap.parse_args(argv)
    if args.table:
        results = [json.loads(line) for line in args.table.read_text().splitlines() if line.startswith("{")]
        names = list(dict.fromkeys(r["server"] for r in results))
        print(table(results, names, args.stat))
        return
    args.run_id = time.strftime("%Y%m%d-%H%M%S")
    if args.ours_stack:
        from .stack import ours_stack

        with ours_stack() as command:
            args.ours_cmd = command
            args.ours_auth = args.ours_auth if args.ours_auth != "none" else "py:bench.ours:session"
            args.ours_rooms = args.ours_rooms if args.ours_rooms != "random" else "py:bench.ours:pages"
            _run(args)
    else:
        _run(args)


def _run(args: argparse.Namespace) -> None:

    servers = [Server(n, reference.SERVERS[n][1], reference=n) for n in args.servers.split(",") if n]
    if args.ours or args.ours_cmd:
        servers.append(
            Server(
                args.ours_name,
                url=args.ours,
                pids=args.ours_pid,
                auth=args.ours_auth,
                rooms=args.ours_rooms,
                cmd=args.ours_cmd,
                path=args.ours_path,
            )
        )
    if any(s.reference for s in servers):
        reference.install()
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"run-{args.run_id}{'-quick' if args.quick else ''}.jsonl"
    results = []
    with path.open("a") as out:
        for scenario in args.scenarios.split(","):
            for _ in range(args.repeat):
                for server in servers:  # interleaved, so a busy moment of the machine hits all servers
                    r = run_one(server, scenario, shlex.split(args.extra), args, out)
                    if r:
                        results.append(r)
    print(table(results, [s.name for s in servers], args.stat))
    print(f"({args.stat} of {args.repeat} runs)" if args.repeat > 1 else "")
    print(f"\nresults: {path}")


if __name__ == "__main__":
    main(sys.argv[1:])
