"""The page list at / in a browser: who is on each page now, kept current while it is open."""

from __future__ import annotations

import pytest

from documents.models import PageMember, Role
from documents.services.pages import page_create
from tests.browser.conftest import screenshot, wait_until
from tests.support.live import session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.live, pytest.mark.django_db(transaction=True)]


def signed_in_tab(browser, server, user, path: str, **options):
    context = browser.new_context(**{"viewport": {"width": 1280, "height": 800}, **options})
    name, value = session_cookie(user).split("=", 1)
    context.add_cookies([{"name": name, "value": value, "url": server.http_url}])
    tab = context.new_page()
    tab.console_errors = []
    tab.on("console", lambda message: message.type == "error" and tab.console_errors.append(message.text))
    tab.goto(f"{server.http_url}{path}")
    return tab


def test_the_page_list_shows_who_is_editing_and_keeps_it_current(browser, live_servers, make_user):
    """Zoë opens a page: Ada's page list shows "1 editing" on it without a reload; Grace, a
    viewer, adds "2 people … 1 viewing"; when both leave, the pill goes away."""
    [server] = live_servers(1, PAGE_LIST_PRESENCE_SECONDS="0.5", LOAD_STATS_INTERVAL_SECONDS="0.5")
    ada = make_user("ada", first_name="Ada")
    zoe = make_user("zoe", first_name="Zoë")
    grace = make_user("grace", first_name="Grace")
    plan = page_create(owner=ada, title="Launch plan")
    page_create(owner=ada, title="Quiet page")
    PageMember.objects.create(page=plan, user=zoe, role=Role.EDITOR)
    PageMember.objects.create(page=plan, user=grace, role=Role.VIEWER)

    listing = signed_in_tab(browser, server, ada, "/")
    pill = listing.locator(f'li[data-id="{plan.id}"] [data-editing]')
    assert pill.is_hidden()

    editor = signed_in_tab(browser, server, zoe, f"/pages/{plan.id}/")
    wait_until(lambda: pill.is_visible() and pill.inner_text() == "1 editing", 10, "Zoë shows as editing")
    assert pill.get_attribute("title") == "1 person is editing this page now"
    viewer = signed_in_tab(browser, server, grace, f"/pages/{plan.id}/")
    wait_until(
        lambda: pill.get_attribute("title") == "2 people have this page open now: 1 editing, 1 viewing", 10, "Grace too"
    )
    assert listing.locator("[data-editing]:visible").count() == 1, "nobody is on the quiet page"
    screenshot(listing, "page-list-editing")

    editor.context.close()
    viewer.context.close()
    wait_until(lambda: pill.is_hidden(), 15, "the pill goes when everyone has left")
    assert not listing.console_errors, listing.console_errors
