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
