"""Helpers for the operations tests: HTTP against a live server, reading its metrics."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable

from prometheus_client.parser import text_string_to_metric_families


def http_get(url: str, headers: dict[str, str] | None = None, timeout: float = 5.0) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def readyz(server) -> tuple[int, dict]:
    status, body = http_get(f"{server.http_url}/readyz", timeout=10)
    return status, json.loads(body)


def wait_until(condition: Callable[[], bool], timeout: float = 15.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not met within {timeout} s")
        time.sleep(0.1)


Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scrape(server, headers: dict[str, str] | None = None) -> Samples:
    """Every sample of the server's /metrics, keyed by (name, sorted labels)."""
    status, body = http_get(f"{server.http_url}/metrics", headers)
    assert status == 200, body
    samples: Samples = {}
    for family in text_string_to_metric_families(body.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)
