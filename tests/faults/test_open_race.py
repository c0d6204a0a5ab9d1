"""Two people open a brand-new page at the same moment."""

from __future__ import annotations

import pytest

from documents.models import PageMember, Role
from documents.rendering import render
from documents.selectors.content import page_document_load
from documents.services.pages import page_create
from documents.ydoc import doc_from_stored
from tests.browser.conftest import wait_for_status, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.live, pytest.mark.django_db(transaction=True)]


def test_two_editors_opening_a_new_page_at_once_duplicate_nothing(open_editor, make_user):
    """Guards against: each editor seeding an empty document with its own first content (a
    title, a first paragraph), which the CRDT then merges into duplicates. The server creates
    the page's document with its title and one paragraph, so both start from the same one."""
    ada, zoe = make_user("ada", first_name="Ada"), make_user("zoe", first_name="Zoë")
    page = page_create(owner=ada, title="Brand new")
    PageMember.objects.create(page=page, user=zoe, role=Role.EDITOR)
    tabs = [open_editor(ada, page), open_editor(zoe, page)]
    for tab in tabs:
        wait_for_status(tab, "saved")
    tabs[0].click(".ProseMirror")
    tabs[1].click(".ProseMirror")
    tabs[0].keyboard.type("A")
    tabs[1].keyboard.type("Z")
    for tab in tabs:
        wait_for_status(tab, "saved")
    wait_until(lambda: tabs[0].evaluate("collab.editor.getJSON()") == tabs[1].evaluate("collab.editor.getJSON()"), 5)
    content = tabs[0].evaluate("collab.editor.getJSON()")["content"]
    assert len(content) == 1, content  # one paragraph, typed into by both
    assert tabs[0].input_value("#page-title") == tabs[1].input_value("#page-title") == "Brand new"
    stored = page_document_load(page_id=page.id)
    rendered = render(doc_from_stored(stored.state, (data for _, data in stored.updates)))
    assert rendered.title == "Brand new"
    assert sorted(rendered.text.strip()) == ["A", "Z"]
