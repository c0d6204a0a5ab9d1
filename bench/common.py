"""Helpers shared by the scenarios: room names, opening many clients, verifying documents."""

from __future__ import annotations

import asyncio
import hashlib
import importlib
import resource
import secrets
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from .client import Target, YClient

RoomsFn = Callable[[int, Target], Awaitable[list[str]]]


def raise_fd_limit() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def _lines(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text().splitlines() if line.strip()]


async def make_rooms(count: int, target: Target, spec: str, label: str) -> list[str]:
    """Room (page) names for a run.

    ``random``: fresh unique names, so a rerun never meets old state; ``file:PATH``: one
    name per line (e.g. page UUIDs created beforehand); ``py:module:function``: an async
    function ``(count, target) -> [names]`` (e.g. one that creates pages over the REST API).
    """
    kind, _, arg = spec.partition(":")
    if kind == "random":
        tag = secrets.token_hex(3)
        return [f"bench-{label}-{tag}-{i}" for i in range(count)]
    if kind == "file":
        names = _lines(Path(arg))
        if len(names) < count:
            raise SystemExit(f"{arg} has {len(names)} rooms, {count} needed")
        return names[:count]
    if kind == "py":
        module, _, attr = arg.rpartition(":")
        fn: RoomsFn = getattr(importlib.import_module(module), attr)
        return list(await fn(count, target))
    raise ValueError(f"unknown rooms spec {spec!r}")


async def open_clients(clients: list[YClient], concurrency: int, seconds: float) -> tuple[int, list[str]]:
    """Connect every client (at most `concurrency` handshakes+syncs in flight) and wait until synced."""
    sem = asyncio.Semaphore(max(1, concurrency))
    errors: list[str] = []

    async def one(client: YClient) -> bool:
        async with sem:
            try:
                await client.connect(open_timeout=seconds)
                if await client.wait_synced(seconds):
                    return True
                errors.append(client.error or "not synced in time")
            except Exception as exc:
                errors.append(f"{type(exc).__name__}: {exc}"[:200])
            return False

    results = await asyncio.gather(*(one(c) for c in clients))
    return sum(results), errors


async def close_clients(clients: list[YClient]) -> None:
    await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)


def digest(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def error_sample(errors: list[str], limit: int = 5) -> dict[str, int]:
    counts: dict[str, int] = {}
    for e in errors:
        counts[e] = counts.get(e, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: -kv[1])[:limit])


def now_ns() -> int:
    # CLOCK_MONOTONIC is system-wide on Linux: comparable across processes on one machine.
    return time.monotonic_ns()
