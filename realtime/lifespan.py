"""ASGI lifespan: start the process's Hub with the server, stop it gracefully on shutdown.

What uvicorn 0.54 does on SIGTERM by itself: it closes its listening socket, then has every
open WebSocket's protocol write a 1012 close frame and close the TCP connection at once,
without the close handshake (realtime/wsserver and uvicorn's websockets-sansio alike); it
waits for HTTP requests in flight (at most GRACEFUL_SHUTDOWN_SECONDS) and only then sends
lifespan.shutdown. A client that is sending at that moment gets a TCP reset, which can
discard the close frame before it is read: the client sees 1006 instead of 1012 (the
two-process shutdown test caught this under load).

So on startup, which runs after uvicorn installed its signal handlers, this chains our own in
front of them: on SIGTERM or SIGINT the Hub first closes every WebSocket itself with 1012
and waits (at most CLOSE_WAIT_SECONDS) for the clients' close frames, and only then lets
uvicorn's handler start its shutdown. A second signal goes to uvicorn at once. At
lifespan.shutdown the Hub stores every pending update, renders and compacts its rooms and
leaves their groups (`Hub.stop`). daphne does not run lifespan; there the Hub starts lazily.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

from collab_site.logs import context_with
from realtime.auth import SERVICE_RESTART
from realtime.hub import Hub, get_hub

logger = logging.getLogger(__name__)

CLOSE_WAIT_SECONDS = 3.0


def close_before_server_shutdown(hub: Hub) -> None:
    """Put a handler in front of the server's SIGTERM/SIGINT handlers (see the module's doc)."""
    if threading.current_thread() is not threading.main_thread():
        return
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        server_handler = signal.getsignal(signum)
        if not callable(server_handler):
            continue  # no server handler to hand over to

        def handler(
            number: int, frame: FrameType | None, server_handler: Callable[[int, Any], Any] = server_handler
        ) -> None:
            if hub.stopping:
                server_handler(number, frame)
                return
            hub.stopping = True
            # The signal interrupts whatever task runs: start from a clean (log) context.
            loop.call_soon_threadsafe(
                lambda: loop.create_task(_close_then_hand_over(hub, server_handler, number), context=context_with()),
                context=context_with(),
            )

        signal.signal(signum, handler)


async def _close_then_hand_over(hub: Hub, server_handler: Callable[[int, Any], Any], number: int) -> None:
    try:
        closed = await hub.close_connections(SERVICE_RESTART, wait=CLOSE_WAIT_SECONDS)
        logger.info("shutting down: closed %s WebSockets with %s", closed, SERVICE_RESTART)
    finally:
        server_handler(number, None)


def calm_garbage_collector() -> None:
    """Keep the cyclic garbage collector's pauses out of the update path.

    Everything loaded at start-up (Django, the apps, the libraries) lives as long as the
    process: frozen, a full collection no longer walks it. Fewer, larger young-generation
    collections suit a server that allocates many short-lived frames and messages.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)


class LifespanApp:
    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    hub = get_hub()
                    await hub.start()
                    close_before_server_shutdown(hub)
                    calm_garbage_collector()
                except Exception as error:
                    logger.exception("realtime start-up failed")
                    await send({"type": "lifespan.startup.failed", "message": str(error)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                try:
                    await get_hub().stop()
                except Exception:
                    logger.exception("realtime shutdown failed")
                await send({"type": "lifespan.shutdown.complete"})
                return
