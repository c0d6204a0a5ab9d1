"""Pluggable per-connection authentication for the load generator.

An auth function is `async (base_url, room, index) -> (url, headers)`: it gives the URL
to open (y-websocket clients open `BASE/ROOM`) and extra HTTP headers for the upgrade
(cookies, Origin, ...). It is named by a spec string so that worker processes can
rebuild it:

- ``none``                        BASE/ROOM, no headers
- ``cookie:NAME=VALUE``           send a Cookie header (e.g. a Django session)
- ``header:Name=Value``           any header (repeat specs with ``,,``)
- ``query:ticket=abc``            append a query string to every URL
- ``py:package.module:function``  your own coroutine function with the signature above,
                                  e.g. one that fetches a fresh ``?ticket=`` per connection
Several specs can be combined with ``,,`` (``cookie:sessionid=x,,header:Origin=http://h``).
For Hocuspocus the token sent in its auth message is the ``token`` header if given.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable
from urllib.parse import quote

AuthFn = Callable[[str, str, int], Awaitable[tuple[str, dict[str, str]]]]


def room_url(base_url: str, room: str) -> str:
    return base_url.rstrip("/") + "/" + quote(room, safe="")


def _join_query(url: str, query: str) -> str:
    if not query:
        return url
    return url + ("&" if "?" in url else "?") + query.lstrip("?")


def from_spec(spec: str | None) -> AuthFn:
    """Build an auth function from a spec string (see the module docstring)."""
    headers: dict[str, str] = {}
    query = ""
    custom: AuthFn | None = None
    for part in (spec or "none").split(",,"):
        kind, _, arg = part.strip().partition(":")
        if kind in ("none", ""):
            continue
        if kind == "cookie":
            headers["Cookie"] = (headers["Cookie"] + "; " + arg) if "Cookie" in headers else arg
        elif kind == "header":
            name, _, value = arg.partition("=")
            headers[name.strip()] = value.strip()
        elif kind == "query":
            query = (query + "&" + arg) if query else arg
        elif kind == "py":
            module, _, attr = arg.rpartition(":")
            custom = getattr(importlib.import_module(module), attr)
        else:
            raise ValueError(f"unknown auth spec {part!r}")

    async def auth(base_url: str, room: str, index: int) -> tuple[str, dict[str, str]]:
        if custom is not None:
            url, extra = await custom(base_url, room, index)
            return _join_query(url, query), {**headers, **extra}
        return _join_query(room_url(base_url, room), query), dict(headers)

    return auth
