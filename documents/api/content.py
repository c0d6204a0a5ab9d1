"""A page's current content over REST: read it as text, HTML or Markdown; write it as a CRDT
change that merges with whatever people are typing at that moment."""

from uuid import UUID

from django.conf import settings
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from documents.api.pages import page_for_user
from documents.api.serializers import StrictInput
from documents.rendering import (
    html_to_blocks,
    insert_blocks,
    markdown_to_blocks,
    render,
    replace_blocks,
    text_to_blocks,
)
from documents.selectors.access import can_edit
from documents.selectors.content import page_document_load
from documents.services.content import page_document_change
from documents.ydoc import doc_content, doc_from_stored

FORMATS = {"text": "text/plain", "html": "text/html", "markdown": "text/markdown"}
PARSERS = {"markdown": markdown_to_blocks, "html": html_to_blocks, "text": text_to_blocks}


class ContentOutput(serializers.Serializer):
    title = serializers.CharField()
    text = serializers.CharField()
    html = serializers.CharField()
    markdown = serializers.CharField()


class ContentInput(StrictInput):
    markdown = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    html = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    text = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)

    def validate(self, data: dict) -> dict:
        given = [name for name in PARSERS if name in data]
        if len(given) != 1:
            raise ValidationError({"non_field_errors": ["Give exactly one of markdown, html or text."]})
        return data


class DocumentTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The page would grow past its size limit."


def _rendered(page_id: UUID):
    stored = page_document_load(page_id=page_id)
    return render(doc_from_stored(stored.state, (data for _, data in stored.updates)))


def _wanted_format(request: Request) -> str | None:
    asked = request.query_params.get("format")
    if asked:
        if asked not in FORMATS:
            raise ValidationError({"format": [f"Use one of {', '.join(FORMATS)}."]})
        return asked
    accept = request.headers.get("Accept", "")
    for name, media_type in FORMATS.items():
        if media_type in accept:
            return name
    return None


class OwnFormats(DefaultContentNegotiation):
    """This view answers text/markdown, text/html and text/plain itself; everything else is JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class PageContentApi(APIView):
    renderer_classes = [JSONRenderer]
    content_negotiation_class = OwnFormats

    @extend_schema(
        operation_id="content_retrieve",
        parameters=[OpenApiParameter("format", OpenApiTypes.STR, enum=list(FORMATS))],
        responses={200: ContentOutput, (200, "text/markdown"): OpenApiTypes.STR, (200, "text/html"): OpenApiTypes.STR},
        description=(
            "The page as it is now. JSON with every format by default; one format as the body with "
            "`?format=text|html|markdown` or `Accept: text/plain|text/html|text/markdown`."
        ),
    )
    def get(self, request: Request, page_id: UUID) -> Response | HttpResponse:
        page_for_user(request, page_id)
        wanted = _wanted_format(request)
        rendered = _rendered(page_id)
        if wanted is None:
            return Response(ContentOutput(rendered).data)
        body = {"text": rendered.text, "html": rendered.html, "markdown": rendered.markdown}[wanted]
        return HttpResponse(body, content_type=f"{FORMATS[wanted]}; charset=utf-8")

    @extend_schema(operation_id="content_replace", request=ContentInput, responses=ContentOutput)
    def put(self, request: Request, page_id: UUID) -> Response:
        """Replace the page's content (editors see it at once; concurrent typing is kept)."""
        return self._write(request, page_id, replace=True)

    @extend_schema(operation_id="content_append", request=ContentInput, responses=ContentOutput)
    def post(self, request: Request, page_id: UUID) -> Response:
        """Add content at the end of the page (editors see it at once)."""
        return self._write(request, page_id, replace=False)

    def _write(self, request: Request, page_id: UUID, *, replace: bool) -> Response:
        page, role = page_for_user(request, page_id)
        if not can_edit(role):
            raise PermissionDenied("You may view this page but not change it.")
        data = ContentInput(data=request.data)
        data.is_valid(raise_exception=True)
        [(name, source)] = data.validated_data.items()
        blocks = PARSERS[name](source)

        def change(doc) -> None:
            fragment = doc_content(doc)
            if replace:
                replace_blocks(fragment, blocks)
            else:
                insert_blocks(fragment, len(fragment.children), blocks)
            if len(doc.get_update()) > settings.REALTIME["MAX_DOCUMENT_BYTES"]:
                raise DocumentTooLarge()

        page_document_change(page_id=page.id, user_id=request.user.pk, change=change)
        return Response(ContentOutput(_rendered(page.id)).data)
