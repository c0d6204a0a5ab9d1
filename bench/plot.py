"""Plot fan-out latency percentiles against clients per page, one colour per server.

    python -m bench.plot [RESULTS.jsonl ...] [-o bench/latency-vs-clients.png]

Reads the `sweep` lines of the given result files (default: the newest file in
bench/results/ that has one); repeated runs are combined into medians.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .run import RESULTS, combine

STYLES = {
    "latency_ms_p50": ("p50", "-", "o"),
    "latency_ms_p95": ("p95", "--", "s"),
    "latency_ms_p99": ("p99", ":", "^"),
}


def load_sweeps(paths: list[Path], stat: str = "median") -> dict[str, dict]:
    runs: dict[str, list[dict]] = {}
    for path in paths:
        for line in path.read_text().splitlines():
            if line.startswith("{"):
                r = json.loads(line)
                if r.get("scenario") == "sweep":
                    runs.setdefault(r["server"], []).append(r)
    return {server: combine(rs, stat) for server, rs in runs.items()}


def newest_with_sweep() -> list[Path]:
    for path in sorted(RESULTS.glob("run-*.jsonl"), reverse=True):
        if '"scenario": "sweep"' in path.read_text():
            return [path]
    raise SystemExit("no results with a sweep in bench/results/: run `python -m bench.run --scenarios sweep`")


def plot(sweeps: dict[str, dict], output: Path, stat: str = "median") -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 5), dpi=120)
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, (server, sweep) in enumerate(sorted(sweeps.items())):
        points = sweep["points"]
        xs = [pt["clients_per_room"] for pt in points]
        for key, (label, style, marker) in STYLES.items():
            ys = [pt.get(key) for pt in points]
            ax.plot(xs, ys, linestyle=style, marker=marker, color=colours[i % len(colours)], label=f"{server} {label}")
    first = next(iter(sweeps.values()))
    room_rate = round(first["points"][0]["rate"] * first["points"][0]["clients"])
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xticks(sorted({pt["clients_per_room"] for s in sweeps.values() for pt in s["points"]}))
    ax.xaxis.set_major_formatter(matplotlib.ticker.ScalarFormatter())
    ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    ax.yaxis.set_major_formatter(matplotlib.ticker.FormatStrFormatter("%g"))
    ax.yaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    ax.set_xlabel("clients on one page")
    ax.set_ylabel("latency, insert to receipt at another client (ms)")
    runs = f", {stat} of {first['repeats']} runs" if first.get("repeats", 1) > 1 else ""
    ax.set_title(f"Fan-out latency, 1 page, {room_rate} edits/s per page, {first['points'][0]['duration']:.0f} s{runs}")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8, ncol=len(sweeps))
    fig.tight_layout()
    output.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(output)
    print(output)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.plot", description=__doc__.split("\n")[0])
    ap.add_argument("results", nargs="*", type=Path)
    ap.add_argument("--stat", default="median", choices=["median", "best"], help="how repeats are combined")
    ap.add_argument("-o", "--output", type=Path, default=Path(__file__).resolve().parent / "latency-vs-clients.png")
    args = ap.parse_args(argv)
    plot(load_sweeps(args.results or newest_with_sweep(), args.stat), args.output, args.stat)


if __name__ == "__main__":
    main(sys.argv[1:])
