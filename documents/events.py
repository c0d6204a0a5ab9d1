"""Tell live editors about changes made outside the WebSocket, on commit.

Every server process that holds a page's Room listens on the page's channel-layer group.
This module knows only the layer and the group name; it never imports `realtime`.
"""

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from uuid import UUID

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)

# Message types the server processes understand (see realtime/hub.py).
UPDATES = "page.updates"
ACCESS = "access.changed"
# Every process listens here for changes of roles, which can affect any page below.
ACCESS_GROUP = "access"


def page_group(page_id: UUID | str) -> str:
    return f"page.{page_id}"


def _send(group: str, message: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            async_to_sync(layer.group_send)(group, message)
        else:
            # Called from a thread that runs an event loop (a script, a test driving a
            # browser): async_to_sync refuses that, so send from a helper thread.
            with ThreadPoolExecutor(max_workers=1) as pool:
                pool.submit(async_to_sync(layer.group_send), group, message).result()
    except Exception:  # the layer is a fast path; processes repair from the database
        logger.warning("could not send %s to %s through the channel layer", message["type"], group)


def page_updates_published(page_id: UUID, updates: list[tuple[int, bytes]]) -> None:
    """After the transaction commits, hand stored log rows to every process's Room."""
    message = {"type": UPDATES, "page": str(page_id), "origin": "", "updates": [list(u) for u in updates]}
    transaction.on_commit(lambda: _send(page_group(page_id), message))


def access_changed_published(*, page_ids: list[UUID] | None = None, user_ids: list[int] | None = None) -> None:
    """After commit, make every process re-check the open connections concerned.

    `user_ids` None means every user; `page_ids` None means every page (a role on a page
    applies to the pages below it too).
    """
    message = {
        "type": ACCESS,
        "origin": "",
        "pages": [str(page_id) for page_id in page_ids] if page_ids is not None else None,
        "users": user_ids,
    }
    transaction.on_commit(lambda: _send(ACCESS_GROUP, message))
