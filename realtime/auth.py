"""Who is connecting and what they may do on the page: decided on connect, re-checked on change."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie
from importlib import import_module
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs
from uuid import UUID

from django.conf import settings
from django.contrib import auth

from documents.models import Page, Role
from documents.selectors.access import can_edit, page_role, page_roles_of_users
from documents.services.tickets import ticket_redeem
from realtime.connection import Identity

# Close codes, documented in the README.
MALFORMED = 4400
NOT_SIGNED_IN = 4401
FORBIDDEN = 4403
NO_SUCH_PAGE = 4404
SLOW_CONSUMER = 4408
TOO_LARGE = 4413
TOO_FAST = 4429
PAGE_FULL = 1013
TRY_AGAIN_LATER = 1013
SERVICE_RESTART = 1012


@dataclass(frozen=True)
class Access:
    """The verdict on a connection: a close code, or who it is and whether it may write."""

    close_code: int | None
    identity: Identity | None = None
    read_only: bool = True


@dataclass(frozen=True)
class Credentials:
    session_key: str | None
    ticket: str | None


def credentials_from_scope(scope: dict[str, Any]) -> Credentials:
    """The session cookie and the `?ticket=` of a WebSocket handshake."""
    ticket = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("ticket", [None])[0]
    cookie_header = b"; ".join(value for name, value in scope.get("headers", []) if name == b"cookie")
    session_key = None
    if cookie_header:
        cookies: SimpleCookie = SimpleCookie()
        try:
            cookies.load(cookie_header.decode("latin-1"))
        except CookieError:
            cookies = SimpleCookie()
        morsel = cookies.get(settings.SESSION_COOKIE_NAME)
        session_key = morsel.value if morsel else None
    return Credentials(session_key=session_key, ticket=ticket)


def _session_user(session_key: str | None) -> Any:
    """The signed-in user of a session, checked as Django checks it for a request."""
    if not session_key:
        return None
    engine = import_module(settings.SESSION_ENGINE)
    request = SimpleNamespace(session=engine.SessionStore(session_key))
    user = auth.get_user(request)  # type: ignore[arg-type]
    return user if user.is_authenticated and user.is_active else None


def _verdict(role: Role | None) -> Access:
    if role is None:
        return Access(FORBIDDEN)
    return Access(None, read_only=not can_edit(role))


def authorize(*, credentials: Credentials, page_id: UUID) -> Access:
    """Decide a new connection: 4401 without a user, 4404 without a page, 4403 without a role.

    A ticket, when given, is the only credential looked at (and is used up).
    """
    if credentials.ticket:
        user = ticket_redeem(key=credentials.ticket, page_id=page_id)
    else:
        user = _session_user(credentials.session_key)
    if user is None:
        return Access(NOT_SIGNED_IN)
    if not Page.objects.filter(id=page_id, deleted_at__isnull=True).exists():
        return Access(NO_SUCH_PAGE)
    verdict = _verdict(page_role(user=user, page_id=page_id))
    identity = Identity(user_id=user.pk, username=user.get_username())
    return Access(verdict.close_code, identity=identity, read_only=verdict.read_only)


def recheck(*, page_id: UUID, user_ids: Iterable[int]) -> dict[int, Access]:
    """Verdicts for users already connected to a page, after its access rules changed."""
    user_ids = set(user_ids)
    if not Page.objects.filter(id=page_id, deleted_at__isnull=True).exists():
        return dict.fromkeys(user_ids, Access(NO_SUCH_PAGE))
    roles = page_roles_of_users(page_id=page_id, user_ids=user_ids)
    return {user_id: _verdict(roles.get(user_id)) for user_id in user_ids}
