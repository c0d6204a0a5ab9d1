"""Give a user an API token for the REST API (`Authorization: Token <key>`)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from rest_framework.authtoken.models import Token


class Command(BaseCommand):
    help = (
        "Create an API token for a user and print it once, alone on stdout (keep it: it is a password). "
        "A user has one token; --rotate replaces it."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--rotate", action="store_true", help="Replace the user's existing token.")

    def handle(self, *args, username, rotate, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user named {username!r}")
        if not user.is_active:
            raise CommandError(f"{username!r} is not active")
        with transaction.atomic():
            existing = Token.objects.select_for_update().filter(user=user).first()
            if existing is not None and not rotate:
                raise CommandError(f"{username!r} already has a token; --rotate replaces it (the old one stops)")
            if existing is not None:
                existing.delete()
            token = Token.objects.create(user=user)
        self.stderr.write(f"API token for {username} (shown once; send it as 'Authorization: Token <key>'):")
        self.stdout.write(token.key)
