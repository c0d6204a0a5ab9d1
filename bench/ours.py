"""Auth and rooms for our own server: a Django session per load-generator process, pages made over REST.

    python -m bench.run --ours ws://127.0.0.1:8000/ws/pages \\
        --ours-auth py:bench.ours:session --ours-rooms py:bench.ours:pages --ours-pid PID

Signs in through the login form (``BENCH_USER``, default ``admin``; ``BENCH_PASSWORD``, default
the ``.dev-password`` that ``make run`` writes) and sends the session cookie and an Origin header
on every upgrade, as a browser does. `pages` creates the pages (rooms) through ``POST /api/pages/``
before the clock starts. When the access-control work adds per-connection tickets, add a
``ticket`` function here of the same signature as `session` that fetches one per connection.
"""

from __future__ import annotations

import asyncio
import http.cookiejar
import json
import os
import re
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .auth import room_url
from .client import Target

_sessions: dict[str, tuple[str, str]] = {}  # http base -> (sessionid, csrftoken)


def http_base(ws_url: str) -> str:
    parts = urllib.parse.urlsplit(ws_url)
    return f"{'https' if parts.scheme == 'wss' else 'http'}://{parts.netloc}"


def _credentials() -> tuple[str, str]:
    password = os.environ.get("BENCH_PASSWORD")
    if password is None:
        dev = Path(__file__).resolve().parents[1] / ".dev-password"
        password = dev.read_text().strip() if dev.exists() else ""
    return os.environ.get("BENCH_USER", "admin"), password


def login(base: str) -> tuple[str, str]:
    """Sign in through the login form; returns (sessionid, csrftoken)."""
    if base in _sessions:
        return _sessions[base]
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/accounts/login/", timeout=30).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    user, password = _credentials()
    form = {"username": user, "password": password, "csrfmiddlewaretoken": token[1] if token else ""}
    req = urllib.request.Request(
        f"{base}/accounts/login/", data=urllib.parse.urlencode(form).encode(), headers={"Referer": base + "/"}
    )
    opener.open(req, timeout=30).read()
    cookies = {c.name: c.value for c in jar}
    if "sessionid" not in cookies:
        raise SystemExit(f"could not sign in to {base} as {user} (set BENCH_USER / BENCH_PASSWORD)")
    _sessions[base] = (cookies["sessionid"], cookies.get("csrftoken", ""))
    return _sessions[base]


def _headers(base: str) -> dict[str, str]:
    sessionid, csrftoken = login(base)
    return {"Cookie": f"sessionid={sessionid}; csrftoken={csrftoken}", "Origin": base}


async def session(base_url: str, room: str, index: int) -> tuple[str, dict[str, str]]:
    """Auth function: BASE/ROOM with the session cookie and the Origin a browser would send."""
    base = http_base(base_url)
    if base not in _sessions:
        await asyncio.to_thread(login, base)
    return room_url(base_url, room), _headers(base)


def create_page(base: str, title: str) -> str:
    sessionid, csrftoken = login(base)
    req = urllib.request.Request(
        f"{base}/api/pages/",
        data=json.dumps({"title": title}).encode(),
        headers={
            "Content-Type": "application/json",
            "Cookie": f"sessionid={sessionid}; csrftoken={csrftoken}",
            "X-CSRFToken": csrftoken,
            "Referer": base + "/",
        },
    )
    with urllib.request.urlopen(req, timeout=60) as resp:
        return json.loads(resp.read())["id"]


async def pages(count: int, target: Target) -> list[str]:
    """Rooms function: `count` new pages, created over the REST API."""
    base = http_base(target.url.split(",")[0])

    def make() -> list[str]:
        login(base)
        with ThreadPoolExecutor(8) as pool:
            return list(pool.map(lambda i: create_page(base, f"bench {i}"), range(count)))

    return await asyncio.to_thread(make)
