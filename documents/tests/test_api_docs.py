"""The OpenAPI schema at /api/schema/ and the Swagger UI at /api/docs/, served without a CDN."""

import re
from io import StringIO

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_schema_is_openapi_3_with_every_operation(browser):
    """The schema lists every endpoint and method of the API."""
    response = browser.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    operations = {
        (path, method): operation["operationId"]
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    }
    assert operations == {
        ("/api/pages/", "get"): "pages_list",
        ("/api/pages/", "post"): "pages_create",
        ("/api/pages/{page_id}/", "get"): "pages_retrieve",
        ("/api/pages/{page_id}/", "patch"): "pages_update",
        ("/api/pages/{page_id}/", "put"): "pages_replace",
        ("/api/pages/{page_id}/", "delete"): "pages_trash",
        ("/api/pages/presence/", "get"): "pages_presence",
        ("/api/trash/", "get"): "trash_list",
        ("/api/trash/{page_id}/restore/", "post"): "trash_restore",
        ("/api/pages/{page_id}/members/", "get"): "members_list",
        ("/api/pages/{page_id}/members/", "post"): "members_add",
        ("/api/pages/{page_id}/members/{user_id}/", "patch"): "members_change",
        ("/api/pages/{page_id}/members/{user_id}/", "delete"): "members_remove",
        ("/api/pages/{page_id}/ticket/", "post"): "pages_ticket",
        ("/api/users/", "get"): "users_search",
        ("/api/pages/{page_id}/content/", "get"): "content_retrieve",
        ("/api/pages/{page_id}/content/", "put"): "content_replace",
        ("/api/pages/{page_id}/content/", "post"): "content_append",
        ("/api/pages/{page_id}/versions/", "get"): "versions_list",
        ("/api/pages/{page_id}/versions/", "post"): "versions_name",
        ("/api/pages/{page_id}/versions/{number}/", "get"): "versions_retrieve",
        ("/api/pages/{page_id}/versions/{number}/restore/", "post"): "versions_restore",
        ("/api/pages/{page_id}/versions/{number}/diff/{other}/", "get"): "versions_diff",
    }


def test_schema_documents_the_list_filters_and_token_auth(browser):
    """The list's parent, search and pagination parameters and both auth schemes are in the schema."""
    schema = browser.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    parameters = {p["name"] for p in schema["paths"]["/api/pages/"]["get"]["parameters"]}
    assert parameters >= {"parent", "search", "page", "page_size"}
    schemes = schema["components"]["securitySchemes"]
    assert {"tokenAuth", "cookieAuth"} <= set(schemes)


def test_schema_describes_the_presence_counts_by_page_id(browser):
    """The presence endpoint answers an object keyed by page id, of people and editing counts."""
    schema = browser.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    answer = schema["paths"]["/api/pages/presence/"]["get"]["responses"]["200"]["content"]["application/json"]
    counts = answer["schema"]["additionalProperties"]
    assert set(counts["properties"]) == set(counts["required"]) == {"people", "editing"}


def test_schema_is_yaml_by_default(browser):
    """Without an Accept header the schema comes as YAML that parses."""
    response = browser.get("/api/schema/")
    assert response.status_code == 200
    assert yaml.safe_load(response.content)["info"]["title"] == "Pages API"


def test_schema_generates_without_warnings():
    """drf-spectacular has no warning or error about any view (each one would be a guessed type)."""
    out = StringIO()
    call_command("spectacular", "--fail-on-warn", "--validate", stdout=out)
    assert "openapi: 3" in out.getvalue()


def test_swagger_ui_loads_its_assets_locally(browser):
    """/api/docs/ is an HTML page whose scripts, styles and icon are this server's static files."""
    response = browser.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    urls = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    urls += re.findall(r"""["'](https?://[^"']+)["']""", html)
    assert urls
    for url in urls:
        assert not url.startswith(("http://", "https://", "//")), f"external asset {url}"
    for needle in ("cdn.", "jsdelivr", "unpkg", "cdnjs"):
        assert needle not in html
    assets = [url for url in urls if url.startswith("/static/")]
    assert any(url.endswith("swagger-ui-bundle.js") for url in assets)
    assert any(url.endswith("swagger-ui.css") for url in assets)
    for url in assets:
        assert finders.find(url.removeprefix("/static/")), f"{url} is not a static file"


def test_swagger_ui_points_at_the_local_schema(browser):
    """The UI reads the schema from /api/schema/ on this server."""
    html = browser.get("/api/docs/").content.decode()
    assert "/api/schema/" in html
