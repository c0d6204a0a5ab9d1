"""Create the development account on first run and say how to sign in (DEBUG only)."""

import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Create the development superuser 'admin' once and print how to sign in. Refuses unless DEBUG is on."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000", help="The address the server will answer on.")

    def handle(self, *args, url: str, **options):
        if not settings.DEBUG:
            raise CommandError("The development account is only created when DEBUG is on.")
        password_file = Path(settings.BASE_DIR) / ".dev-password"
        users = get_user_model().objects
        user = users.filter(username="admin").first()
        if user is None:
            password = secrets.token_urlsafe(12)
            users.create_superuser("admin", "admin@example.com", password, first_name="Admin")
            password_file.write_text(password + "\n")
            password_file.chmod(0o600)
            created = True
        else:
            created = False
            password = password_file.read_text().strip() if password_file.exists() else None
        lines = [
            "",
            f"  Pages is starting on {url}",
            f"  Sign in as:  admin / {password}"
            if password
            else "  Sign in as:  admin (password changed since it was created)",
        ]
        if created:
            lines.append("  (a new development account; its password is kept in .dev-password)")
        lines.append("  Add more people in the admin at /admin/ to try editing together.")
        self.stdout.write("\n".join(lines) + "\n")
