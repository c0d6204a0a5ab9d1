"""Tickets: single-use, 60-second passes to one page's WebSocket, for programs without cookies."""

import hashlib
import secrets
from datetime import timedelta
from uuid import UUID

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from documents.models import Page, WebSocketTicket

TICKET_SECONDS = 60


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def ticket_issue(*, user: AbstractBaseUser, page: Page) -> str:
    """A new ticket for `user` to open `page`'s WebSocket once within 60 seconds."""
    now = timezone.now()
    # Expired tickets are useless; clear them out as new ones are made.
    WebSocketTicket.objects.filter(expires_at__lt=now - timedelta(minutes=5)).delete()
    key = secrets.token_urlsafe(32)
    WebSocketTicket.objects.create(
        key_hash=_hash(key), user=user, page=page, expires_at=now + timedelta(seconds=TICKET_SECONDS)
    )
    return key


@transaction.atomic
def ticket_redeem(*, key: str, page_id: UUID) -> AbstractBaseUser | None:
    """The ticket's user if it is valid for this page, used up by this call; else None."""
    ticket = (
        WebSocketTicket.objects.select_for_update()
        .select_related("user")
        .filter(key_hash=_hash(key), page_id=page_id, expires_at__gt=timezone.now())
        .first()
    )
    if ticket is None:
        return None
    ticket.delete()
    return ticket.user if ticket.user.is_active else None
