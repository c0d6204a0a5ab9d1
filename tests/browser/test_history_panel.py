"""The history panel against our own server: versions, compare, restore into a live editor."""

from __future__ import annotations

import pytest

from documents.models import PageVersion
from documents.rendering import markdown_to_blocks, replace_blocks
from documents.services.content import page_document_change
from documents.services.pages import page_create
from documents.services.versions import page_version_create
from documents.ydoc import doc_content
from tests.browser.conftest import screenshot, wait_for_status, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.live, pytest.mark.django_db(transaction=True)]


def write(page, markdown: str, user) -> None:
    blocks = markdown_to_blocks(markdown)
    page_document_change(page_id=page.id, user_id=user.pk, change=lambda doc: replace_blocks(doc_content(doc), blocks))


@pytest.fixture
def page(user):
    page = page_create(owner=user, title="Roadmap")
    write(page, "# Roadmap\n\nShip the **editor** in March.", user)
    page_version_create(page_id=page.id, author=user)
    write(page, "# Roadmap\n\nShip the **editor** in April.\n\n- history\n- sharing", user)
    page_version_create(page_id=page.id, author=user)
    return page


def test_compare_and_restore_from_the_panel(open_editor, user, page):
    """The panel lists the server's versions, compares two with changes marked, and a
    restore shows up in the open editor without a reload."""
    tab = open_editor(user, page)
    wait_for_status(tab, "saved")
    assert "April" in tab.evaluate("collab.editor.getText()")
    tab.click(".history-button")
    tab.wait_for_selector('.version-item[data-key="2"]')
    tab.click('.version-item[data-key="2"]')
    tab.wait_for_selector(".history-doc-body")
    tab.click("[data-compare]")
    tab.wait_for_selector(".diff-doc")
    assert tab.locator(".diff-doc ins").count() >= 1
    screenshot(tab, "history-compare")
    tab.click('.version-item[data-key="1"]')
    tab.wait_for_selector(".history-doc-body")
    tab.click("[data-restore]")
    tab.wait_for_selector("dialog.restore-dialog[open]")
    tab.click("dialog.restore-dialog [data-confirm]")
    tab.wait_for_selector('.version-item[data-key="3"]')
    assert PageVersion.objects.get(page=page, number=3).reason == "restore"
    tab.keyboard.press("Escape")
    wait_until(lambda: "March" in tab.evaluate("collab.editor.getText()"), 10, "the restored text in the editor")
    assert "April" not in tab.evaluate("collab.editor.getText()")
    screenshot(tab, "after-restore")
    assert not [e for e in tab.console_errors if "favicon" not in e], tab.console_errors
