"""Delete for good the pages that have been in the trash longer than the retention time."""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from documents.services.pages import pages_purge_trash


class Command(BaseCommand):
    help = (
        "Delete for good the pages in the trash for longer than TRASH_RETENTION_DAYS "
        "(or --days), with their children, update log, versions and members. Run it daily."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help=f"Purge pages trashed more than this many days ago (default {settings.TRASH_RETENTION_DAYS}).",
        )

    def handle(self, *args: object, days: int | None, **options: object) -> None:
        if days is not None and days < 0:
            raise CommandError("--days cannot be negative.")
        older_than = None if days is None else timedelta(days=days)
        purged = pages_purge_trash(older_than=older_than)
        retention = settings.TRASH_RETENTION_DAYS if days is None else days
        pages = "page" if purged == 1 else "pages"
        days_word = "day" if retention == 1 else "days"
        self.stdout.write(f"Purged {purged} {pages} in the trash for more than {retention} {days_word}.")
