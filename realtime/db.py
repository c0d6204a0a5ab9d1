"""Database calls from the event loop, on threads of the realtime side's own.

Channels' `database_sync_to_async` runs every call on one shared thread; connection set-up,
room loads and the update-log writer would queue behind each other there. These threads keep
persistent connections (CONN_MAX_AGE) and drop broken ones, so a database restart heals.
"""

import asyncio
import concurrent.futures
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

from django.db import close_old_connections, connections
from django.db.backends.base.base import BaseDatabaseWrapper

P = ParamSpec("P")
R = TypeVar("R")

_readers = ThreadPoolExecutor(max_workers=4, thread_name_prefix="realtime-db")
# The update log has one writer per process: group commit needs batches, not parallel inserts.
_writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="realtime-writer")
# Readiness checks get a thread of their own: a hung check must not hold up room loads.
_probe = ThreadPoolExecutor(max_workers=1, thread_name_prefix="realtime-probe")
_probe_running: concurrent.futures.Future | None = None
# The connection objects of these threads, so that they can be closed from outside.
_wrappers: set[BaseDatabaseWrapper] = set()


def _call(fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    connection = connections["default"]
    if connection.errors_occurred:
        # Only after a failure: close_old_connections() makes the next query pay a health
        # check round trip, which on every call doubled the writer's database time.
        close_old_connections()
    _wrappers.add(connection)
    try:
        return fn(*args, **kwargs)
    except Exception:
        # A failed connection must not poison the next call on this thread.
        if connection.connection is not None and not connection.is_usable():
            connection.close()
        raise


async def db_call(fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """Run a synchronous database function on a realtime thread."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_readers, functools.partial(_call, fn, *args, **kwargs))


async def db_write(fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """Run a synchronous database function on the single writer thread."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_writer, functools.partial(_call, fn, *args, **kwargs))


def _select_one() -> None:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")


async def db_probe() -> None:
    """Run `SELECT 1`; raises when the database does not answer (or the last check still hangs)."""
    global _probe_running
    if _probe_running is not None and not _probe_running.done():
        raise TimeoutError("the previous check has not returned yet")
    _probe_running = _probe.submit(_call, _select_one)
    await asyncio.wrap_future(_probe_running)


def close_connections() -> None:
    """Close the connections these threads hold (the test suite drops its database after)."""
    for wrapper in list(_wrappers):
        wrapper.inc_thread_sharing()
        try:
            wrapper.close()
        finally:
            wrapper.dec_thread_sharing()
    _wrappers.clear()
