"""Merge pages' update logs into their stored state (what the rooms do on their own)."""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from documents.management.commands._pages import add_page_arguments, parse_page_ids
from documents.models import Page, PageUpdate
from documents.services.content import page_compact


class Command(BaseCommand):
    help = (
        "Compact the update log of the given pages (default: every page with log rows) into their stored "
        "state, and print how many rows each merged. Safe while people edit."
    )

    def add_arguments(self, parser):
        add_page_arguments(parser)
        parser.add_argument(
            "--min-age",
            type=float,
            default=None,
            metavar="SECONDS",
            help="Leave log rows younger than this (default: REALTIME_COMPACT_MIN_AGE_SECONDS, so live "
            "processes have seen them; 0 merges everything).",
        )

    def handle(self, *args, page_ids, min_age, **options):
        ids = parse_page_ids(page_ids)
        if min_age is None:
            min_age = settings.REALTIME["COMPACT_MIN_AGE_SECONDS"]
        if not ids:
            ids = list(PageUpdate.objects.order_by().values_list("page_id", flat=True).distinct())
        titles = dict(Page.objects.filter(id__in=ids).values_list("id", "title"))
        missing = [page_id for page_id in ids if page_id not in titles]
        total = 0
        for page_id in ids:
            if page_id in titles:
                result = page_compact(page_id=page_id, min_age=timedelta(seconds=min_age))
                total += result.merged
                self.stdout.write(
                    f"{page_id}  merged {result.merged} rows  (state {result.state_bytes} bytes)  {titles[page_id]}"
                )
        self.stdout.write(f"{len(ids) - len(missing)} pages, {total} rows merged")
        if missing:
            raise CommandError("no such page: " + ", ".join(str(page_id) for page_id in missing))
