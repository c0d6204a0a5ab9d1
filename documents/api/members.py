"""Sharing: the members of a page, and tickets for programs' WebSocket connections."""

from typing import Any
from uuid import UUID

from django.contrib.auth import get_user_model
from django.db.models import Q
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from documents.api.pages import page_for_user
from documents.api.serializers import StrictCharField, StrictInput
from documents.models import Role
from documents.selectors.access import can_manage
from documents.selectors.members import Member, page_members
from documents.services.members import member_remove, member_set, user_find
from documents.services.tickets import TICKET_SECONDS, ticket_issue

User = get_user_model()


class UserOutput(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    username = serializers.CharField(source="get_username")
    name = serializers.SerializerMethodField()

    def get_name(self, user: Any) -> str:
        return user.get_full_name() or user.get_username()


class MemberOutput(serializers.Serializer):
    user = UserOutput()
    role = serializers.ChoiceField(choices=Role.choices)
    inherited_from = serializers.SerializerMethodField()

    def get_inherited_from(self, member: Member) -> dict[str, str] | None:
        source = member.inherited_from
        return {"id": str(source.id), "title": source.title} if source else None


class MemberAddInput(StrictInput):
    user = StrictCharField(help_text="A username or an e-mail address.")
    role = serializers.ChoiceField(choices=Role.choices)


class MemberChangeInput(StrictInput):
    role = serializers.ChoiceField(choices=Role.choices)


def _member_of(page: Any, user_id: int) -> Member:
    for member in page_members(page=page):
        if member.user.pk == user_id:
            return member
    raise NotFound("This user has no role on this page.")


class MemberListApi(APIView):
    @extend_schema(operation_id="members_list", responses=MemberOutput(many=True))
    def get(self, request: Request, page_id: UUID) -> Response:
        """Everyone with access to the page, with their role and the page that grants it."""
        page, _ = page_for_user(request, page_id)
        return Response(MemberOutput(page_members(page=page), many=True).data)

    @extend_schema(operation_id="members_add", request=MemberAddInput, responses={200: MemberOutput, 201: MemberOutput})
    def post(self, request: Request, page_id: UUID) -> Response:
        """Give a user (by username or e-mail) a role on the page and the pages below it. Owners only."""
        page, role = page_for_user(request, page_id)
        if not can_manage(role):
            raise PermissionDenied("Only an owner of the page may share it.")
        data = MemberAddInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = user_find(identifier=data.validated_data["user"])
        existed = page.members.filter(user=user).exists()
        member_set(page=page, user=user, role=data.validated_data["role"], changed_by=request.user)
        output = MemberOutput(_member_of(page, user.pk)).data
        return Response(output, status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED)


class MemberDetailApi(APIView):
    @extend_schema(operation_id="members_change", request=MemberChangeInput, responses=MemberOutput)
    def patch(self, request: Request, page_id: UUID, user_id: int) -> Response:
        """Change a member's role on this page. Owners only."""
        page, role = page_for_user(request, page_id)
        if not can_manage(role):
            raise PermissionDenied("Only an owner of the page may change roles.")
        data = MemberChangeInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = User.objects.filter(pk=user_id, is_active=True).first()
        if user is None:
            raise NotFound("No such user.")
        member_set(page=page, user=user, role=data.validated_data["role"], changed_by=request.user)
        return Response(MemberOutput(_member_of(page, user.pk)).data)

    @extend_schema(operation_id="members_remove", responses={204: None})
    def delete(self, request: Request, page_id: UUID, user_id: int) -> Response:
        """Take away a member's own role on this page (owners; anyone may remove themselves)."""
        page, role = page_for_user(request, page_id)
        if not can_manage(role) and user_id != request.user.pk:
            raise PermissionDenied("Only an owner of the page may remove members.")
        user = User.objects.filter(pk=user_id).first()
        if user is None:
            raise NotFound("No such user.")
        member_remove(page=page, user=user, changed_by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TicketApi(APIView):
    @extend_schema(
        operation_id="pages_ticket",
        request=None,
        responses={
            201: inline_serializer(
                "Ticket",
                {
                    "ticket": serializers.CharField(),
                    "url": serializers.CharField(),
                    "expires_in": serializers.IntegerField(),
                },
            )
        },
    )
    def post(self, request: Request, page_id: UUID) -> Response:
        """A single-use ticket to open this page's WebSocket within 60 s, for programs without
        cookies: connect to `url` (the ticket is in its `?ticket=` query)."""
        page, _ = page_for_user(request, page_id)
        ticket = ticket_issue(user=request.user, page=page)
        scheme = "wss" if request.is_secure() else "ws"
        url = f"{scheme}://{request.get_host()}/ws/pages/{page.id}?ticket={ticket}"
        return Response({"ticket": ticket, "url": url, "expires_in": TICKET_SECONDS}, status=status.HTTP_201_CREATED)


class UserSearchApi(APIView):
    @extend_schema(
        operation_id="users_search",
        parameters=[
            OpenApiParameter("search", str, description="At least 2 characters of a name, username or e-mail.")
        ],
        responses=UserOutput(many=True),
    )
    def get(self, request: Request) -> Response:
        """Find people to share a page with (at most 10)."""
        query = request.query_params.get("search", "").strip()
        if len(query) < 2:
            return Response([])
        match = (
            Q(username__icontains=query)
            | Q(first_name__icontains=query)
            | Q(last_name__icontains=query)
            | Q(email__iexact=query)
        )
        users = User.objects.filter(match, is_active=True).order_by("username")[:10]
        return Response(UserOutput(users, many=True).data)
