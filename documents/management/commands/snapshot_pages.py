"""Force a version of pages now (before an upgrade, a migration, a bulk change)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from documents.management.commands._pages import add_page_arguments, parse_page_ids
from documents.models import Page, PageVersion
from documents.services.versions import page_version_create


class Command(BaseCommand):
    help = (
        "Create a version of the given pages (default: every page not in the trash) from their stored "
        "document. A page whose document equals its latest version is skipped."
    )

    def add_arguments(self, parser):
        add_page_arguments(parser)
        parser.add_argument("--label", default="", help="Name the versions (e.g. 'before the 2.0 upgrade').")
        parser.add_argument("--author", default=None, metavar="USERNAME", help="Record this user as their author.")

    def handle(self, *args, page_ids, label, author, **options):
        ids = parse_page_ids(page_ids)
        user = None
        if author:
            user = get_user_model().objects.filter(username=author).first()
            if user is None:
                raise CommandError(f"no user named {author!r}")
        if not ids:
            ids = list(Page.objects.filter(deleted_at__isnull=True).order_by("created_at").values_list("id", flat=True))
        reason = PageVersion.Reason.NAMED if label else PageVersion.Reason.AUTO
        created = skipped = 0
        missing = []
        for page_id in ids:
            try:
                version = page_version_create(page_id=page_id, reason=reason, label=label, author=user)
            except Page.DoesNotExist:
                missing.append(page_id)
                continue
            if version is None:
                skipped += 1
                self.stdout.write(f"{page_id}  unchanged since its latest version")
            else:
                created += 1
                self.stdout.write(f"{page_id}  version {version.number}  {version.title}")
        self.stdout.write(f"{created} versions created, {skipped} pages unchanged")
        if missing:
            raise CommandError("no such page: " + ", ".join(str(page_id) for page_id in missing))
