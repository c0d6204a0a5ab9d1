"""Delete for good the pages that have been in the trash longer than the retention time."""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand

from documents.services.pages import pages_purge_trash


class Command(BaseCommand):
    help = "Delete for good the pages in the trash for longer than --days (default TRASH_RETENTION_DAYS). Run daily."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=float, default=None, help="Retention in days.")

    def handle(self, *args, days, **options):
        if days is None:
            days = settings.TRASH_RETENTION_DAYS
        purged = pages_purge_trash(older_than=timedelta(days=days))
        self.stdout.write(f"{purged} pages deleted for good (in the trash for more than {days:g} days)")
