"""ASGI lifespan: start the process's Hub with the server, stop it gracefully on shutdown.

On SIGTERM uvicorn stops accepting connections and sends lifespan.shutdown once open
requests finish or its graceful timeout passes; the Hub then closes every WebSocket with
1012 (service restart) so clients reconnect to another process at once, stores everything
pending and unloads its rooms. daphne does not run lifespan; there the Hub starts lazily.
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
