"""page_version_create: numbered snapshots of the stored document."""

import threading

import pytest
from django.db import connection

from documents.models import PageVersion
from documents.services import versions
from documents.services.pages import page_create
from documents.services.versions import page_version_create
from documents.tests.factories import append_paragraphs, rendered, set_title


@pytest.fixture
def page(db, user):
    return page_create(owner=user, title="Versioned")


def test_a_version_snapshots_state_log_and_rendering(page):
    """The version holds the whole stored document (state and log) and its title and text."""
    append_paragraphs(page, "hello")
    set_title(page, "Document title")
    version = page_version_create(page_id=page.id)
    assert version.number == 1
    expected = rendered("hello", title="Document title")
    assert (version.title, version.text, version.html) == ("Document title", expected.text, expected.html)
    assert "hello" in version.text
    assert page_version_create(page_id=page.id) is None
    assert page_version_create(page_id=page.id, skip_unchanged=False).number == 2


def test_a_lost_race_for_a_number_takes_the_next(page, monkeypatch):
    """Two snapshots that read the same latest number: the second meets the unique constraint
    and retries with the following number."""
    append_paragraphs(page, "one")
    page_version_create(page_id=page.id)
    append_paragraphs(page, "two")
    stale = iter([None])
    real = versions._latest_version
    monkeypatch.setattr(versions, "_latest_version", lambda page_id: next(stale, None) or real(page_id))
    assert page_version_create(page_id=page.id).number == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_snapshots_get_distinct_numbers(user):
    """Snapshots from several threads at once number 1..n without a gap or an error."""
    page = page_create(owner=user, title="Busy")
    errors: list[BaseException] = []

    def snapshot() -> None:
        try:
            for _ in range(4):
                page_version_create(page_id=page.id, skip_unchanged=False)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=snapshot) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(PageVersion.objects.filter(page=page).values_list("number", flat=True)) == list(range(1, 13))


def test_naming_an_unchanged_page_names_its_latest_version(page):
    """A name given to an unchanged page goes on the latest version instead of a duplicate."""
    append_paragraphs(page, "draft")
    first = page_version_create(page_id=page.id)
    named = page_version_create(page_id=page.id, reason=PageVersion.Reason.AUTO, label="Before the reorg")
    assert named.pk == first.pk
    assert named.label == "Before the reorg"
    assert PageVersion.objects.filter(page=page).count() == 1


def test_an_automatic_version_never_records_an_emptied_page(page):
    """Emptying a page with content makes no automatic version (the content stays in sight);
    a named version of the empty page is still possible."""
    append_paragraphs(page, "precious")
    page_version_create(page_id=page.id)
    from documents.rendering import replace_blocks
    from documents.services.content import page_document_change
    from documents.ydoc import doc_content

    page_document_change(page_id=page.id, user_id=None, change=lambda doc: replace_blocks(doc_content(doc), []))
    assert page_version_create(page_id=page.id) is None
    named = page_version_create(page_id=page.id, reason=PageVersion.Reason.NAMED, label="Cleared on purpose")
    assert named.number == 2
    assert named.text.strip() == ""


def test_a_version_lists_who_changed_the_page_since_the_previous_one(page, user, make_user):
    """Contributors are recorded with the log rows, so compaction does not lose them."""
    from documents.services.content import page_compact

    bob = make_user("bob")
    append_paragraphs(page, "by alice", user=user)
    append_paragraphs(page, "by bob", user=bob)
    page_compact(page_id=page.id)
    version = page_version_create(page_id=page.id)
    assert set(version.contributors.values_list("username", flat=True)) == {"alice", "bob"}
    append_paragraphs(page, "bob again", user=bob)
    second = page_version_create(page_id=page.id)
    assert list(second.contributors.values_list("username", flat=True)) == ["bob"]


def test_restore_is_a_forward_change_with_the_history_intact(page, user):
    """Restoring version 1 versions the current state first, brings back version 1's content
    and title as a new update, and records a "restore" version; earlier versions are untouched."""
    from documents.services.versions import page_version_restore

    append_paragraphs(page, "first draft")
    set_title(page, "Old title")
    v1 = page_version_create(page_id=page.id)
    append_paragraphs(page, "second thoughts")
    set_title(page, "New title")
    restored = page_version_restore(page_id=page.id, number=1, user=user)
    numbers = list(PageVersion.objects.filter(page=page).order_by("number").values_list("number", "reason"))
    assert numbers == [(1, "auto"), (2, "auto"), (3, "restore")]
    assert (restored.restored_from, restored.author) == (1, user)
    assert (restored.title, restored.html) == (v1.title, v1.html)
    assert "second thoughts" in PageVersion.objects.get(page=page, number=2).text
    page.refresh_from_db()
    assert page.title == "Old title"
