"""The server-rendered pages: sign in and out, the page tree, the editor shell and the trash."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from documents.models import Role
from documents.tests.factories import make_member, make_page, make_tree, trash_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(user) -> Client:
    """A browser signed in as alice."""
    client = Client()
    client.force_login(user)
    return client


def tree_rows(response) -> list[tuple[str, int, str]]:
    """(title, depth, role) of each row of the page tree, in order."""
    html = response.content.decode()
    return [
        (title, int(depth), role)
        for title, role, depth in re.findall(
            r'<li data-id="[^"]+" data-title="([^"]*)" data-parent="[^"]*" data-role="(\w+)" data-depth="(\d+)">',
            html,
        )
    ]


# --- signing in and out -----------------------------------------------------------------


@pytest.mark.parametrize("url", ["/", "/trash/", "/pages/00000000-0000-0000-0000-000000000001/"])
def test_pages_need_a_signed_in_user(client, url):
    """Signed-out visitors are sent to the sign-in page, which brings them back afterwards."""
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"


def test_sign_in_page_shows_the_form(client):
    """The sign-in page asks for username and password."""
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="username"' in html
    assert 'name="password"' in html
    assert "Sign in" in html


def test_sign_in_with_the_right_password_goes_to_the_page_list(client, user):
    """The right password signs in and lands on the page list (or on ?next=)."""
    response = client.post("/accounts/login/", {"username": "alice", "password": "pass-w0rd-long"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_sign_in_returns_to_next(client, user):
    """After signing in the visitor goes back to the page they asked for."""
    page = make_page(owner=user)
    response = client.post(
        "/accounts/login/",
        {"username": "alice", "password": "pass-w0rd-long", "next": f"/pages/{page.id}/"},
    )
    assert response["Location"] == f"/pages/{page.id}/"


def test_sign_in_with_a_wrong_password_says_so(client, user):
    """A wrong password shows the form again with an error and the username kept, and signs nobody in."""
    response = client.post("/accounts/login/", {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Your username and password didn't match" in html
    assert 'name="username" value="alice"' in html
    assert client.get("/").status_code == 302


def test_sign_out_ends_the_session(browser):
    """Signing out (a POST, from the top bar's form) goes to the sign-in page and ends the session."""
    page_list = browser.get("/").content.decode()
    assert 'action="/accounts/logout/"' in page_list
    response = browser.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert browser.get("/").status_code == 302


# --- the page tree ----------------------------------------------------------------------


def test_page_list_shows_the_tree_with_children_indented(browser, user):
    """Pages come depth first, sorted by title, each child indented one level more than its parent."""
    beta = make_page(owner=user, title="beta")
    alpha = make_page(owner=user, title="Alpha")
    make_page(owner=user, title="Zulu child", parent=alpha)
    child = make_page(owner=user, title="Able child", parent=alpha)
    make_page(owner=user, title="Grandchild", parent=child)
    make_page(owner=user, title="Beta child", parent=beta)
    response = browser.get("/")
    assert response.status_code == 200
    assert tree_rows(response) == [
        ("Alpha", 0, "owner"),
        ("Able child", 1, "owner"),
        ("Grandchild", 2, "owner"),
        ("Zulu child", 1, "owner"),
        ("beta", 0, "owner"),
        ("Beta child", 1, "owner"),
    ]
    html = response.content.decode()
    assert "padding-left: calc(12px + 2 * 22px)" in html
    assert f'href="/pages/{child.id}/"' in html


def test_page_list_shows_only_visible_live_pages_with_their_actions(browser, user, other_user):
    """Others' private pages and trashed pages are absent; viewers get no edit buttons, editors no delete."""
    shared = make_page(owner=other_user, title="Shared")
    make_member(page=shared, user=user, role=Role.VIEWER)
    edited = make_page(owner=other_user, title="Edited")
    make_member(page=edited, user=user, role=Role.EDITOR)
    make_page(owner=other_user, title="Private")
    trash_at(make_page(owner=user, title="Binned"))
    response = browser.get("/")
    assert tree_rows(response) == [("Edited", 0, "editor"), ("Shared", 0, "viewer")]
    html = response.content.decode()
    assert 'aria-label="Rename Shared"' not in html
    assert 'aria-label="Rename Edited"' in html
    assert 'aria-label="Delete Edited"' not in html


def test_a_visible_page_under_a_hidden_parent_shows_as_a_root(browser, user, other_user):
    """A page shared on its own appears at the top level of the user's tree."""
    hidden = make_page(owner=other_user, title="Hidden")
    shared = make_page(owner=other_user, title="Shared child", parent=hidden)
    make_member(page=shared, user=user, role=Role.EDITOR)
    assert tree_rows(browser.get("/")) == [("Shared child", 0, "editor")]


def test_page_list_when_there_are_no_pages(browser):
    """An empty list invites to create the first page."""
    assert "Create the first page" in browser.get("/").content.decode()


def test_page_list_escapes_titles(browser, user):
    """Titles are text, never markup."""
    make_page(owner=user, title='<script>alert("x")</script>')
    html = browser.get("/").content.decode()
    assert '<script>alert("x")</script>' not in html
    assert "&lt;script&gt;" in html


def test_page_list_query_count_is_constant(user, other_user, django_assert_num_queries):
    """The page list of 30 pages with memberships up and down the tree costs the same few queries as one."""
    pages = make_tree(owner=other_user, roots=3, children=3, grandchildren=2)
    for root in pages[::10]:
        make_member(page=root, user=user, role=Role.VIEWER)
    make_member(page=pages[1], user=user, role=Role.EDITOR)
    make_member(page=pages[12], user=user, role=Role.OWNER)
    client = Client()
    client.force_login(user)
    # session, user, the visible pages, the user's memberships on them
    with django_assert_num_queries(4):
        response = client.get("/")
    rows = tree_rows(response)
    assert len(rows) == 30
    assert max(depth for _, depth, _ in rows) == 2
    assert {role for _, _, role in rows} == {"viewer", "editor", "owner"}


# --- one page ---------------------------------------------------------------------------


def test_editor_page_opens_for_a_member(browser, user, other_user):
    """A page the user may see opens the editor with the page's title and id."""
    page = make_page(owner=other_user, title="Notes")
    make_member(page=page, user=user, role=Role.VIEWER)
    response = browser.get(f"/pages/{page.id}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Notes · Pages</title>" in html
    assert f'data-page-id="{page.id}"' in html
    assert response.context["role"] == Role.VIEWER
    assert response.context["can_edit"] is False


def test_editor_page_lists_the_visible_ancestors(browser, user, other_user):
    """The breadcrumb holds the ancestors the user may see, top first, not the hidden ones above."""
    hidden = make_page(owner=other_user, title="Hidden")
    top = make_page(owner=other_user, title="Top", parent=hidden)
    middle = make_page(owner=other_user, title="Middle", parent=top)
    page = make_page(owner=other_user, title="Page", parent=middle)
    make_member(page=top, user=user, role=Role.EDITOR)
    response = browser.get(f"/pages/{page.id}/")
    assert [p.title for p in response.context["ancestors"]] == ["Top", "Middle"]
    assert response.context["can_edit"] is True


def test_editor_page_query_count_does_not_grow_with_depth(user, other_user, django_assert_num_queries):
    """Opening a page ten levels deep costs the same few queries as a top-level one."""
    page = top = make_page(owner=other_user)
    for _ in range(10):
        page = make_page(owner=other_user, parent=page)
    make_member(page=top, user=user, role=Role.EDITOR)
    client = Client()
    client.force_login(user)
    # session, user, the page, its role, its ancestors, their roles
    with django_assert_num_queries(6):
        response = client.get(f"/pages/{page.id}/")
    assert len(response.context["ancestors"]) == 10


def test_editor_page_of_a_page_you_may_not_see_is_404(browser, other_user):
    """Another user's page says "not found" with 404, the same as a missing page."""
    page = make_page(owner=other_user, title="Secret")
    for url in (f"/pages/{page.id}/", "/pages/00000000-0000-0000-0000-000000000009/"):
        response = browser.get(url)
        assert response.status_code == 404
        html = response.content.decode()
        assert "Page not found" in html
        assert "do not have access" in html
        assert "Secret" not in html


def test_editor_page_of_a_trashed_page_is_410(browser, user):
    """A trashed page says it is in the trash (410 Gone) and points to the trash."""
    page = make_page(owner=user, title="Old notes")
    trash_at(page)
    response = browser.get(f"/pages/{page.id}/")
    assert response.status_code == 410
    html = response.content.decode()
    assert "This page is in the trash" in html
    assert "Old notes" in html
    assert 'href="/trash/"' in html


def test_a_trashed_page_you_may_not_see_is_still_404(browser, other_user):
    """Whether another user's page is in the trash is not revealed."""
    page = make_page(owner=other_user)
    trash_at(page)
    assert browser.get(f"/pages/{page.id}/").status_code == 404


def test_an_unknown_address_is_an_html_404(browser):
    """Outside /api/ a missing address is the HTML 404 page."""
    response = browser.get("/no-such-place/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


# --- the trash --------------------------------------------------------------------------


def test_trash_lists_only_the_pages_you_own(browser, user, other_user):
    """The trash shows trashed pages the user owns, newest first; not live ones, not others' or edited ones."""
    now = timezone.now()
    older = make_page(owner=user, title="Older")
    newer = make_page(owner=user, title="Newer")
    edited = make_page(owner=other_user, title="Edited by me")
    make_member(page=edited, user=user, role=Role.EDITOR)
    theirs = make_page(owner=other_user, title="Theirs")
    make_page(owner=user, title="Live")
    trash_at(older, when=now - timedelta(days=2))
    trash_at(newer, when=now - timedelta(hours=1))
    trash_at(edited, theirs)
    response = browser.get("/trash/")
    assert response.status_code == 200
    assert [page.title for page in response.context["pages"]] == ["Newer", "Older"]
    html = response.content.decode()
    assert "Edited by me" not in html
    assert "Theirs" not in html
    assert "Live" not in html


def test_trash_says_the_retention_time(browser, settings):
    """The trash page tells how long pages can be restored, from TRASH_RETENTION_DAYS."""
    settings.TRASH_RETENTION_DAYS = 7
    assert "restored for 7 days" in browser.get("/trash/").content.decode()


def test_empty_trash(browser):
    """An empty trash says so."""
    assert "The trash is empty." in browser.get("/trash/").content.decode()


def test_trash_query_count_is_constant(user, other_user, django_assert_num_queries):
    """The trash page resolves the roles of all its pages at once."""
    root = make_page(owner=other_user)
    make_member(page=root, user=user, role=Role.OWNER)
    pages = [make_page(owner=other_user, parent=root) for _ in range(10)]
    trash_at(root, *pages)
    client = Client()
    client.force_login(user)
    with django_assert_num_queries(4):
        response = client.get("/trash/")
    assert len(response.context["pages"]) == 11


def test_times_read_just_now_under_a_minute_and_in_minutes_after():
    from datetime import timedelta

    from django.utils import timezone

    from documents.templatetags.when import ago

    now = timezone.now()
    assert ago(now - timedelta(seconds=20)) == "just now"
    assert ago(now - timedelta(minutes=5, seconds=3)) == "5\xa0minutes ago"
    assert ago(None) == ""
