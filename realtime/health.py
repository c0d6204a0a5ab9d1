"""Readiness: may this process take traffic? Each check answers within a timeout or fails.

- database: `SELECT 1` on a thread of its own (a hung check fails the next one at once);
- redis: PING through REDIS_URL, when the channel layer is Redis;
- update_writer: the writer is storing, not retrying after database errors;
- serving: the process is not shutting down.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from django.conf import settings

from realtime.db import db_probe
from realtime.hub import current_hub
from realtime.redis_client import redis_client


def _error_text(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{error.__class__.__name__}: {text[0]}" if text else error.__class__.__name__


async def _timed(check: Callable[[], Awaitable[dict[str, Any] | None]], timeout: float) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        details = await asyncio.wait_for(check(), timeout)
        result: dict[str, Any] = {"ok": True, **(details or {})}
    except TimeoutError:
        result = {"ok": False, "error": f"no answer within {timeout:g} s"}
    except Exception as error:
        result = {"ok": False, "error": _error_text(error)}
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


async def _database() -> None:
    await db_probe()


async def _redis() -> dict[str, Any] | None:
    client = redis_client()
    if client is None:
        return {"detail": "no REDIS_URL: in-memory channel layer, one process"}
    await client.ping()
    return None


async def _writer() -> dict[str, Any]:
    hub = current_hub()
    if hub is None or not hub.started:
        return {"detail": "not started"}
    if not hub.writer.healthy:
        raise RuntimeError(f"retrying after database errors ({hub.writer.last_error}); {hub.writer.pending} pending")
    return {"pending": hub.writer.pending}


async def _serving() -> None:
    hub = current_hub()
    if hub is not None and hub.stopping:
        raise RuntimeError("shutting down")


async def readiness() -> tuple[bool, dict[str, dict[str, Any]]]:
    """Run every check at once; ready only when all pass."""
    timeout = settings.READYZ_TIMEOUT_SECONDS
    names = ("database", "redis", "update_writer", "serving")
    results = await asyncio.gather(*(_timed(check, timeout) for check in (_database, _redis, _writer, _serving)))
    checks = dict(zip(names, results, strict=True))
    return all(check["ok"] for check in results), checks
