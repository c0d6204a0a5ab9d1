"""A prepared statement run on libpq directly, awaited on the event loop.

The update writer runs one statement per batch, hundreds of times a second. Through
psycopg's AsyncCursor a batch of two rows cost about 180 µs of CPU (its adapters dumped every
list element in Python, and its query machinery ran around the one libpq call); sending
parameters already in PostgreSQL's binary format through psycopg's libpq wrapper (psycopg.pq)
costs about 60 µs. psycopg still opens and closes the connection.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import psycopg
from psycopg import pq

BINARY = pq.Format.BINARY


async def prepare(pgconn: pq.abc.PGconn, name: bytes, sql: str, types: Sequence[int]) -> None:
    pgconn.send_prepare(name, sql.encode(), list(types))
    await _result(pgconn, pq.ExecStatus.COMMAND_OK)


async def execute(pgconn: pq.abc.PGconn, name: bytes, params: Sequence[bytes | None]) -> pq.abc.PGresult:
    """Run the prepared statement `name` with binary parameters; its rows come back binary."""
    pgconn.send_query_prepared(name, params, [BINARY] * len(params), BINARY)
    return await _result(pgconn, pq.ExecStatus.TUPLES_OK)


async def _result(pgconn: pq.abc.PGconn, expected: pq.ExecStatus) -> pq.abc.PGresult:
    # libpq's nonblocking protocol: flush what was sent (reading while the server's output
    # would otherwise stall it), read until not busy, then take every result of the command.
    loop = asyncio.get_running_loop()
    fd = pgconn.socket
    while pgconn.flush():
        if await _ready(loop, fd, writable=True) == "read":
            pgconn.consume_input()
    results = []
    while True:
        pgconn.consume_input()
        while not pgconn.is_busy():
            result = pgconn.get_result()
            if result is None:
                # An error can follow the rows: a deferred constraint fails at the implicit
                # commit, and then nothing of the statement was stored.
                for result in results:
                    _check(result, expected)
                if not results:
                    raise psycopg.OperationalError("the server sent no result")
                return results[0]
            results.append(result)
        await _ready(loop, fd, writable=False)


def _ready(loop: asyncio.AbstractEventLoop, fd: int, *, writable: bool) -> asyncio.Future[str]:
    """A future set to "read" or "write" when the socket is; it unregisters itself when done."""
    future: asyncio.Future[str] = loop.create_future()

    def ready(how: str) -> None:
        if not future.done():
            future.set_result(how)

    def forget(_: asyncio.Future[str]) -> None:
        loop.remove_reader(fd)
        if writable:
            loop.remove_writer(fd)

    loop.add_reader(fd, ready, "read")
    if writable:
        loop.add_writer(fd, ready, "write")
    future.add_done_callback(forget)  # also when the waiting task is cancelled
    return future


def _check(result: pq.abc.PGresult, expected: pq.ExecStatus) -> None:
    if result.status == expected:
        return
    sqlstate = result.error_field(pq.DiagnosticField.SQLSTATE)
    message = result.get_error_message() or f"unexpected result: {pq.ExecStatus(result.status).name}"
    try:
        error_class = psycopg.errors.lookup(sqlstate.decode()) if sqlstate else psycopg.DatabaseError
    except KeyError:
        error_class = psycopg.DatabaseError
    raise error_class(message)
