"""Percentiles, and a probe that tells whether the load generator's own loop keeps up."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Iterable


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of an already sorted list (q in 0..100)."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(q / 100 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def summary(values: Iterable[float], prefix: str, digits: int = 2) -> dict[str, float | int | None]:
    data = sorted(values)
    out: dict[str, float | int | None] = {f"{prefix}n": len(data)}
    for name, q in (("p50", 50), ("p95", 95), ("p99", 99)):
        out[f"{prefix}{name}"] = round(percentile(data, q), digits) if data else None
    out[f"{prefix}max"] = round(data[-1], digits) if data else None
    out[f"{prefix}mean"] = round(sum(data) / len(data), digits) if data else None
    return out


class LoopLagProbe:
    """Sleeps `interval` over and over and records how late it wakes up (ms).

    If the load generator's event loop is saturated, this lag shows up in every latency it
    measures: a p99 lag near the measured p99 means the generator, not the server, is slow.
    """

    def __init__(self, interval: float = 0.01) -> None:
        self.interval = interval
        self.lags: list[float] = []
        self._task: asyncio.Task | None = None

    def start(self) -> LoopLagProbe:
        self._task = asyncio.get_running_loop().create_task(self._run())
        return self

    async def _run(self) -> None:
        while True:
            t0 = time.monotonic()
            await asyncio.sleep(self.interval)
            self.lags.append((time.monotonic() - t0 - self.interval) * 1000)

    def stop(self) -> dict:
        if self._task is not None:
            self._task.cancel()
        s = summary(self.lags, "loop_lag_ms_")
        return {k: v for k, v in s.items() if k.endswith(("p50", "p99", "max"))}
