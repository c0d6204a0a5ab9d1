"""Chromium (through Playwright) against a live server process of ours.

Screenshots the tests take are kept in artifacts/screenshots/ (CI keeps that folder).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from tests.support.live import ROOT

SCREENSHOTS = ROOT / "artifacts" / "screenshots"


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
