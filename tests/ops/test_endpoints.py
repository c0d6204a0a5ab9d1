"""/healthz, /readyz and /metrics as ASGI endpoints in front of Django, and the request metrics."""

import json

import pytest
from asgiref.sync import sync_to_async
from prometheus_client import REGISTRY

from collab_site.ops import OpsEndpoints
from realtime import metrics
from realtime.db import close_connections
from realtime.hub import get_hub


async def call(path: str, *, method: str = "GET", headers=(), client=("203.0.113.9", 50000)):
    """Call the endpoints with a Django stand-in that answers 418; return (status, headers, body)."""

    async def django(scope, receive, send):
        await send({"type": "http.response.start", "status": 418, "headers": []})
        await send({"type": "http.response.body", "body": b"django"})

    sent = []

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.request", "body": b""}

    scope = {"type": "http", "path": path, "method": method, "headers": list(headers), "client": client}
    await OpsEndpoints(django)(scope, receive, send)
    start, body = sent
    return start["status"], dict(start["headers"]), body["body"]


async def test_healthz_is_plain_ok_and_other_paths_reach_django():
    """/healthz answers without touching anything; every other path goes on to Django."""
    assert await call("/healthz") == (
        200,
        {b"content-type": b"text/plain; charset=utf-8", b"content-length": b"3", b"cache-control": b"no-store"},
        b"ok\n",
    )
    assert (await call("/healthz/"))[0] == 418
    assert (await call("/api/pages/"))[0] == 418
    assert (await call("/healthz", method="POST"))[0] == 405


@pytest.mark.django_db(transaction=True)
async def test_readyz_reports_each_check_and_fails_while_the_writer_retries(settings):
    """All checks pass on a healthy process; a writer retrying after database errors makes it 503."""
    hub = get_hub()
    await hub.start()
    try:
        status, headers, body = await call("/readyz")
        report = json.loads(body)
        assert status == 200, report
        assert headers[b"content-type"] == b"application/json"
        assert [name for name, check in report["checks"].items() if not check["ok"]] == []
        hub.writer.healthy, hub.writer.last_error = False, "connection refused"
        status, _, body = await call("/readyz")
        report = json.loads(body)
        assert status == 503
        assert report["checks"]["update_writer"] == {
            "ok": False,
            "error": "RuntimeError: retrying after database errors (connection refused); 0 pending",
            "ms": report["checks"]["update_writer"]["ms"],
        }
        hub.writer.healthy = True
        await hub.stop()
        status, _, body = await call("/readyz")
        assert status == 503
        assert json.loads(body)["checks"]["serving"]["error"] == "RuntimeError: shutting down"
    finally:
        await hub.stop()
        await sync_to_async(close_connections)()


async def test_metrics_are_open_in_development(settings):
    """DEBUG on and nothing configured: /metrics answers anyone, in Prometheus text format."""
    settings.DEBUG, settings.METRICS_TOKEN, settings.METRICS_ALLOWED_IPS = True, "", []
    metrics.count_close(4400)
    status, headers, body = await call("/metrics")
    assert status == 200
    assert headers[b"content-type"].startswith(b"text/plain; version=")
    assert b'collab_connections_closed_total{code="4400",reason="malformed"}' in body


async def test_metrics_need_a_token_or_an_allowed_address_in_production(settings):
    """DEBUG off: refused unless configured; then a Bearer token or an allowed address opens it."""
    settings.DEBUG, settings.METRICS_TOKEN, settings.METRICS_ALLOWED_IPS = False, "", []
    status, _, body = await call("/metrics", client=("127.0.0.1", 1))
    assert status == 403
    assert b"METRICS_TOKEN" in body

    settings.METRICS_TOKEN = "s3cret-token"
    assert (await call("/metrics"))[0] == 401
    assert (await call("/metrics", headers=[(b"authorization", b"Bearer wrong")]))[0] == 401
    assert (await call("/metrics", headers=[(b"authorization", b"Bearer s3cret-token")]))[0] == 200

    settings.METRICS_TOKEN, settings.METRICS_ALLOWED_IPS = "", ["10.0.0.0/8", "192.0.2.7"]
    assert (await call("/metrics", client=("10.1.2.3", 1)))[0] == 200
    assert (await call("/metrics", client=("192.0.2.7", 1)))[0] == 200
    assert (await call("/metrics", client=("192.0.2.8", 1)))[0] == 403
    assert (await call("/metrics", client=None))[0] == 403


def test_close_codes_outside_the_table_share_one_label():
    """A client may close with any code: unknown ones do not grow the label set."""
    before = REGISTRY.get_sample_value("collab_connections_closed_total", {"code": "other", "reason": "other"}) or 0
    metrics.count_close(3999)
    metrics.count_close(4999)
    after = REGISTRY.get_sample_value("collab_connections_closed_total", {"code": "other", "reason": "other"})
    assert after == before + 2
    assert REGISTRY.get_sample_value("collab_connections_closed_total", {"code": "3999", "reason": "other"}) is None


def _requests(view: str, status: str) -> float:
    labels = {"view": view, "method": "GET", "status": status}
    return REGISTRY.get_sample_value("collab_http_requests_total", labels) or 0.0


@pytest.mark.django_db
def test_request_metrics_count_by_view_name_and_status(client, user):
    """Each answered request counts under its URL name (never its path) and status."""
    before_ok, before_denied = _requests("api-page-list", "200"), _requests("api-page-list", "401")
    before_missing = _requests("unmatched", "404")
    client.get("/api/pages/")
    client.force_login(user)
    client.get("/api/pages/")
    client.get("/no/such/thing/")
    assert _requests("api-page-list", "401") == before_denied + 1
    assert _requests("api-page-list", "200") == before_ok + 1
    assert _requests("unmatched", "404") == before_missing + 1
    count = REGISTRY.get_sample_value("collab_http_request_seconds_count", {"view": "api-page-list", "method": "GET"})
    assert count >= 2


@pytest.mark.django_db
async def test_request_metrics_on_the_async_path(async_client):
    """Under ASGI the middleware runs as a coroutine, without a thread hop of its own."""
    before = _requests("login", "200")
    response = await async_client.get("/accounts/login/")
    assert response.status_code == 200
    assert _requests("login", "200") == before + 1
