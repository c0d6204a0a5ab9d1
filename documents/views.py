"""Server-rendered pages: the page tree, the editor shell and the trash."""

from uuid import UUID

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.defaults import page_not_found
from django.views.defaults import server_error as django_server_error

from documents.models import Page
from documents.selectors.access import can_edit, can_manage, page_role
from documents.selectors.pages import flatten, page_ancestors, page_tree, pages_trashed
from documents.selectors.presence import pages_presence


@login_required
@ensure_csrf_cookie
def page_list(request: HttpRequest) -> HttpResponse:
    """The tree of pages the user may see, with create, rename, move and delete, and who is on
    each page now."""
    nodes = flatten(page_tree(user=request.user))
    presence = pages_presence(user=request.user, page_ids=[node.page.id for node in nodes])
    for node in nodes:
        node.presence = presence.get(node.page.id)
    context = {"nodes": nodes, "presence_refresh_ms": round(settings.PAGE_LIST_PRESENCE_SECONDS * 1000)}
    return render(request, "documents/page_list.html", context)


@login_required
@ensure_csrf_cookie
def page_edit(request: HttpRequest, page_id: UUID) -> HttpResponse:
    """The editor for one page; a page the user may not open gets a clear message."""
    page = Page.objects.filter(id=page_id).first()
    role = page_role(user=request.user, page_id=page_id) if page else None
    if page is None or role is None:
        return render(request, "documents/page_missing.html", {"reason": "missing"}, status=404)
    if page.in_trash:
        return render(request, "documents/page_missing.html", {"reason": "trashed", "page": page}, status=410)
    ancestors = page_ancestors(user=request.user, page=page)
    context = {
        "page": page,
        "role": role,
        "can_edit": can_edit(role),
        "can_manage": can_manage(role),
        "ancestors": ancestors,
    }
    return render(request, "documents/page_edit.html", context)


@login_required
@ensure_csrf_cookie
def trash(request: HttpRequest) -> HttpResponse:
    """Pages in the trash that the user owns, with restore."""
    pages = [page for page, _ in pages_trashed(user=request.user)]
    context = {"pages": pages, "retention_days": settings.TRASH_RETENTION_DAYS}
    return render(request, "documents/trash.html", context)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Server error."}, status=500)
    return django_server_error(request)
