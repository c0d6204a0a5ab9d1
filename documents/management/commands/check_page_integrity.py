"""Check that pages' stored documents replay and render to the text stored beside them."""

from django.core.management.base import BaseCommand, CommandError

from documents.management.commands._pages import add_page_arguments, parse_page_ids
from documents.models import Page
from documents.services.integrity import page_integrity_check, page_integrity_repair


class Command(BaseCommand):
    help = (
        "Replay each page's stored state and update log, render it, and compare with the stored text and "
        "HTML; report log rows that do not decode. --repair drops those rows and saves the re-rendered "
        "content. Pages being edited right now may show a text mismatch until their next render."
    )

    def add_arguments(self, parser):
        add_page_arguments(parser)
        parser.add_argument("--repair", action="store_true", help="Drop unreadable rows and save re-rendered text.")

    def handle(self, *args, page_ids, repair, **options):
        ids = parse_page_ids(page_ids) or list(Page.objects.order_by("created_at").values_list("id", flat=True))
        checked = problems = repaired = unrepairable = 0
        missing = []
        for page_id in ids:
            report = page_integrity_check(page_id=page_id)
            if report is None:
                missing.append(page_id)
                continue
            checked += 1
            if report.ok:
                continue
            problems += 1
            issues = []
            if not report.state_readable:
                issues.append("stored state does not decode")
            if report.unreadable_updates:
                ids_text = ", ".join(str(row_id) for row_id in report.unreadable_updates)
                issues.append(f"{len(report.unreadable_updates)} unreadable log rows ({ids_text})")
            if not report.text_matches:
                issues.append("stored text differs from the document")
            if not report.html_matches:
                issues.append("stored HTML differs from the document")
            self.stdout.write(f"{page_id}  {'; '.join(issues)}  {report.title}")
            if repair:
                dropped = page_integrity_repair(report=report)
                repaired += 1
                self.stdout.write(f"{page_id}  repaired: dropped {dropped} rows, saved the re-rendered content")
                if not report.state_readable:
                    unrepairable += 1
                    self.stdout.write(f"{page_id}  the stored state needs a person: restore a version of the page")
        summary = f"{checked} pages checked, {problems} with problems"
        if repair:
            summary += f", {repaired} repaired"
        self.stdout.write(summary)
        if missing:
            raise CommandError("no such page: " + ", ".join(str(page_id) for page_id in missing))
        if (problems and not repair) or unrepairable:
            raise CommandError(f"{problems} pages have problems" + ("" if repair else "; --repair fixes what it can"))
