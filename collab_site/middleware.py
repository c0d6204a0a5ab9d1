"""Count every HTTP request Django answers, and time it, by view name and status."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from prometheus_client import Counter, Histogram

http_requests = Counter(
    "collab_http_requests_total",
    "HTTP requests answered by Django, by view, method and status",
    ["view", "method", "status"],
)
http_latency = Histogram(
    "collab_http_request_seconds",
    "Time Django took to answer an HTTP request, by view and method",
    ["view", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)

_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


def view_label(request: HttpRequest) -> str:
    """The URL name of the view (bounded: one per route), never the path itself."""
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return match.view_name or match._func_path
    if request.path.startswith(settings.STATIC_URL):
        return "static"
    return "unmatched"


class RequestMetricsMiddleware:
    """Outermost middleware, so the time includes every other middleware."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> HttpResponseBase | Awaitable[HttpResponseBase]:
        if self.is_async:
            return self._acall(request)
        started = time.perf_counter()
        response = self.get_response(request)
        self._record(request, response, started)
        return response

    async def _acall(self, request: HttpRequest) -> HttpResponseBase:
        started = time.perf_counter()
        response = await self.get_response(request)
        self._record(request, response, started)
        return response

    @staticmethod
    def _record(request: HttpRequest, response: HttpResponseBase, started: float) -> None:
        view = view_label(request)
        method = request.method if request.method in _METHODS else "other"
        http_requests.labels(view, method, str(response.status_code)).inc()
        http_latency.labels(view, method).observe(time.perf_counter() - started)
