"""The process's own asyncio Redis client (readiness checks, load snapshots), one per event loop."""

from __future__ import annotations

import asyncio

from django.conf import settings
from redis.asyncio import Redis

_clients: dict[asyncio.AbstractEventLoop, Redis] = {}


def redis_client() -> Redis | None:
    """A client for REDIS_URL bound to the running loop, or None without Redis."""
    if not settings.REDIS_URL:
        return None
    loop = asyncio.get_running_loop()
    client = _clients.get(loop)
    if client is None:
        for old in [old for old in _clients if old.is_closed()]:
            del _clients[old]
        timeout = settings.READYZ_TIMEOUT_SECONDS
        client = Redis.from_url(settings.REDIS_URL, socket_timeout=timeout, socket_connect_timeout=timeout)
        _clients[loop] = client
    return client


async def close_redis_client() -> None:
    client = _clients.pop(asyncio.get_running_loop(), None)
    if client is not None:
        await client.aclose()
