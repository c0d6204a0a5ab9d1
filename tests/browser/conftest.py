"""Chromium (through Playwright) against a live server process of ours.

Screenshots the tests take are kept in artifacts/screenshots/ (CI keeps that folder).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.editor_browser.conftest import CHROMIUM, LAUNCH_ARGS
from tests.support.live import ROOT, session_cookie

SCREENSHOTS = ROOT / "artifacts" / "screenshots"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Chromium for one test module (Playwright's sync API holds an event loop meanwhile)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not os.path.exists(CHROMIUM):
        pytest.skip("chromium is not installed (apt-get install chromium)")
    if not (ROOT / "static/dist/editor.js").exists():
        pytest.skip("the front end is not built (npm run build)")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def app(live_servers):
    """One server process of ours, as `make run` starts it, on the test database."""
    [server] = live_servers(1)
    return server


@pytest.fixture
def open_editor(browser: Any, app: Any) -> Iterator[Any]:
    """open_editor(user, page, **context options) -> a Playwright tab showing the page."""
    contexts = []

    def open_(user: Any, page: Any, **options: Any) -> Any:
        context = browser.new_context(**{"viewport": {"width": 1280, "height": 860}, **options})
        name, value = session_cookie(user).split("=", 1)
        context.add_cookies([{"name": name, "value": value, "url": app.http_url}])
        contexts.append(context)
        tab = context.new_page()
        tab.console_errors = []
        tab.on("console", lambda message: message.type == "error" and tab.console_errors.append(message.text))
        tab.on("pageerror", lambda error: tab.console_errors.append(str(error)))
        tab.goto(f"{app.http_url}/pages/{page.id}/")
        return tab

    yield open_
    for context in contexts:
        context.close()


def wait_until(check, timeout: float = 10, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(f"{what} not met in {timeout} s")


def status(tab: Any) -> str | None:
    return tab.evaluate("window.collab ? window.collab.status() : null")


def wait_for_status(tab: Any, wanted: str, timeout: float = 10) -> None:
    wait_until(lambda: status(tab) == wanted, timeout, f"status {wanted!r} (is {status(tab)!r})")


def screenshot(tab: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    tab.screenshot(path=str(path))
    return path
