"""Two people in two browsers on one page, served by a live server process of ours."""

from __future__ import annotations

import time

import pytest

from documents.models import PageMember, Role
from documents.rendering import render
from documents.selectors.content import page_document_load
from documents.services.pages import page_create
from documents.ydoc import doc_from_stored
from tests.browser.conftest import screenshot, status, wait_for_status, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.live, pytest.mark.django_db(transaction=True)]


def words(text: str) -> str:
    return " ".join(text.split())


def stored_render(page):
    stored = page_document_load(page_id=page.id)
    return render(doc_from_stored(stored.state, (data for _, data in stored.updates)))


@pytest.fixture
def people(make_user):
    return make_user("ada", first_name="Ada", last_name="Lovelace"), make_user("zoe", first_name="Zoë")


@pytest.fixture
def page(people):
    ada, zoe = people
    page = page_create(owner=ada, title="Launch plan")
    PageMember.objects.create(page=page, user=zoe, role=Role.EDITOR)
    return page


def type_at_end(tab, text: str) -> None:
    tab.click(".ProseMirror")
    tab.keyboard.press("Control+End")
    tab.keyboard.type(text)


def editor_text(tab) -> str:
    return tab.evaluate("collab.editor.getText()")


def test_two_people_type_at_once_and_the_database_agrees(open_editor, people, page):
    """Both type at the same time; both end with the same content, equal to what is stored.
    Each sees the other's caret with their name and avatar; formatting travels too."""
    ada_user, zoe_user = people
    ada, zoe = open_editor(ada_user, page), open_editor(zoe_user, page)
    wait_for_status(ada, "saved")
    wait_for_status(zoe, "saved")
    ada.click(".ProseMirror")
    zoe.click(".ProseMirror")
    for a, z in zip("Ada writes here. ", "Zoë adds this. ", strict=False):
        ada.keyboard.type(a)
        zoe.keyboard.type(z)
    type_at_end(ada, " Bold part")
    ada.keyboard.press("Shift+Home")
    ada.keyboard.press("Control+b")
    wait_for_status(ada, "saved")
    wait_for_status(zoe, "saved")
    wait_until(lambda: editor_text(ada) == editor_text(zoe), 5, "same text")
    assert ada.evaluate("collab.editor.getHTML()") == zoe.evaluate("collab.editor.getHTML()")
    assert "<strong>" in zoe.evaluate("collab.editor.getHTML()")
    wait_until(lambda: words(stored_render(page).text) == words(editor_text(ada)), 5, "stored text")
    assert words(stored_render(page).html) == words(ada.evaluate("collab.editor.getHTML()"))
    # Presence: each sees the other's caret with a name, and two avatars.
    wait_until(lambda: ada.locator(".collaboration-carets__caret").count() == 1, 5, "a caret")
    assert "Zoë" in ada.locator(".collaboration-carets__caret").inner_text()
    assert zoe.locator(".presence .avatar").count() == 2
    screenshot(ada, "two-editors-ada")
    screenshot(zoe, "two-editors-zoe")
    assert not ada.console_errors, ada.console_errors
    assert not zoe.console_errors, zoe.console_errors


def test_closing_a_browser_removes_its_avatar_and_caret_within_five_seconds(open_editor, people, page):
    ada_user, zoe_user = people
    ada, zoe = open_editor(ada_user, page), open_editor(zoe_user, page)
    wait_for_status(ada, "saved")
    type_at_end(zoe, "Here I am")
    wait_until(lambda: ada.locator(".collaboration-carets__caret").count() == 1, 5, "zoe's caret")
    wait_until(lambda: ada.locator(".presence .avatar").count() == 2, 5, "two avatars")
    zoe.context.close()
    started = time.monotonic()
    wait_until(lambda: ada.locator(".presence .avatar").count() == 1, 5, "zoe's avatar gone")
    wait_until(lambda: ada.locator(".collaboration-carets__caret").count() == 0, 5, "zoe's caret gone")
    assert time.monotonic() - started < 5


def test_offline_typing_merges_when_back_and_the_badge_tells_the_truth(open_editor, people, page):
    """Offline: edits stay in the page ("Offline"), then "Saving…" and "Saved" once back, and
    the other person gets them."""
    ada_user, zoe_user = people
    ada, zoe = open_editor(ada_user, page), open_editor(zoe_user, page)
    wait_for_status(ada, "saved")
    wait_for_status(zoe, "saved")
    seen: list[str] = []
    ada.context.set_offline(True)
    wait_for_status(ada, "offline", timeout=15)
    seen.append("offline")
    type_at_end(ada, "Written on a train.")
    type_at_end(zoe, "Written at the office.")
    time.sleep(0.5)
    assert status(ada) == "offline"
    screenshot(ada, "offline")
    ada.context.set_offline(False)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and status(ada) != "saved":
        current = status(ada)
        if current and (not seen or seen[-1] != current):
            seen.append(current)
        time.sleep(0.02)
    seen.append(status(ada))
    assert seen[0] == "offline"
    assert "saving" in seen
    assert seen[-1] == "saved"
    wait_until(lambda: "Written on a train." in editor_text(zoe), 10, "zoe gets the offline edit")
    wait_until(lambda: editor_text(ada) == editor_text(zoe), 5, "same text")
    wait_until(lambda: words(stored_render(page).text) == words(editor_text(zoe)), 5, "stored text")


def test_phone_width_and_large_screen(open_editor, people, page):
    """The editor fits a 375 px phone without sideways scrolling, and a 1920 px screen."""
    ada_user, _ = people
    phone = open_editor(ada_user, page, viewport={"width": 375, "height": 740})
    wait_for_status(phone, "saved")
    type_at_end(phone, "Typed on a phone.")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(phone, "phone")
    desk = open_editor(ada_user, page, viewport={"width": 1920, "height": 1080})
    wait_for_status(desk, "saved")
    screenshot(desk, "large-screen")
    assert not phone.console_errors, phone.console_errors
