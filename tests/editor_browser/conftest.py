"""Fixtures for the editor's browser tests: Chromium, and a reference y-websocket server.

The page comes from Django's live server; `reference_server.mjs` proxies HTTP to it and
answers /ws/pages/<id> itself, like the y-websocket reference server, with fault
injection. So these tests check the editor against the protocol, not against our server.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


class ReferenceServer:
    def __init__(self, process: subprocess.Popen, port: int) -> None:
        self.process = process
        self.url = f"http://127.0.0.1:{port}"

    def ctl(self, **params: Any) -> dict:
        query = "&".join(f"{key}={value}" for key, value in params.items())
        with urllib.request.urlopen(f"{self.url}/__ctl?{query}", timeout=5) as answer:
            return json.loads(answer.read())


@pytest.fixture(scope="session")
def reference_server(live_server: Any) -> Iterator[ReferenceServer]:
    if not shutil.which("node"):
        pytest.skip("node is not installed")
    process = subprocess.Popen(
        ["node", str(Path(__file__).with_name("reference_server.mjs"))],
        cwd=ROOT,
        env={**os.environ, "PORT": "0", "DJANGO_URL": live_server.url},
        stdout=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline() if process.stdout else ""
    if not line.startswith("listening"):
        process.kill()
        pytest.fail(f"reference server did not start: {line!r}")
    yield ReferenceServer(process, int(line.split()[1]))
    process.terminate()
    process.wait(timeout=5)


@pytest.fixture
def server(reference_server: ReferenceServer, transactional_db: None) -> ReferenceServer:
    reference_server.ctl(reset=1)
    return reference_server


@pytest.fixture
def open_editor(browser: Any, server: ReferenceServer) -> Iterator[Any]:
    """open_editor(user, page, viewport=...) -> a Playwright page showing the editor."""
    contexts = []

    def open_(user: Any, page: Any, **context_options: Any) -> Any:
        client = Client()
        client.force_login(user)
        context = browser.new_context(**{"viewport": {"width": 1280, "height": 860}, **context_options})
        context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": server.url}])
        contexts.append(context)
        tab = context.new_page()
        tab.console_errors = []
        tab.on(
            "console",
            lambda message: message.type == "error" and tab.console_errors.append(message.text),
        )
        tab.on("pageerror", lambda error: tab.console_errors.append(str(error)))
        tab.goto(f"{server.url}/pages/{page.id}/")
        return tab

    yield open_
    for context in contexts:
        context.close()


def wait_for_status(tab: Any, wanted: str, timeout: float = 10) -> None:
    """Waits until window.collab.status() says `wanted`."""
    deadline = time.monotonic() + timeout
    current = None
    while time.monotonic() < deadline:
        current = tab.evaluate("window.collab ? window.collab.status() : null")
        if current == wanted:
            return
        time.sleep(0.05)
    raise AssertionError(f"status stayed {current!r}, expected {wanted!r}")
