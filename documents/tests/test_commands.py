"""The management commands operators run: compact, snapshot, tokens, integrity, trash."""

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from rest_framework.authtoken.models import Token

from documents.models import Page, PageUpdate, PageVersion
from documents.rendering import render
from documents.selectors.content import page_document_load
from documents.services.content import NewUpdate, page_updates_append
from documents.services.pages import page_create
from documents.tests.factories import append_paragraphs, rendered
from documents.ydoc import doc_from_stored

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def stored_render(page):
    stored = page_document_load(page_id=page.id)
    return render(doc_from_stored(stored.state, (data for _, data in stored.updates)))


@pytest.fixture
def page(user):
    return page_create(owner=user, title="Runbook")


# compact_pages -----------------------------------------------------------------------------


def test_compact_pages_merges_the_log_into_the_state_and_prints_rows_merged(page, user):
    """Every log row of the page goes into its state; the document is unchanged."""
    append_paragraphs(page, "one", "two", "three", user=user)
    before = stored_render(page).text
    output = run("compact_pages", str(page.id), "--min-age", "0")
    assert f"{page.id}  merged 3 rows" in output
    assert "1 pages, 3 rows merged" in output
    assert not PageUpdate.objects.filter(page=page).exists()
    assert stored_render(page).text == before == rendered("one", "two", "three").text


def test_compact_pages_without_ids_takes_every_page_with_a_log(page, user):
    """No ids: the pages that have log rows; pages without are not touched."""
    other = page_create(owner=user, title="Other")
    page_create(owner=user, title="Empty")
    append_paragraphs(page, "a")
    append_paragraphs(other, "b", "c")
    output = run("compact_pages", "--min-age", "0")
    assert "2 pages, 3 rows merged" in output


def test_compact_pages_leaves_fresh_rows_by_default(page):
    """By default rows younger than COMPACT_MIN_AGE_SECONDS stay, for live processes to see."""
    append_paragraphs(page, "fresh")
    assert "0 rows merged" in run("compact_pages", str(page.id))
    assert PageUpdate.objects.filter(page=page).count() == 1


def test_compact_pages_refuses_unknown_ids(page):
    """A malformed or unknown page id is an error, after the known pages are done."""
    with pytest.raises(CommandError, match="not a page id"):
        run("compact_pages", "nope")
    with pytest.raises(CommandError, match="no such page"):
        run("compact_pages", "00000000-0000-0000-0000-000000000000")


# snapshot_pages ----------------------------------------------------------------------------


def test_snapshot_pages_creates_numbered_versions_and_skips_unchanged_pages(page, user):
    """A version holds the stored document and its rendering; a second run changes nothing
    until the page changes again."""
    append_paragraphs(page, "first draft")
    assert f"{page.id}  version 1" in run("snapshot_pages", str(page.id))
    assert f"{page.id}  unchanged" in run("snapshot_pages", str(page.id))
    append_paragraphs(page, "second thoughts")
    output = run("snapshot_pages", str(page.id), "--label", "before upgrade", "--author", user.username)
    assert f"{page.id}  version 2" in output
    first, second = PageVersion.objects.filter(page=page).order_by("number")
    assert first.text == rendered("first draft").text
    assert first.reason == PageVersion.Reason.AUTO
    assert second.text == rendered("first draft", "second thoughts").text
    assert "second thoughts" in second.text
    assert (second.label, second.reason, second.author) == ("before upgrade", PageVersion.Reason.NAMED, user)
    assert render(doc_from_stored(bytes(second.state))).text == second.text


def test_snapshot_pages_without_ids_takes_every_page_not_in_the_trash(page, user):
    """No ids: every live page gets a version; trashed pages do not."""
    trashed = page_create(owner=user, title="Old")
    Page.objects.filter(id=trashed.id).update(deleted_at=timezone.now())
    assert "1 versions created" in run("snapshot_pages")
    assert not PageVersion.objects.filter(page=trashed).exists()


def test_snapshot_pages_refuses_an_unknown_author(page):
    with pytest.raises(CommandError, match="no user named"):
        run("snapshot_pages", "--author", "ghost")


# create_api_token --------------------------------------------------------------------------


def test_create_api_token_prints_the_key_alone_once(user):
    """The key is all that goes to stdout; a second call refuses; --rotate replaces it."""
    key = run("create_api_token", user.username).strip()
    assert Token.objects.get(user=user).key == key
    assert len(key) == 40
    with pytest.raises(CommandError, match="already has a token"):
        run("create_api_token", user.username)
    rotated = run("create_api_token", user.username, "--rotate").strip()
    assert rotated != key
    assert list(Token.objects.filter(user=user).values_list("key", flat=True)) == [rotated]


def test_create_api_token_refuses_unknown_and_inactive_users(make_user):
    with pytest.raises(CommandError, match="no user named"):
        run("create_api_token", "ghost")
    make_user("gone", is_active=False)
    with pytest.raises(CommandError, match="not active"):
        run("create_api_token", "gone")


# check_page_integrity ----------------------------------------------------------------------


def test_check_page_integrity_passes_a_page_whose_text_matches(page):
    """A page rendered as the rooms render it has no problems."""
    append_paragraphs(page, "fine")
    rendered = stored_render(page)
    Page.objects.filter(id=page.id).update(text=rendered.text, html=rendered.html)
    assert "1 pages checked, 0 with problems" in run("check_page_integrity", str(page.id))


def test_check_page_integrity_reports_then_repairs_bad_rows_and_stale_text(page, user):
    """An undecodable log row and a stale stored text are reported (the command fails);
    --repair drops the row, saves the re-rendered text and keeps the time of last edit."""
    append_paragraphs(page, "kept")
    [bad] = page_updates_append(updates=[NewUpdate(page.id, b"\x05\xff\xfe garbage", None)])
    edited_at = timezone.now() - timedelta(days=3)
    Page.objects.filter(id=page.id).update(text="stale", html="<p>stale</p>", edited_at=edited_at)

    out = io.StringIO()
    with pytest.raises(CommandError, match="1 pages have problems"):
        call_command("check_page_integrity", stdout=out)
    assert f"1 unreadable log rows ({bad})" in out.getvalue()
    assert "stored text differs" in out.getvalue()

    output = run("check_page_integrity", str(page.id), "--repair")
    assert "dropped 1 rows" in output
    page.refresh_from_db()
    expected = rendered("kept")
    assert (page.text, page.html, page.edited_at) == (expected.text, expected.html, edited_at)
    assert not PageUpdate.objects.filter(id=bad).exists()
    assert "0 with problems" in run("check_page_integrity", str(page.id))


def test_check_page_integrity_leaves_an_unreadable_state_to_a_person(page):
    """A stored state that does not decode is reported, never replaced."""
    Page.objects.filter(id=page.id).update(state=b"\xff\xff\xff not yjs")
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("check_page_integrity", str(page.id), "--repair", stdout=out)
    assert "stored state does not decode" in out.getvalue()
    assert "needs a person" in out.getvalue()
    assert bytes(Page.objects.get(id=page.id).state) == b"\xff\xff\xff not yjs"


# purge_trash -------------------------------------------------------------------------------


def test_purge_trash_deletes_pages_trashed_longer_than_the_retention(user):
    """Pages in the trash for longer than --days go, with their children; newer ones stay."""
    old = page_create(owner=user, title="Old")
    page_create(owner=user, title="Child", parent_id=old.id)
    recent = page_create(owner=user, title="Recent")
    live = page_create(owner=user, title="Live")
    now = timezone.now()
    Page.objects.filter(id=old.id).update(deleted_at=now - timedelta(days=40))
    Page.objects.filter(parent=old).update(deleted_at=now - timedelta(days=40))
    Page.objects.filter(id=recent.id).update(deleted_at=now - timedelta(days=2))
    assert "Purged 2 pages" in run("purge_trash")
    assert set(Page.objects.values_list("id", flat=True)) == {recent.id, live.id}
    assert "Purged 1 page " in run("purge_trash", "--days", "1")
    assert list(Page.objects.values_list("id", flat=True)) == [live.id]
