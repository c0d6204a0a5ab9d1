"""Spread a fan-out's clients over several worker processes and merge what they measured.

The parent only coordinates (a common start time, the totals of edits sent, so each worker
knows how many deliveries to wait for) and samples the server's CPU and memory. Latencies
need no shared clock state: tokens carry CLOCK_MONOTONIC ns, which is system-wide.
"""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import time
from dataclasses import asdict

from .client import Target
from .fanout import FanoutParams, InlineCoordinator, merge, run_worker
from .procstat import ServerSampler


class PipeCoordinator:
    def __init__(self, conn) -> None:
        self.conn = conn

    async def _ask(self, message: tuple) -> object:
        loop = asyncio.get_running_loop()
        self.conn.send(message)
        return await loop.run_in_executor(None, self.conn.recv)

    async def ready(self, info: dict) -> tuple[int, int]:
        return await self._ask(("ready", info))  # type: ignore[return-value]

    async def exchange_sent(self, sent: dict[int, int]) -> dict[int, int]:
        return await self._ask(("sent", sent))  # type: ignore[return-value]

    async def settled(self) -> None:
        self.conn.send(("settled", None))


def _worker_main(conn, target: dict, rooms: list[str], params: dict, indices: list[int]) -> None:
    import uvloop

    from .common import raise_fd_limit

    raise_fd_limit()
    part = uvloop.run(run_worker(Target(**target), rooms, FanoutParams(**params), indices, PipeCoordinator(conn)))
    conn.send(("result", part))
    conn.close()


def run_fanout(target: Target, rooms: list[str], params: FanoutParams) -> dict:
    """Run a fan-out in this process (workers=1) or over `params.workers` processes."""
    total = params.rooms * params.clients
    if params.workers <= 1:
        import uvloop

        sampler = ServerSampler(target.pids)
        coord = InlineCoordinator(sampler.start, sampler.stop)
        part = uvloop.run(run_worker(target, rooms, params, list(range(total)), coord))
        return {**merge(params, [part]), **coord.server, "workers": 1}

    ctx = mp.get_context("spawn")
    pipes, procs = [], []
    tdict = {k: v for k, v in asdict(target).items() if not k.startswith("_")}
    for w in range(params.workers):
        indices = list(range(w, total, params.workers))  # round robin: every room spans workers
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=_worker_main, args=(child, tdict, rooms, asdict(params), indices), daemon=True)
        proc.start()
        pipes.append(parent)
        procs.append(proc)
    infos = [pipe.recv()[1] for pipe in pipes]
    start_ns = time.monotonic_ns() + int(0.5e9)
    end_ns = start_ns + int(params.duration * 1e9)
    del infos
    sampler = ServerSampler(target.pids).start()
    for pipe in pipes:
        pipe.send((start_ns, end_ns))
    sent: dict[int, int] = {}
    for pipe in pipes:
        sent.update(pipe.recv()[1])
    for pipe in pipes:
        pipe.send(sent)
    for pipe in pipes:
        pipe.recv()  # settled: the run proper is over, verification follows
    server = sampler.stop()
    parts = [pipe.recv()[1] for pipe in pipes]
    for proc in procs:
        proc.join(10)
    return {**merge(params, parts), **server, "workers": params.workers}
