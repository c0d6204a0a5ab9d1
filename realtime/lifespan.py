"""ASGI lifespan: start the process's Hub with the server, stop it gracefully on shutdown.

On SIGTERM uvicorn 0.54 (websockets-sansio) closes its listening socket and sends every open
WebSocket a 1012 close frame itself, before the lifespan shutdown; it then waits for HTTP
requests in flight (at most GRACEFUL_SHUTDOWN_SECONDS) and sends lifespan.shutdown. The Hub
then stores every pending update, renders and compacts the rooms it held and leaves their
groups (`Hub.stop`, which also closes with 1012 any connection still open, as under a server
that does not close them itself). daphne does not run lifespan; there the Hub starts lazily.
"""

import logging
from typing import Any

from realtime.hub import get_hub

logger = logging.getLogger(__name__)


class LifespanApp:
    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await get_hub().start()
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
