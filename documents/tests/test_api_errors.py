"""Bad requests to the API: each is a 4xx with a JSON body whose `detail` says what is wrong."""

import uuid

import pytest

from documents.models import Page
from documents.tests.factories import make_page

pytestmark = pytest.mark.django_db


def assert_json_error(response, status: int, detail: str | None = None) -> dict:
    """The response has `status`, is JSON (never an HTML page) and has a readable `detail`."""
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body["detail"], str)
    assert body["detail"]
    if detail is not None:
        assert body["detail"] == detail
    return body


# --- creating ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "detail"),
    [
        ({}, "title: This field is required."),
        ({"title": ""}, "title: This field may not be blank."),
        ({"title": "   \t\n "}, "title: This field may not be blank."),
        ({"title": "x" * 256}, "title: Ensure this field has no more than 255 characters."),
        ({"title": None}, "title: This field may not be null."),
        ({"title": 5}, "title: Must be a string."),
        ({"title": True}, "title: Must be a string."),
        ({"title": ["a"]}, "title: Must be a string."),
        ({"title": {"text": "a"}}, "title: Must be a string."),
        ({"title": "a\x00b"}, "title: Null characters are not allowed."),
        ({"title": "ok", "parent": "x"}, "parent: Must be a valid UUID."),
        ({"title": "ok", "parent": 5}, "parent: Must be a valid UUID."),
        ({"title": "ok", "parent": str(uuid.UUID(int=1))}, "parent: The parent page does not exist."),
        ({"title": "ok", "owner": "bob"}, "owner: Unknown field."),
        ({"title": "ok", "id": str(uuid.UUID(int=1))}, "id: Unknown field."),
    ],
)
def test_create_with_bad_fields_is_400(api, payload, detail):
    """Missing, blank, over-long, null or wrongly typed fields, unknown parents and fields are refused."""
    response = api.post("/api/pages/", payload, format="json")
    body = assert_json_error(response, 400, detail)
    field = detail.split(":")[0]
    assert field in body["errors"]
    assert not Page.objects.exists()


def test_a_title_of_exactly_the_maximum_length_is_accepted(api):
    """255 characters is the limit, inclusive."""
    response = api.post("/api/pages/", {"title": "x" * 255}, format="json")
    assert response.status_code == 201


@pytest.mark.parametrize("body", ["[1, 2]", '"just a string"', "5", "null"])
def test_create_with_a_body_that_is_not_an_object_is_400(api, body):
    """The body must be a JSON object."""
    response = api.post("/api/pages/", body, content_type="application/json")
    assert_json_error(response, 400)
    assert not Page.objects.exists()


def test_create_with_invalid_json_is_400(api):
    """A body that is not JSON at all says it could not be parsed."""
    response = api.post("/api/pages/", '{"title": "unterminated', content_type="application/json")
    body = assert_json_error(response, 400)
    assert body["detail"].startswith("JSON parse error")


def test_create_with_an_unsupported_content_type_is_415(api):
    """A body the API cannot read is 415 in JSON."""
    response = api.post("/api/pages/", "title=x", content_type="text/plain")
    assert_json_error(response, 415)


def test_several_unknown_fields_are_all_named(api):
    """Every unknown field is listed in `errors`, so a client fixes them all at once."""
    response = api.post("/api/pages/", {"title": "ok", "colour": "red", "body": {}}, format="json")
    body = assert_json_error(response, 400)
    assert set(body["errors"]) == {"body", "colour"}


# --- updating ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "detail"),
    [
        ({"title": ""}, "title: This field may not be blank."),
        ({"title": "  "}, "title: This field may not be blank."),
        ({"title": "y" * 300}, "title: Ensure this field has no more than 255 characters."),
        ({"title": 5}, "title: Must be a string."),
        ({"title": None}, "title: This field may not be null."),
        ({"parent": "x"}, "parent: Must be a valid UUID."),
        ({"parent": 1.5}, "parent: Must be a valid UUID."),
        ({"parent": str(uuid.UUID(int=1))}, "parent: The parent page does not exist."),
        ({"state": "AAAA"}, "state: Unknown field."),
    ],
)
def test_patch_with_bad_fields_is_400(api, user, payload, detail):
    """The same rules hold for changes; the page is left as it was."""
    page = make_page(owner=user, title="Before")
    response = api.patch(f"/api/pages/{page.id}/", payload, format="json")
    assert_json_error(response, 400, detail)
    page.refresh_from_db()
    assert (page.title, page.parent_id) == ("Before", None)


@pytest.mark.parametrize("body", ["[]", '"title"', "true"])
def test_patch_with_a_body_that_is_not_an_object_is_400(api, user, body):
    """A PATCH body must be a JSON object."""
    page = make_page(owner=user)
    response = api.patch(f"/api/pages/{page.id}/", body, content_type="application/json")
    assert_json_error(response, 400, "Expected a JSON object.")


def test_patch_with_invalid_json_is_400(api, user):
    """Unparseable JSON is a 400 on updates too."""
    page = make_page(owner=user)
    response = api.patch(f"/api/pages/{page.id}/", "{title:", content_type="application/json")
    assert_json_error(response, 400)


def test_moving_a_page_under_itself_is_400(api, user):
    """A page cannot become its own parent."""
    page = make_page(owner=user)
    response = api.patch(f"/api/pages/{page.id}/", {"parent": str(page.id)}, format="json")
    body = assert_json_error(response, 400, "A page cannot be moved under itself or one of its children.")
    assert body["errors"] == {"parent": ["A page cannot be moved under itself or one of its children."]}


def test_moving_a_page_under_a_descendant_is_400(api, user):
    """A page cannot move under its child or grandchild: the tree would have a cycle."""
    root = make_page(owner=user)
    child = make_page(owner=user, parent=root)
    grandchild = make_page(owner=user, parent=child)
    for target in (child, grandchild):
        response = api.patch(f"/api/pages/{root.id}/", {"parent": str(target.id)}, format="json")
        assert_json_error(response, 400, "A page cannot be moved under itself or one of its children.")
    root.refresh_from_db()
    assert root.parent_id is None


def test_moving_a_page_under_a_trashed_descendant_is_still_a_cycle(api, user):
    """Trashed descendants count: restoring them later must not close a loop."""
    root = make_page(owner=user)
    child = make_page(owner=user, parent=root)
    api.delete(f"/api/pages/{child.id}/")
    response = api.patch(f"/api/pages/{root.id}/", {"parent": str(child.id)}, format="json")
    assert response.status_code in (400, 409)
    root.refresh_from_db()
    assert root.parent_id is None


def test_a_bad_change_in_one_field_leaves_the_other_unchanged(api, user):
    """A PATCH is all or nothing: a good title with a bad parent renames nothing."""
    page = make_page(owner=user, title="Before")
    response = api.patch(f"/api/pages/{page.id}/", {"title": "After", "parent": str(page.id)}, format="json")
    assert response.status_code == 400
    page.refresh_from_db()
    assert page.title == "Before"


# --- query parameters -------------------------------------------------------------------


@pytest.mark.parametrize("parent", ["x", "123", "roots"])
def test_list_with_a_bad_parent_filter_is_400(api, parent):
    """?parent= must be a page id or "root"."""
    response = api.get("/api/pages/", {"parent": parent})
    assert_json_error(response, 400, 'parent: Must be a page id or "root".')


def test_list_search_with_a_null_character_is_400(api, user):
    """A NUL in the search terms is a bad request, not a database error."""
    make_page(owner=user)
    response = api.get("/api/pages/", {"search": "a\x00b"})
    assert_json_error(response, 400)


def test_list_with_a_bad_page_number_is_404(api):
    """?page= that is not a page of results answers in JSON."""
    assert_json_error(api.get("/api/pages/", {"page": "abc"}), 404)
    assert_json_error(api.get("/api/pages/", {"page": 0}), 404)


# --- URLs and methods -------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/api/",
        "/api/nothing-here/",
        "/api/pages/not-a-uuid/",
        "/api/pages/00000000-0000-0000-0000-000000000000/children/",
        "/api/trash/not-a-uuid/restore/",
    ],
)
def test_unknown_api_urls_are_json_404(api, url):
    """An address under /api/ that does not exist answers 404 in JSON, not Django's HTML page
    (in development, with DEBUG on, too)."""
    assert_json_error(api.get(url), 404, f"No API endpoint at {url}.")


def test_unknown_api_urls_are_json_404_when_signed_out(api_client):
    """The JSON 404 does not depend on being signed in."""
    assert_json_error(api_client.get("/api/nothing-here/"), 404, "No API endpoint at /api/nothing-here/.")


@pytest.mark.parametrize(
    ("method", "path"),
    [("post", f"/api/pages/{uuid.UUID(int=7)}/content/append/"), ("delete", "/api/pages/1/2/3/")],
)
def test_other_methods_on_unknown_api_urls_are_json_404(api, method, path):
    assert_json_error(getattr(api, method)(path), 404, f"No API endpoint at {path}.")


def test_a_path_missing_its_trailing_slash_says_so(api):
    """Django would redirect (losing a POST's body) or, in development, fail; the API says what to do."""
    response = api.post("/api/pages", {"title": "x"}, format="json")
    detail = "No API endpoint at /api/pages. Did you mean /api/pages/ (with the trailing slash)?"
    assert_json_error(response, 404, detail)
    assert not Page.objects.exists()


def test_restoring_a_missing_page_is_404(api):
    """Restoring an unknown id is a JSON 404."""
    assert_json_error(api.post(f"/api/trash/{uuid.UUID(int=7)}/restore/"), 404, "Not found.")


@pytest.mark.parametrize(
    ("method", "url", "allowed"),
    [
        ("put", "/api/pages/", "GET, POST"),
        ("delete", "/api/pages/", "GET, POST"),
        ("patch", "/api/pages/", "GET, POST"),
        ("post", "/api/pages/{id}/", "DELETE, GET, PATCH, PUT"),
        ("post", "/api/trash/", "GET"),
        ("delete", "/api/trash/", "GET"),
        ("get", "/api/trash/{id}/restore/", "POST"),
        ("delete", "/api/trash/{id}/restore/", "POST"),
    ],
)
def test_wrong_methods_are_json_405(api, user, method, url, allowed):
    """A method an endpoint does not take is 405 in JSON, with the Allow header listing those it does."""
    page = make_page(owner=user)
    response = getattr(api, method)(url.format(id=page.id))
    assert_json_error(response, 405, f'Method "{method.upper()}" not allowed.')
    assert set(response["Allow"].split(", ")) >= set(allowed.split(", "))


def test_a_server_error_under_api_is_json(api, monkeypatch):
    """Even an unexpected failure answers JSON under /api/ (500 with a short message, no traceback)."""
    from documents.api import pages

    def boom(**kwargs):
        raise RuntimeError("unexpected")

    monkeypatch.setattr(pages, "pages_list", boom)
    api.raise_request_exception = False
    response = api.get("/api/pages/")
    assert_json_error(response, 500, "Server error.")


@pytest.mark.parametrize("accept", [None, "*/*", "application/json"])
def test_errors_are_json_whatever_a_program_accepts(api, accept):
    """Clients that send no Accept header, */* or JSON get JSON errors."""
    headers = {"HTTP_ACCEPT": accept} if accept else {}
    response = api.post("/api/pages/", {"title": ""}, format="json", **headers)
    assert_json_error(response, 400, "title: This field may not be blank.")


def test_a_post_to_an_unknown_api_url_without_a_csrf_token_is_still_a_json_404(user):
    """A browser session's POST with no CSRF token to a path that is no endpoint: 404, not an HTML 403."""
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    assert_json_error(browser.post("/api/nothing-here/", {}), 404, "No API endpoint at /api/nothing-here/.")


@pytest.mark.parametrize(
    ("path", "target"),
    [("/api/docs", "/api/docs/"), ("/api/schema", "/api/schema/"), ("/api/pages?search=a", "/api/pages/?search=a")],
)
def test_a_get_missing_its_trailing_slash_is_redirected(api, path, target):
    response = api.get(path)
    assert response.status_code == 301
    assert response["Location"] == target
