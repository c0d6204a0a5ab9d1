"""`manage.py purge_trash`: deletes pages in the trash for longer than the retention time."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from documents.models import Page
from documents.tests.factories import make_page, trash_at

pytestmark = pytest.mark.django_db


def purge(*args: str) -> str:
    out = StringIO()
    call_command("purge_trash", *args, stdout=out)
    return out.getvalue()


def test_purges_pages_older_than_30_days_and_says_how_many(user):
    """By default pages trashed over 30 days ago go; the command prints the count."""
    now = timezone.now()
    old = [make_page(owner=user) for _ in range(2)]
    recent = make_page(owner=user)
    trash_at(*old, when=now - timedelta(days=31))
    trash_at(recent, when=now - timedelta(days=29))
    assert purge() == "Purged 2 pages in the trash for more than 30 days.\n"
    assert list(Page.objects.all()) == [recent]


def test_days_option_overrides_the_retention(user):
    """--days N purges pages trashed more than N days ago."""
    page = make_page(owner=user)
    trash_at(page, when=timezone.now() - timedelta(days=3))
    assert purge("--days", "5") == "Purged 0 pages in the trash for more than 5 days.\n"
    assert purge("--days", "2") == "Purged 1 page in the trash for more than 2 days.\n"
    assert not Page.objects.exists()


def test_days_zero_empties_the_trash(user):
    """--days 0 purges everything in the trash and nothing that is live."""
    live = make_page(owner=user)
    trash_at(make_page(owner=user))
    assert purge("--days", "0").startswith("Purged 1 page")
    assert list(Page.objects.all()) == [live]


def test_the_retention_setting_is_the_default(user, settings):
    """TRASH_RETENTION_DAYS changes the default retention."""
    settings.TRASH_RETENTION_DAYS = 1
    trash_at(make_page(owner=user), when=timezone.now() - timedelta(days=2))
    assert purge() == "Purged 1 page in the trash for more than 1 day.\n"


def test_negative_days_are_refused(user):
    """--days cannot be negative (that would purge pages trashed in the future)."""
    with pytest.raises(CommandError, match="cannot be negative"):
        purge("--days", "-1")


def test_days_must_be_a_number():
    """--days takes a whole number."""
    with pytest.raises(CommandError):
        purge("--days", "soon")
