"""Fixtures for the cross-app tests: live server processes on the test database, and Chromium."""

import os
from collections.abc import Iterator
from typing import Any

import pytest

from tests.editor_browser.conftest import CHROMIUM, LAUNCH_ARGS
from tests.support.live import ROOT, LiveServer, session_cookie


@pytest.fixture
def live_servers(transactional_db):
    """Start server processes: `live_servers(2)`; all are killed at the end of the test."""
    started: list[LiveServer] = []

    def start(count: int = 1, **extra_env: str) -> list[LiveServer]:
        servers = [LiveServer(f"server{len(started) + i}", extra_env) for i in range(count)]
        for server in servers:
            server.start()
        started.extend(servers)
        return servers

    yield start
    for server in started:
        server.kill()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Chromium for one test module (Playwright's sync API holds an event loop meanwhile)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not os.path.exists(CHROMIUM):
        pytest.skip("chromium is not installed (apt-get install chromium)")
    if not (ROOT / "static/dist/editor.js").exists():
        pytest.skip("the front end is not built (npm run build)")
    # Playwright's sync API keeps an event loop in this thread; Django's ORM would refuse to
    # run next to it (the Django docs suggest this switch for Playwright tests).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_api.sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


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
