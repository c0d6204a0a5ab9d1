"""/healthz, /readyz and /metrics, answered in front of Django.

Load balancers and Prometheus call these by the container's address, so they must not depend
on ALLOWED_HOSTS, sessions, CSRF or any rate limit that Django middleware applies; and they
must stay cheap. /metrics is open in development; with DEBUG off it answers only a request
with `Authorization: Bearer $METRICS_TOKEN` or from an address in METRICS_ALLOWED_IPS.
"""

from __future__ import annotations

import functools
import hmac
import ipaddress
import json
from typing import Any

from django.conf import settings
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

from realtime.health import readiness

Scope = dict[str, Any]

NO_STORE = (b"cache-control", b"no-store")


async def _respond(send: Any, status: int, body: bytes, content_type: bytes, *extra: tuple[bytes, bytes]) -> None:
    headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode()), NO_STORE, *extra]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


@functools.lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _address_allowed(scope: Scope) -> bool:
    client = scope.get("client")
    if not client or not settings.METRICS_ALLOWED_IPS:
        return False
    try:
        address = ipaddress.ip_address(client[0])
    except ValueError:
        return False
    return any(address in network for network in _networks(tuple(settings.METRICS_ALLOWED_IPS)))


def _token_valid(scope: Scope) -> bool:
    token = settings.METRICS_TOKEN
    if not token:
        return False
    header = next((value for name, value in scope.get("headers", []) if name == b"authorization"), b"")
    return hmac.compare_digest(header, f"Bearer {token}".encode())


def metrics_access(scope: Scope) -> tuple[int, bytes]:
    """(200, b"") when this request may read /metrics, else the status and message to refuse it with."""
    if not (settings.METRICS_TOKEN or settings.METRICS_ALLOWED_IPS):
        if settings.DEBUG:
            return 200, b""
        return 403, b"metrics are off: set METRICS_TOKEN or METRICS_ALLOWED_IPS\n"
    if _token_valid(scope) or _address_allowed(scope):
        return 200, b""
    if settings.METRICS_TOKEN:
        return 401, b"a bearer token is required\n"
    return 403, b"forbidden\n"


class OpsEndpoints:
    """ASGI middleware: answers the three operations paths, passes everything else on."""

    paths = frozenset({"/healthz", "/readyz", "/metrics"})

    def __init__(self, application: Any) -> None:
        self.application = application

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> Any:
        if scope["type"] != "http" or scope["path"] not in self.paths:
            return await self.application(scope, receive, send)
        if scope["method"] not in ("GET", "HEAD"):
            await _respond(send, 405, b"method not allowed\n", b"text/plain", (b"allow", b"GET, HEAD"))
            return None
        path = scope["path"]
        if path == "/healthz":
            # The process is up and its event loop answers; no I/O.
            await _respond(send, 200, b"ok\n", b"text/plain; charset=utf-8")
        elif path == "/readyz":
            ready, checks = await readiness()
            body = json.dumps({"status": "ok" if ready else "fail", "checks": checks}, indent=1).encode() + b"\n"
            await _respond(send, 200 if ready else 503, body, b"application/json")
        else:
            status, message = metrics_access(scope)
            if status == 200:
                await _respond(send, 200, generate_latest(REGISTRY), CONTENT_TYPE_LATEST.encode())
            else:
                challenge = [(b"www-authenticate", b"Bearer")] if status == 401 else []
                await _respond(send, status, message, b"text/plain", *challenge)
        return None
