"""The history and content endpoints: versions, naming, restore, reading and writing content."""

import pytest
from django.test import Client

from documents.models import PageMember, PageVersion, Role
from documents.services.pages import page_create
from documents.services.versions import page_version_create
from documents.tests.factories import append_paragraphs


@pytest.fixture
def page(db, user):
    return page_create(owner=user, title="History")


@pytest.fixture
def api(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def viewer_api(page, other_user):
    PageMember.objects.create(page=page, user=other_user, role=Role.VIEWER)
    client = Client()
    client.force_login(other_user)
    return client


def versions_url(page, suffix=""):
    return f"/api/pages/{page.id}/versions/{suffix}"


def test_versions_are_listed_newest_first_with_authors_and_contributors(api, page, user, django_assert_num_queries):
    """The list is paginated, newest first, and costs the same few queries for any length."""
    for i in range(5):
        append_paragraphs(page, f"paragraph {i}", user=user)
        page_version_create(page_id=page.id, author=user)
    with django_assert_num_queries(7):
        body = api.get(versions_url(page)).json()
    assert body["count"] == 5
    assert [v["number"] for v in body["results"]] == [5, 4, 3, 2, 1]
    first = body["results"][0]
    assert first["author"]["username"] == "alice"
    assert [c["username"] for c in first["contributors"]] == ["alice"]
    assert set(first) >= {"created_at", "label", "reason", "restored_from", "title"}


def test_a_version_comes_with_text_html_and_markdown(api, page):
    append_paragraphs(page, "**not bold** just text")
    page_version_create(page_id=page.id)
    body = api.get(versions_url(page, "1/")).json()
    assert "just text" in body["text"]
    assert body["html"].startswith("<p>")
    assert "just text" in body["markdown"]
    assert api.get(versions_url(page, "9/")).status_code == 404


def test_naming_the_current_state(api, viewer_api, page):
    """Editors name the current state; viewers may not; a blank name is refused."""
    append_paragraphs(page, "plan")
    response = api.post(versions_url(page), {"label": "Before the reorg"}, content_type="application/json")
    assert response.status_code == 201
    assert (response.json()["label"], response.json()["reason"]) == ("Before the reorg", "named")
    again = api.post(versions_url(page), {"label": "Second name"}, content_type="application/json")
    assert again.status_code == 201
    assert again.json()["number"] == 2
    assert api.post(versions_url(page), {"label": "  "}, content_type="application/json").status_code == 400
    denied = viewer_api.post(versions_url(page), {"label": "x"}, content_type="application/json")
    assert denied.status_code == 403


def test_restore_through_the_api(api, viewer_api, page):
    """Restore needs edit rights and answers with the new "restore" version."""
    append_paragraphs(page, "original")
    page_version_create(page_id=page.id)
    append_paragraphs(page, "later addition")
    assert viewer_api.post(versions_url(page, "1/restore/")).status_code == 403
    response = api.post(versions_url(page, "1/restore/"))
    assert response.status_code == 201
    assert (response.json()["reason"], response.json()["restored_from"]) == ("restore", 1)
    content = api.get(f"/api/pages/{page.id}/content/").json()
    assert "later addition" not in content["text"]
    assert "original" in content["text"]
    assert PageVersion.objects.filter(page=page).count() == 3
    assert api.post(versions_url(page, "42/restore/")).status_code == 404


def test_content_in_every_format(api, page):
    """JSON by default; one format as the body by ?format= or by Accept."""
    append_paragraphs(page, "Hello *world*")
    body = api.get(f"/api/pages/{page.id}/content/").json()
    assert set(body) == {"title", "text", "html", "markdown"}
    markdown = api.get(f"/api/pages/{page.id}/content/?format=markdown")
    assert markdown["Content-Type"].startswith("text/markdown")
    html = api.get(f"/api/pages/{page.id}/content/", HTTP_ACCEPT="text/html")
    assert html["Content-Type"].startswith("text/html")
    assert html.content.decode().startswith("<p>")
    assert api.get(f"/api/pages/{page.id}/content/?format=pdf").status_code == 400


def test_content_replace_and_append(api, viewer_api, page):
    """PUT replaces, POST appends; both are CRDT changes in the log; viewers may not."""
    url = f"/api/pages/{page.id}/content/"
    response = api.put(url, {"markdown": "# Plan\n\n- one\n- two"}, content_type="application/json")
    assert response.status_code == 200
    assert "<h1>Plan</h1>" in response.json()["html"]
    response = api.post(url, {"text": "Appended line"}, content_type="application/json")
    assert response.json()["text"].endswith("Appended line")
    assert "<h1>Plan</h1>" in response.json()["html"]
    assert viewer_api.put(url, {"text": "x"}, content_type="application/json").status_code == 403
    assert api.put(url, {"text": "a", "html": "<p>b</p>"}, content_type="application/json").status_code == 400
    assert api.put(url, {"rtf": "x"}, content_type="application/json").status_code == 400


def test_content_past_the_size_limit_is_refused_with_413(api, page, settings):
    settings.REALTIME = {**settings.REALTIME, "MAX_DOCUMENT_BYTES": 2000}
    url = f"/api/pages/{page.id}/content/"
    response = api.post(url, {"text": "x" * 5000}, content_type="application/json")
    assert response.status_code == 413
    assert "size limit" in response.json()["detail"]
    assert "xxx" not in api.get(url).json()["text"]


def test_diff_of_two_versions(api, page):
    """The diff names what changed, with a summary and inline and side-by-side HTML."""
    append_paragraphs(page, "The quick fox.")
    page_version_create(page_id=page.id)
    append_paragraphs(page, "A new paragraph.")
    page_version_create(page_id=page.id)
    body = api.get(versions_url(page, "1/diff/2/")).json()
    assert (body["from"], body["to"]) == (1, 2)
    assert body["summary"]["blocks_added"] == 1
    assert any(change["op"] == "insert" for change in body["changes"])
    assert "<ins" in body["html"] or "diff-added" in body["html"]
    assert set(body["side_by_side"]) == {"before", "after"}
    assert api.get(versions_url(page, "1/diff/7/")).status_code == 404
