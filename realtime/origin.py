"""Refuse WebSockets opened by pages of other sites (cross-site WebSocket hijacking).

Browsers always send an Origin header, and it must name one of ALLOWED_HOSTS (or a
CSRF_TRUSTED_ORIGINS entry). Programs send none; they authenticate by session or ticket, and
a missing Origin cannot be forged by a page in a browser, so it is let through.
"""

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http.request import validate_host


class OriginCheck:
    def __init__(self, application: Any) -> None:
        self.application = application

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        origin = next((value for name, value in scope.get("headers", []) if name == b"origin"), None)
        if origin is not None and not self.allowed(origin.decode("latin-1")):
            # Refuse the handshake (HTTP 403) before any application code runs.
            await receive()
            await send({"type": "websocket.close", "code": 1008})
            return None
        return await self.application(scope, receive, send)

    @staticmethod
    def allowed(origin: str) -> bool:
        if origin in settings.CSRF_TRUSTED_ORIGINS:
            return True
        parts = urlsplit(origin)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return False
        hosts = settings.ALLOWED_HOSTS
        if settings.DEBUG and not hosts:
            hosts = [".localhost", "127.0.0.1", "[::1]"]
        return validate_host(parts.hostname, hosts)
