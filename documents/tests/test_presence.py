"""Who is on which page now: the page list's pills and GET /api/pages/presence/.

The counts come from a source that realtime registers (realtime/tests/test_stats.py tests it
with real snapshots); here a fixed source stands in for it.
"""

import pytest
from django.test import Client

from documents.models import Role
from documents.selectors import presence as presence_module
from documents.selectors.presence import PagePresence, pages_presence, presence_source_set
from documents.tests.factories import make_member, make_page, make_tree, trash_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def counts():
    """The counts the (stand-in) server processes report, by page id as text."""
    reported: dict[str, PagePresence] = {}
    before = presence_module._source
    presence_source_set(lambda: reported)
    yield reported
    presence_source_set(before)


@pytest.fixture
def pages(user, other_user):
    """Alice's page, Bob's page shared with Alice as a viewer, Bob's private page and a trashed one."""
    mine = make_page(owner=user, title="Mine")
    shared = make_page(owner=other_user, title="Shared")
    make_member(page=shared, user=user, role=Role.VIEWER)
    private = make_page(owner=other_user, title="Private")
    trashed = make_page(owner=user, title="Trashed")
    trash_at(trashed)
    return {"mine": mine, "shared": shared, "private": private, "trashed": trashed}


def test_the_endpoint_tells_only_about_pages_the_user_may_see(api, counts, pages, django_assert_num_queries):
    """Someone on a page the user may not see, or on a trashed page, is not reported to them."""
    for name, here in [("mine", (2, 1)), ("shared", (1, 0)), ("private", (3, 3)), ("trashed", (1, 1))]:
        counts[str(pages[name].id)] = PagePresence(*here)
    counts["not-a-page-id"] = PagePresence(1, 1)
    with django_assert_num_queries(3):  # session, user, the visible pages among those counted
        response = api.get("/api/pages/presence/")
    assert response.status_code == 200
    assert response.json() == {
        str(pages["mine"].id): {"people": 2, "editing": 1},
        str(pages["shared"].id): {"people": 1, "editing": 0},
    }


def test_staff_hear_about_every_live_page(api_as, make_user, counts, pages):
    """Staff may see every page, so they hear about all of them (trashed pages excepted)."""
    for page in pages.values():
        counts[str(page.id)] = PagePresence(1, 1)
    response = api_as(make_user("ops", is_staff=True)).get("/api/pages/presence/")
    assert set(response.json()) == {str(pages[name].id) for name in ("mine", "shared", "private")}


def test_nobody_anywhere_is_an_empty_object(api, counts, pages):
    """With nobody on any page (or no realtime side at all) the answer is {}."""
    assert api.get("/api/pages/presence/").json() == {}
    presence_source_set(None)
    assert api.get("/api/pages/presence/").json() == {}


def test_the_endpoint_needs_a_signed_in_user(api_client, counts, pages):
    """Anonymous callers learn nothing."""
    counts[str(pages["mine"].id)] = PagePresence(1, 1)
    assert api_client.get("/api/pages/presence/").status_code in (401, 403)


def test_the_page_list_shows_who_is_on_each_page(user, counts, pages):
    """Each row shows its pill server-side: "2 editing", "1 viewing" in grey, or nothing."""
    counts[str(pages["mine"].id)] = PagePresence(3, 2)
    counts[str(pages["shared"].id)] = PagePresence(1, 0)
    counts[str(pages["private"].id)] = PagePresence(5, 5)
    client = Client()
    client.force_login(user)
    html = client.get("/").content.decode()
    assert 'data-presence-url="/api/pages/presence/"' in html
    assert (
        '<span class="editing-now" data-editing title="3 people have this page open now: 2 editing, 1 viewing">'
        "2 editing</span>"
    ) in html
    assert (
        '<span class="editing-now is-viewing" data-editing title="1 person is viewing this page now">1 viewing</span>'
    ) in html
    assert "5 editing" not in html


def test_the_page_list_query_count_does_not_grow_with_presence(user, other_user, counts, django_assert_num_queries):
    """Counting people adds no query to the page list, however many pages have someone on them."""
    tree = make_tree(owner=other_user, roots=2, children=2, grandchildren=1)
    make_member(page=tree[0], user=user, role=Role.EDITOR)
    for page in tree:
        counts[str(page.id)] = PagePresence(2, 1)
    client = Client()
    client.force_login(user)
    with django_assert_num_queries(4):
        html = client.get("/").content.decode()
    assert html.count(">1 editing</span>") == 5  # root 0, its two children and their leaves


@pytest.mark.parametrize(
    ("people", "editing", "label", "description"),
    [
        (1, 1, "1 editing", "1 person is editing this page now"),
        (2, 2, "2 editing", "2 people are editing this page now"),
        (1, 0, "1 viewing", "1 person is viewing this page now"),
        (3, 0, "3 viewing", "3 people are viewing this page now"),
        (3, 1, "1 editing", "3 people have this page open now: 1 editing, 2 viewing"),
    ],
)
def test_labels(people, editing, label, description):
    """The pill says who edits; its tooltip gives everyone (static/tests/ checks the JS says the same)."""
    here = PagePresence(people=people, editing=editing)
    assert (here.label, here.description) == (label, description)


def test_known_visible_pages_need_no_query(user, counts, pages, django_assert_num_queries):
    """Given the pages the caller already knows the user sees, filtering costs nothing."""
    counts[str(pages["mine"].id)] = PagePresence(1, 1)
    counts[str(pages["private"].id)] = PagePresence(1, 1)
    with django_assert_num_queries(0):
        found = pages_presence(user=user, page_ids=[pages["mine"].id])
    assert found == {pages["mine"].id: PagePresence(1, 1)}
