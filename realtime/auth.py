"""Who is connecting and what they may do on the page, decided once per connection."""

from __future__ import annotations

from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie
from importlib import import_module
from types import SimpleNamespace
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import auth

from documents.models import Page
from documents.selectors.access import can_edit, page_role
from realtime.connection import Identity

# Close codes, documented in the README.
MALFORMED = 4400
NOT_SIGNED_IN = 4401
FORBIDDEN = 4403
NO_SUCH_PAGE = 4404
TOO_LARGE = 4413
TOO_FAST = 4429
SLOW_CONSUMER = 4408
PAGE_FULL = 1013
SERVICE_RESTART = 1012


@dataclass(frozen=True)
class Access:
    """The verdict on a connection: a close code, or who it is and whether it may write."""

    close_code: int | None
    identity: Identity | None = None
    read_only: bool = True


def session_key_from_scope(scope: dict[str, Any]) -> str | None:
    cookie_header = b"; ".join(value for name, value in scope.get("headers", []) if name == b"cookie")
    if not cookie_header:
        return None
    cookies: SimpleCookie = SimpleCookie()
    try:
        cookies.load(cookie_header.decode("latin-1"))
    except CookieError:
        return None
    morsel = cookies.get(settings.SESSION_COOKIE_NAME)
    return morsel.value if morsel else None


def _session_user(session_key: str | None) -> Any:
    """The signed-in user of a session, checked as Django checks it for a request."""
    if not session_key:
        return None
    engine = import_module(settings.SESSION_ENGINE)
    request = SimpleNamespace(session=engine.SessionStore(session_key))
    user = auth.get_user(request)  # type: ignore[arg-type]
    return user if user.is_authenticated and user.is_active else None


def authorize(*, session_key: str | None, page_id: UUID) -> Access:
    """Decide a connection: 4401 without a user, 4404 without a page, 4403 without a role."""
    user = _session_user(session_key)
    if user is None:
        return Access(NOT_SIGNED_IN)
    if not Page.objects.filter(id=page_id, deleted_at__isnull=True).exists():
        return Access(NO_SUCH_PAGE)
    role = page_role(user=user, page_id=page_id)
    if role is None:
        return Access(FORBIDDEN)
    identity = Identity(user_id=user.pk, username=user.get_username())
    return Access(None, identity=identity, read_only=not can_edit(role))
