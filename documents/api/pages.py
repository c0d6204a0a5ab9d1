"""Pages: list, create, retrieve, rename/move, trash and restore from the trash."""

from typing import Any
from uuid import UUID

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from documents.api.serializers import (
    PageCreateInput,
    PageListFilters,
    PageOutput,
    PageReplaceInput,
    PageUpdateInput,
    StrictInput,
)
from documents.errors import Gone
from documents.models import Page, Role
from documents.selectors.access import can_edit, can_manage, page_role, page_roles
from documents.selectors.pages import pages_list, pages_trashed
from documents.services.pages import UNCHANGED, page_create, page_trash, page_untrash, page_update


def page_for_user(request: Request, page_id: UUID) -> tuple[Page, Role]:
    """The page (trashed or not) and the user's role on it; 404 when it does not exist or they may not see it.

    A trashed page is found so that changing it can say 409 "in the trash" rather than 404.
    """
    page = Page.objects.select_related("owner").filter(id=page_id).first()
    if page is None:
        raise Http404
    role = page_role(user=request.user, page_id=page.id)
    if role is None:
        raise Http404
    return page, role


def page_output(page: Page, role: Role | None) -> dict[str, Any]:
    return PageOutput(page, context={"roles": {page.id: role}}).data


class PageListApi(GenericAPIView):
    serializer_class = PageOutput

    @extend_schema(operation_id="pages_list", parameters=[PageListFilters], responses=PageOutput(many=True))
    def get(self, request: Request) -> Response:
        """Pages you may see, by title; filter by parent and search the titles."""
        filters = PageListFilters(data=request.query_params)
        filters.is_valid(raise_exception=True)
        batch = self.paginate_queryset(pages_list(user=request.user, **filters.validated_data))
        # Roles come from ancestors that need not be in the batch: resolve them all at once.
        roles = page_roles(user=request.user, page_ids=[page.id for page in batch])
        return self.get_paginated_response(PageOutput(batch, many=True, context={"roles": roles}).data)

    @extend_schema(operation_id="pages_create", request=PageCreateInput, responses={201: PageOutput})
    def post(self, request: Request) -> Response:
        """Create a page; you become its owner. A child page needs edit rights on its parent."""
        data = PageCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        parent_id = data.validated_data["parent"]
        if parent_id is not None:
            parent = Page.objects.filter(id=parent_id).first()
            role = page_role(user=request.user, page_id=parent_id) if parent else None
            if parent is not None and role is not None and not can_edit(role):
                raise PermissionDenied("You may not add pages under this parent.")
            if parent is None or role is None:
                raise ValidationError({"parent": ["The parent page does not exist."]})
        page = page_create(owner=request.user, title=data.validated_data["title"], parent_id=parent_id)
        return Response(page_output(page, Role.OWNER), status=status.HTTP_201_CREATED)


class PageDetailApi(GenericAPIView):
    serializer_class = PageOutput

    @extend_schema(operation_id="pages_retrieve", responses={200: PageOutput, 410: OpenApiTypes.OBJECT})
    def get(self, request: Request, page_id: UUID) -> Response:
        """One page you may see."""
        page, role = page_for_user(request, page_id)
        if page.in_trash:
            raise Gone("The page is in the trash.")
        return Response(page_output(page, role))

    @extend_schema(operation_id="pages_update", request=PageUpdateInput, responses=PageOutput)
    def patch(self, request: Request, page_id: UUID) -> Response:
        """Rename and/or move a page (needs edit rights on it and on the new parent)."""
        return self._update(request, page_id, PageUpdateInput)

    @extend_schema(operation_id="pages_replace", request=PageReplaceInput, responses=PageOutput)
    def put(self, request: Request, page_id: UUID) -> Response:
        """Set both title and parent (`null` for top level); PATCH changes only what it is given."""
        return self._update(request, page_id, PageReplaceInput)

    def _update(self, request: Request, page_id: UUID, input_class: type[StrictInput]) -> Response:
        page, role = page_for_user(request, page_id)
        if not can_edit(role):
            raise PermissionDenied("You may view this page but not change it.")
        data = input_class(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        parent_id = values.get("parent", UNCHANGED)
        if parent_id is not UNCHANGED and parent_id is not None:
            parent_role = page_role(user=request.user, page_id=parent_id)
            if parent_role is None or not Page.objects.filter(id=parent_id).exists():
                raise ValidationError({"parent": ["The parent page does not exist."]})
            if not can_edit(parent_role):
                raise PermissionDenied("You may not move pages under this parent.")
        page = page_update(
            page=page, title=values.get("title", UNCHANGED), parent_id=parent_id, changed_by=request.user
        )
        return Response(page_output(page, page_role(user=request.user, page_id=page.id)))

    @extend_schema(operation_id="pages_trash", responses={204: None})
    def delete(self, request: Request, page_id: UUID) -> Response:
        """Move a page and its children to the trash (owners only); restorable for 30 days."""
        page, role = page_for_user(request, page_id)
        if not can_manage(role):
            raise PermissionDenied("Only an owner of the page may delete it.")
        page_trash(page=page, changed_by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TrashListApi(GenericAPIView):
    serializer_class = PageOutput

    @extend_schema(operation_id="trash_list", responses=PageOutput(many=True))
    def get(self, request: Request) -> Response:
        """Pages in the trash that you own, most recently deleted first."""
        trashed = pages_trashed(user=request.user)
        batch = self.paginate_queryset([page for page, _ in trashed])
        context = {"roles": {page.id: role for page, role in trashed}}
        return self.get_paginated_response(PageOutput(batch, many=True, context=context).data)


class TrashRestoreApi(GenericAPIView):
    serializer_class = PageOutput

    @extend_schema(operation_id="trash_restore", request=None, responses=PageOutput)
    def post(self, request: Request, page_id: UUID) -> Response:
        """Bring a page (and the pages deleted with it) back from the trash."""
        page, role = page_for_user(request, page_id)
        if not can_manage(role):
            raise PermissionDenied("Only an owner of the page may restore it.")
        page_untrash(page=page)
        page.refresh_from_db()
        return Response(page_output(page, role))
