"""Who is connecting and what they may do on the page: decided on connect, re-checked on change."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import import_module
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs
from uuid import UUID

from django.conf import settings
from django.contrib import auth
from django.http.cookie import parse_cookie

from documents.models import Page, Role
from documents.selectors.access import can_edit, page_access_many, page_roles_of_users
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
    # Read as Django reads request.COOKIES: http.cookies gives up on the whole header at the
    # first cookie it dislikes (another app's JSON value), which would sign the socket out.
    session_key = parse_cookie(cookie_header.decode("latin-1")).get(settings.SESSION_COOKIE_NAME) or None
    return Credentials(session_key=session_key, ticket=ticket)


@dataclass(frozen=True)
class SessionUser:
    """What a connection needs to know of a signed-in user (enough for the access checks)."""

    pk: int
    username: str
    is_staff: bool
    is_active: bool = True
    is_authenticated: bool = True

    def get_username(self) -> str:
        return self.username


# Recently checked sessions: opening a page's socket must not cost two more queries each time
# (a person opens several tabs; after a restart every client reconnects at once). A session
# that ends (sign-out) can still open sockets for at most this long; open ones are unaffected.
SESSION_CACHE_SECONDS = 30.0
_sessions: OrderedDict[str, tuple[float, SessionUser]] = OrderedDict()
_sessions_lock = threading.Lock()  # connections are decided on several database threads
_SESSION_CACHE_SIZE = 10_000


def _session_user(session_key: str | None) -> SessionUser | None:
    """The signed-in user of a session, checked as Django checks it for a request."""
    if not session_key:
        return None
    with _sessions_lock:
        cached = _sessions.get(session_key)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    engine = import_module(settings.SESSION_ENGINE)
    request = SimpleNamespace(session=engine.SessionStore(session_key))
    user = auth.get_user(request)  # type: ignore[arg-type]
    if not (user.is_authenticated and user.is_active):
        with _sessions_lock:
            _sessions.pop(session_key, None)
        return None
    found = SessionUser(pk=user.pk, username=user.get_username(), is_staff=user.is_staff)
    with _sessions_lock:
        _sessions[session_key] = (time.monotonic() + SESSION_CACHE_SECONDS, found)
        _sessions.move_to_end(session_key)
        while len(_sessions) > _SESSION_CACHE_SIZE:
            _sessions.popitem(last=False)
    return found


def forget_sessions() -> None:
    """Drop the cache of checked sessions (tests, which reuse a process for many databases)."""
    with _sessions_lock:
        _sessions.clear()


def _verdict(role: Role | None) -> Access:
    if role is None:
        return Access(FORBIDDEN)
    return Access(None, read_only=not can_edit(role))


def authorize(*, credentials: Credentials, page_id: UUID) -> Access:
    """Decide a new connection: 4401 without a user, 4404 without a page, 4403 without a role.

    A ticket, when given, is the only credential looked at (and is used up).
    """
    return authorize_many(requests=[(credentials, page_id)])[0]


def authorize_many(*, requests: list[tuple[Credentials, UUID]]) -> list[Access]:
    """authorize() for connections opened at the same moment, in their order: one query for
    all their pages, plus one per session not checked lately and per ticket."""
    users = [
        ticket_redeem(key=credentials.ticket, page_id=page_id)
        if credentials.ticket
        else _session_user(credentials.session_key)
        for credentials, page_id in requests
    ]
    asked = [(user, page_id) for user, (_, page_id) in zip(users, requests, strict=True) if user is not None]
    answers = iter(page_access_many(questions=asked))
    verdicts: list[Access] = []
    for user in users:
        if user is None:
            verdicts.append(Access(NOT_SIGNED_IN))
            continue
        live, role = next(answers)
        if not live:
            verdicts.append(Access(NO_SUCH_PAGE))
            continue
        verdict = _verdict(role)
        identity = Identity(user_id=user.pk, username=user.get_username())
        verdicts.append(Access(verdict.close_code, identity=identity, read_only=verdict.read_only))
    return verdicts


def recheck(*, page_id: UUID, user_ids: Iterable[int]) -> dict[int, Access]:
    """Verdicts for users already connected to a page, after its access rules changed."""
    user_ids = set(user_ids)
    if not Page.objects.filter(id=page_id, deleted_at__isnull=True).exists():
        return dict.fromkeys(user_ids, Access(NO_SUCH_PAGE))
    roles = page_roles_of_users(page_id=page_id, user_ids=user_ids)
    return {user_id: _verdict(roles.get(user_id)) for user_id in user_ids}
