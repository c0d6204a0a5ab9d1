"""The version history panel in Chromium, against the versions API's documented shapes.

The API answers come from a stand-in (Playwright routes) built with the real renderer and
documents.diff, so these tests pin the panel to the contract, not to one server's data.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from documents.diff import diff_blocks
from documents.models import PageMember, Role
from documents.rendering import markdown_to_blocks, render_blocks
from documents.services.pages import page_create
from tests.editor_browser.conftest import wait_for_status

pytestmark = [pytest.mark.browser, pytest.mark.live]

VERSIONS_API = re.compile(r".*/api/pages/[^/]+/versions/.*")
CONTENT = {
    1: "# Plan\n\nWe ship in late July.\n\n- Editor\n- Sync\n",
    2: "# Plan\n\nWe ship in **late** July, after the review.\n\n- Editor\n- Sync\n- Docs\n",
    3: "# Plan\n\nWe ship in **late** July, after the review.\n\n- Editor\n- Sync\n- Docs\n\nRisks are listed below.\n",
    4: "## Plan\n\nRisks are listed below.\n\nWe ship in **late** July, after the review.\n\n- Editor\n- Docs\n",
}


class VersionsApi:
    """The versions REST API as documented, two versions a page, for one page."""

    def __init__(self, users: list[Any]) -> None:
        now = dt.datetime.now(dt.UTC)
        person = [{"id": user.id, "username": user.username, "name": user.get_full_name()} for user in users]
        self.blocks = {number: markdown_to_blocks(text) for number, text in CONTENT.items()}
        self.versions = {
            number: {
                "number": number,
                "created_at": (now - dt.timedelta(hours=10 - number)).isoformat(),
                "label": "Before the review" if number == 1 else "",
                "reason": "named" if number == 1 else "auto",
                "restored_from": None,
                "author": person[number % len(person)],
                "contributors": person[: 1 + number % len(person)],
                "title": "Launch plan",
            }
            for number in CONTENT
        }
        self.requests: list[tuple[str, str]] = []

    def answer(self, route: Any, request: Any) -> None:
        url = urlparse(request.url)
        self.requests.append((request.method, url.path))
        match = re.search(r"/versions/(?:(\d+)/(?:diff/(\d+)/|(restore)/)?)?$", url.path)
        assert match, url.path
        number, other, restore = match.groups()

        def reply(status: int, body: Any) -> None:
            route.fulfill(status=status, content_type="application/json", body=json.dumps(body))

        if number is None and request.method == "POST":
            label = json.loads(request.post_data or "{}").get("label", "")
            created = {**self.versions[max(self.versions)], "number": max(self.versions) + 1}
            created.update(label=label, reason="named")
            self.versions[created["number"]] = created
            self.blocks[created["number"]] = self.blocks[created["number"] - 1]
            return reply(201, created)
        if number is None:
            numbers = sorted(self.versions, reverse=True)
            page = int(parse_qs(url.query).get("page", ["1"])[0])
            more = page * 2 < len(numbers)
            results = [self.versions[n] for n in numbers[(page - 1) * 2 : page * 2]]
            next_url = f"{url.scheme}://{url.netloc}{url.path}?page={page + 1}" if more else None
            return reply(200, {"count": len(numbers), "next": next_url, "previous": None, "results": results})
        number = int(number)
        if number not in self.versions:
            return reply(404, {"detail": f"Version {number} does not exist."})
        if other:
            diff = diff_blocks(self.blocks[number], self.blocks[int(other)]).to_json()
            return reply(200, {"from": number, "to": int(other), **diff})
        if restore:
            created = {**self.versions[number], "number": max(self.versions) + 1, "reason": "restore", "label": ""}
            created["restored_from"] = number
            self.versions[created["number"]] = created
            self.blocks[created["number"]] = self.blocks[number]
            return reply(201, created)
        rendered = render_blocks(self.blocks[number])
        detail = {**self.versions[number], "text": rendered.text, "html": rendered.html, "markdown": rendered.markdown}
        return reply(200, detail)


@pytest.fixture
def people(make_user):
    return make_user("ada", first_name="Ada", last_name="Lovelace"), make_user("vic", first_name="Vic")


@pytest.fixture
def page(people):
    owner, viewer = people
    page = page_create(owner=owner, title="Launch plan")
    PageMember.objects.create(page=page, user=viewer, role=Role.VIEWER)
    return page


def open_history(open_editor: Any, user: Any, page: Any, **options: Any) -> tuple[Any, VersionsApi]:
    tab = open_editor(user, page, **options)
    api = VersionsApi([user])
    tab.route(VERSIONS_API, api.answer)
    wait_for_status(tab, "saved")
    tab.click(".history-button")
    tab.wait_for_selector('.version-item[data-key="4"]')
    return tab, api


def test_versions_are_listed_newest_first_and_load_as_you_scroll(open_editor, people, page):
    """The list starts with the live page, then versions newest first; older pages load at the end."""
    tab, _ = open_history(open_editor, people[0], page)
    assert tab.get_attribute(".history-button", "aria-expanded") == "true"
    assert tab.evaluate("document.activeElement.dataset.key") == "current"
    tab.evaluate("document.querySelector('.history-scroll').scrollTop = 1e6")
    tab.wait_for_selector('.version-item[data-key="1"]')
    keys = tab.eval_on_selector_all(".version-item", "items => items.map(item => item.dataset.key)")
    assert keys == ["current", "4", "3", "2", "1"]
    named = tab.inner_text('.version-item[data-key="1"]')
    assert "Before the review" in named
    assert "Named" in named
    assert "Automatic" in tab.inner_text('.version-item[data-key="4"]')
    assert tab.console_errors == []


def test_a_version_previews_and_compares_with_the_one_before(open_editor, people, page):
    """Choosing a version shows it read-only; Compare shows the changes since the previous one."""
    tab, _ = open_history(open_editor, people[0], page)
    tab.click('.version-item[data-key="2"]')
    tab.wait_for_selector(".history-doc-body")
    assert tab.inner_text("#history-view-title") == "Viewing version 2"
    assert "late" in tab.inner_text(".history-doc-body")
    assert tab.is_hidden("[data-page-body]")
    tab.click("[data-compare]")
    tab.wait_for_selector(".diff-doc")
    assert tab.input_value("[data-from]") == "1"
    assert tab.input_value("[data-to]") == "2"
    assert tab.inner_text(".diff-summary") == "4 words added, 1 formatting change"
    assert tab.locator(".diff-doc ins").count() >= 1
    assert tab.locator(".diff-doc .diff-format").count() == 1
    tab.click('[data-layout="side_by_side"]')
    tab.wait_for_selector(".diff-sbs")
    rows = tab.evaluate("[...document.querySelectorAll('.diff-sbs > .diff-row')].map(row => row.classList[1])")
    assert rows.count("diff-side-before") == rows.count("diff-side-after") > 0
    assert tab.console_errors == []


def test_keyboard_moves_through_versions_and_stays_in_the_history(open_editor, people, page):
    """Arrow keys choose versions, Tab cycles inside the history, Esc closes it and returns focus."""
    tab, _ = open_history(open_editor, people[0], page)
    tab.keyboard.press("ArrowDown")
    assert tab.evaluate("document.activeElement.dataset.key") == "4"
    tab.wait_for_function("document.querySelector('#history-view-title').textContent === 'Viewing version 4'")
    for _ in range(20):
        tab.keyboard.press("Tab")
        assert tab.evaluate("!!document.activeElement.closest('.history-drawer, .history-view')")
    tab.keyboard.press("Escape")
    assert tab.is_hidden(".history-drawer")
    assert tab.evaluate("document.activeElement.classList.contains('history-button')")
    assert tab.evaluate("document.querySelector('[data-page-body]').inert") is False
    tab.keyboard.press("Control+Alt+Shift+H")
    assert tab.is_visible(".history-drawer")
    tab.click(".history-button")
    assert tab.is_hidden(".history-drawer")


def test_restore_asks_then_adds_a_restore_version(open_editor, people, page):
    """Restore explains it makes a new version, posts, and the list shows the new version on top."""
    tab, api = open_history(open_editor, people[0], page)
    tab.click('.version-item[data-key="2"]')
    tab.wait_for_selector(".history-doc-body")
    tab.click("[data-restore]")
    dialog = tab.wait_for_selector("dialog.restore-dialog[open]")
    assert "nothing is lost" in dialog.inner_text().lower()
    tab.click("dialog.restore-dialog [data-confirm]")
    tab.wait_for_selector('.version-item[data-key="5"]')
    assert ("POST", f"/api/pages/{page.id}/versions/2/restore/") in api.requests
    assert "Restored from v2" in tab.inner_text('.version-item[data-key="5"]')
    assert tab.get_attribute('.version-item[data-key="current"]', "aria-selected") == "true"
    assert tab.is_visible("[data-page-body]")
    assert tab.console_errors == []


def test_naming_the_current_version(open_editor, people, page):
    """ "Name current version" asks for a name and the named version appears at the top."""
    tab, api = open_history(open_editor, people[0], page)
    tab.click("[data-name]")
    tab.fill("dialog.name-dialog input", "Sent to legal")
    tab.click("dialog.name-dialog [data-confirm]")
    tab.wait_for_selector('.version-item[data-key="5"]')
    assert "Sent to legal" in tab.inner_text('.version-item[data-key="5"]')
    assert ("POST", f"/api/pages/{page.id}/versions/") in api.requests


def test_errors_are_shown_in_the_panel(open_editor, people, page):
    """An API error's detail is shown where the content would be, with a way to try again."""
    tab, _ = open_history(open_editor, people[0], page)
    tab.evaluate("collab.history.list.versions.unshift({...collab.history.list.versions[0], number: 9})")
    tab.evaluate("collab.history.renderList()")
    tab.click('.version-item[data-key="9"]')
    tab.wait_for_selector(".history-error-box")
    assert "Version 9 does not exist." in tab.inner_text(".history-error-box")


def test_a_viewer_can_compare_but_not_restore_or_name(open_editor, people, page):
    """Without edit rights there is no restore and no naming; reading and comparing work."""
    tab, _ = open_history(open_editor, people[1], page)
    tab.click('.version-item[data-key="3"]')
    tab.wait_for_selector(".history-doc-body")
    assert tab.locator("[data-restore]").count() == 0
    assert tab.locator("[data-name]").count() == 0
    tab.click("[data-compare]")
    tab.wait_for_selector(".diff-doc")


def test_phone_shows_the_list_then_the_version_full_screen(open_editor, people, page):
    """At 375 px the list fills the screen; a version replaces it, with a way back to the list."""
    tab, _ = open_history(
        open_editor, people[0], page, viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True
    )
    assert tab.evaluate("document.querySelector('.history-drawer').getBoundingClientRect().width") == 375
    tab.tap('.version-item[data-key="3"]')
    tab.wait_for_selector(".history-doc-body")
    assert tab.is_hidden(".history-drawer")
    assert tab.evaluate("document.documentElement.scrollWidth") <= 375
    tab.tap("[data-to-list]")
    assert tab.is_visible(".history-drawer")
    tab.tap(".history-head [data-close]")
    assert tab.is_hidden(".history-drawer")
    assert tab.evaluate("document.body.className") == "editor-page"
    assert tab.console_errors == []
