"""A page's history over REST: versions, named versions, restore."""

from uuid import UUID

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from documents.api.members import UserOutput
from documents.api.pages import page_for_user
from documents.api.serializers import StrictCharField, StrictInput
from documents.diff import diff_blocks
from documents.models import PageVersion
from documents.rendering import fragment_to_blocks, render
from documents.selectors.access import can_edit
from documents.services.versions import page_version_create, page_version_restore
from documents.ydoc import doc_content, doc_from_stored


class VersionOutput(serializers.ModelSerializer):
    author = UserOutput(allow_null=True)
    contributors = UserOutput(many=True)

    class Meta:
        model = PageVersion
        fields = ["number", "created_at", "label", "reason", "restored_from", "author", "contributors", "title"]


class VersionDetailOutput(VersionOutput):
    markdown = serializers.SerializerMethodField()

    class Meta(VersionOutput.Meta):
        fields = [*VersionOutput.Meta.fields, "text", "html", "markdown"]

    def get_markdown(self, version: PageVersion) -> str:
        return render(doc_from_stored(bytes(version.state))).markdown


class VersionNameInput(StrictInput):
    label = StrictCharField(max_length=200)


def versions_of(page_id: UUID) -> QuerySet[PageVersion]:
    return (
        PageVersion.objects.filter(page_id=page_id)
        .select_related("author")
        .prefetch_related("contributors")
        .defer("state", "text", "html")
        .order_by("-number")
    )


def version_of(page_id: UUID, number: int) -> PageVersion:
    version = PageVersion.objects.filter(page_id=page_id, number=number).select_related("author").first()
    if version is None:
        raise NotFound("This page has no such version.")
    return version


class VersionListApi(GenericAPIView):
    serializer_class = VersionOutput

    @extend_schema(operation_id="versions_list", responses=VersionOutput(many=True))
    def get(self, request: Request, page_id: UUID) -> Response:
        """The page's versions, newest first."""
        page_for_user(request, page_id)
        batch = self.paginate_queryset(versions_of(page_id))
        return self.get_paginated_response(VersionOutput(batch, many=True).data)

    @extend_schema(operation_id="versions_name", request=VersionNameInput, responses={201: VersionOutput})
    def post(self, request: Request, page_id: UUID) -> Response:
        """Name the page as it is now ("Before the reorg"). An unchanged page's latest version
        gets the name instead of a copy."""
        page, role = page_for_user(request, page_id)
        if not can_edit(role):
            raise PermissionDenied("You may view this page but not name its versions.")
        data = VersionNameInput(data=request.data)
        data.is_valid(raise_exception=True)
        label = data.validated_data["label"].strip()
        if not label:
            raise serializers.ValidationError({"label": ["A name cannot be blank."]})
        version = page_version_create(
            page_id=page.id, reason=PageVersion.Reason.NAMED, label=label, author=request.user
        )
        if version is None or version.label != label:
            # The latest version already has another name: name the same content anew.
            version = page_version_create(
                page_id=page.id,
                reason=PageVersion.Reason.NAMED,
                label=label,
                author=request.user,
                skip_unchanged=False,
            )
        return Response(VersionOutput(version).data, status=status.HTTP_201_CREATED)


class VersionDetailApi(GenericAPIView):
    serializer_class = VersionDetailOutput

    @extend_schema(operation_id="versions_retrieve", responses=VersionDetailOutput)
    def get(self, request: Request, page_id: UUID, number: int) -> Response:
        """One version with its content as text, HTML and Markdown."""
        page_for_user(request, page_id)
        return Response(VersionDetailOutput(version_of(page_id, number)).data)


def version_blocks(version: PageVersion) -> list:
    return fragment_to_blocks(doc_content(doc_from_stored(bytes(version.state))))


class VersionDiffApi(GenericAPIView):
    serializer_class = VersionOutput

    @extend_schema(
        operation_id="versions_diff",
        responses=inline_serializer(
            "VersionDiff",
            {
                "from": serializers.IntegerField(),
                "to": serializers.IntegerField(),
                "summary": serializers.DictField(),
                "changes": serializers.ListField(child=serializers.DictField()),
                "html": serializers.CharField(),
                "side_by_side": serializers.DictField(child=serializers.CharField()),
            },
        ),
    )
    def get(self, request: Request, page_id: UUID, number: int, other: int) -> Response:
        """What changed from version `number` to version `other`: structured changes (inserted,
        deleted, moved, edited and reformatted blocks, words inside them) and HTML renderings,
        inline and side by side."""
        page_for_user(request, page_id)
        old, new = version_of(page_id, number), version_of(page_id, other)
        diff = diff_blocks(version_blocks(old), version_blocks(new))
        return Response({"from": old.number, "to": new.number, **diff.to_json()})


class VersionRestoreApi(GenericAPIView):
    serializer_class = VersionOutput

    @extend_schema(operation_id="versions_restore", request=None, responses={201: VersionOutput})
    def post(self, request: Request, page_id: UUID, number: int) -> Response:
        """Bring this version's content back as a new change (editors see it at once); it is
        recorded as a new "restore" version and the history before it stays as it was."""
        page, role = page_for_user(request, page_id)
        if not can_edit(role):
            raise PermissionDenied("You may view this page but not restore its versions.")
        version_of(page.id, number)
        restored = page_version_restore(page_id=page.id, number=number, user=request.user)
        return Response(VersionOutput(restored).data, status=status.HTTP_201_CREATED)
