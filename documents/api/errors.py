"""JSON errors for every failure of the API, with a message a person can read."""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.urls import Resolver404, resolve
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from documents.errors import PageError


def _first_message(detail: Any) -> str:
    if isinstance(detail, dict):
        for key, value in detail.items():
            message = _first_message(value)
            return message if key == "non_field_errors" else f"{key}: {message}"
    if isinstance(detail, list) and detail:
        return _first_message(detail[0])
    return str(detail)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Turn service errors into their status and give every error a `detail` message."""
    if isinstance(exc, PageError):
        body: dict[str, Any] = {"detail": exc.message}
        if exc.field:
            body["errors"] = {exc.field: [exc.message]}
        return Response(body, status=exc.status)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {"detail": _first_message(exc.detail), "errors": exc.detail}
    elif isinstance(exc, Http404):
        response.data = {"detail": "Not found."}
    return response


@csrf_exempt  # a 404 whatever the request; a CSRF failure would be an HTML page
def not_found(request: HttpRequest) -> HttpResponse:
    """Any path under /api/ that is no endpoint: a JSON 404, where Django would answer with an
    HTML page (or, for a POST missing its trailing slash in development, an error). A GET or
    HEAD missing only the trailing slash is redirected, as Django's APPEND_SLASH would."""
    detail = f"No API endpoint at {request.path}."
    if not request.path_info.endswith("/"):
        try:
            match = resolve(request.path_info + "/")
        except Resolver404:
            match = None
        if match is not None and match.url_name != "api-not-found":
            if request.method in ("GET", "HEAD"):
                return HttpResponsePermanentRedirect(request.get_full_path(force_append_slash=True))
            detail += f" Did you mean {request.path}/ (with the trailing slash)?"
    return JsonResponse({"detail": detail}, status=404)
