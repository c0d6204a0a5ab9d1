"""The editor in Chromium against a reference y-websocket server."""

from __future__ import annotations

import time

import pytest

from documents.models import PageMember, Role
from documents.services.pages import page_create
from tests.editor_browser.conftest import wait_for_status

pytestmark = [pytest.mark.browser, pytest.mark.live]


@pytest.fixture
def people(make_user):
    owner = make_user("ada", first_name="Ada", last_name="Lovelace")
    editor = make_user("zoe", first_name="Zoë", last_name="Ångström")
    viewer = make_user("vic", first_name="Vic")
    return owner, editor, viewer


@pytest.fixture
def page(people):
    owner, editor, viewer = people
    page = page_create(owner=owner, title="Launch plan")
    PageMember.objects.create(page=page, user=editor, role=Role.EDITOR)
    PageMember.objects.create(page=page, user=viewer, role=Role.VIEWER)
    return page


def _type_at_end(tab, text: str) -> None:
    tab.click(".ProseMirror")
    tab.keyboard.press("Control+End")
    tab.keyboard.type(text)


def test_two_people_edit_together(open_editor, server, people, page):
    """Two editors see each other's text, avatars and carets; both end up saved and equal."""
    owner, editor, _ = people
    ada = open_editor(owner, page)
    zoe = open_editor(editor, page)
    wait_for_status(ada, "saved")
    wait_for_status(zoe, "saved")

    _type_at_end(ada, "# Goals\nShip it.")
    _type_at_end(zoe, " Together.")
    wait_for_status(ada, "saved")
    wait_for_status(zoe, "saved")
    time.sleep(0.3)

    assert ada.evaluate("collab.editor.getHTML()") == zoe.evaluate("collab.editor.getHTML()")
    assert "<h1>Goals</h1>" in ada.evaluate("collab.editor.getHTML()")
    assert ada.input_value("#page-title") == "Launch plan"
    assert ada.locator(".presence .avatar").count() == 2
    assert ada.get_attribute(".presence .avatar >> nth=0", "data-tooltip") == "Ada Lovelace (you)"
    assert zoe.locator(".collaboration-carets__caret").count() == 1
    stored = server.ctl()["text"][str(page.id)]
    assert "Ship it." in stored
    assert "Together." in stored
    assert ada.console_errors == []
    assert zoe.console_errors == []


def test_saving_lasts_until_the_server_confirms(open_editor, server, people, page):
    """'Saving…' shows until the echo arrives, however slow the server stores it."""
    ada = open_editor(people[0], page)
    wait_for_status(ada, "saved")
    server.ctl(delay=1500)
    _type_at_end(ada, "slow")
    assert ada.evaluate("collab.status()") == "saving"
    time.sleep(1.0)
    assert ada.evaluate("collab.status()") == "saving"
    wait_for_status(ada, "saved", timeout=5)
    assert ada.inner_text(".save-status") == "Saved"


def test_a_lost_echo_is_confirmed_after_a_restart(open_editor, server, people, page):
    """An update stored without its echo reaching us is confirmed by the next sync step 1."""
    ada = open_editor(people[0], page)
    wait_for_status(ada, "saved")
    server.ctl(drop=1)
    _type_at_end(ada, "echo lost")
    time.sleep(0.5)
    assert ada.evaluate("collab.status()") == "saving"
    server.ctl(drop=0)
    server.ctl(close=1012)
    wait_for_status(ada, "saved", timeout=10)


def test_offline_edits_survive_a_reload(open_editor, server, people, page):
    """Edits made offline are kept on the device, survive a reload and reach the server."""
    ada = open_editor(people[0], page)
    wait_for_status(ada, "saved")
    server.ctl(down=1)
    server.ctl(kill=1)
    wait_for_status(ada, "offline", timeout=5)
    assert ada.inner_text(".save-status") == "Offline \N{EN DASH} changes kept on this device"
    _type_at_end(ada, "written offline")
    time.sleep(0.3)  # IndexedDB writes
    ada.on("dialog", lambda dialog: dialog.accept())  # "leave with unsaved changes?"
    ada.reload()
    ada.wait_for_function("window.collab && collab.editor.getText().includes('written offline')")
    server.ctl(down=0)
    wait_for_status(ada, "saved", timeout=20)
    assert "written offline" in server.ctl()["text"][str(page.id)]


def test_a_deleted_page_stops_and_explains(open_editor, server, people, page):
    """4404 shows a clear message, keeps the content on screen and stops reconnecting."""
    ada = open_editor(people[0], page)
    wait_for_status(ada, "saved")
    _type_at_end(ada, "still visible")
    wait_for_status(ada, "saved")
    server.ctl(mode=f"{page.id}:4404")
    server.ctl(close=1012)
    wait_for_status(ada, "error", timeout=10)
    attempts = len(server.ctl()["connects"])
    time.sleep(3)
    assert len(server.ctl()["connects"]) == attempts
    assert "This page was deleted" in ada.inner_text(".editor-notice")
    assert "still visible" in ada.inner_text(".ProseMirror")
    assert ada.evaluate("collab.editor.isEditable") is False


def test_a_viewer_reads_without_a_toolbar(open_editor, people, page):
    """A viewer gets the content, a view-only note, no toolbar and no editing."""
    vic = open_editor(people[2], page)
    wait_for_status(vic, "saved")
    assert vic.evaluate("collab.editor.isEditable") is False
    assert vic.is_hidden(".editor-toolbar")
    assert "View only" in vic.inner_text(".readonly-note")
    assert vic.evaluate("document.querySelector('#page-title').readOnly") is True


def test_a_read_only_connection_turns_the_editor_read_only(open_editor, server, people, page):
    """The server's auth message 'read-only' makes an editor's page read-only."""
    server.ctl(mode=f"{page.id}:readonly")
    zoe = open_editor(people[1], page)
    wait_for_status(zoe, "saved")
    zoe.wait_for_function("!collab.editor.isEditable")
    assert zoe.is_visible(".readonly-note")


def test_phone_width_fits(open_editor, people, page):
    """At 375 px the page does not scroll sideways and the toolbar stays usable."""
    ada = open_editor(people[0], page, viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    wait_for_status(ada, "saved")
    assert ada.evaluate("document.documentElement.scrollWidth") <= 375
    assert ada.is_visible("[data-command=bold]") or ada.evaluate(
        "document.querySelector('.editor-toolbar').scrollWidth > document.querySelector('.editor-toolbar').clientWidth"
    )
