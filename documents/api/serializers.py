"""Input and output shapes of the pages API."""

from typing import Any
from uuid import UUID

from django.conf import settings
from rest_framework import serializers

from documents.models import Page, Role


class StrictInput(serializers.Serializer):
    """An input serializer that refuses fields it does not know, so typos do not pass silently."""

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, dict):
            raise serializers.ValidationError({"non_field_errors": ["Expected a JSON object."]})
        unknown = sorted(set(data) - set(self.fields))
        if unknown:
            raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        return super().to_internal_value(data)


class StrictCharField(serializers.CharField):
    """A CharField that takes strings only: 5 or true is a type error, not a title."""

    default_error_messages = {"not_a_string": "Must be a string."}

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("not_a_string")
        return super().to_internal_value(data)


class StrictUUIDField(serializers.UUIDField):
    """A UUIDField that takes strings only: DRF would turn the number 5 into a UUID."""

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str | UUID):
            self.fail("invalid")
        return super().to_internal_value(data)


class PageListFilters(serializers.Serializer):
    """The query parameters of the page list (others, such as ?page=, belong to pagination)."""

    parent = serializers.CharField(
        required=False, allow_blank=True, help_text='A page id, or "root" for top-level pages.'
    )
    search = serializers.CharField(
        required=False, allow_blank=True, help_text="Words that must all appear in the title."
    )

    def validate_parent(self, value: str) -> UUID | str | None:
        if not value:
            return None
        if value == "root":
            return value
        try:
            return UUID(value)
        except ValueError:
            raise serializers.ValidationError('Must be a page id or "root".') from None


class PageCreateInput(StrictInput):
    title = StrictCharField(max_length=settings.PAGE_TITLE_MAX_LENGTH)
    parent = StrictUUIDField(required=False, allow_null=True, default=None)


class PageUpdateInput(StrictInput):
    """PATCH: any of the fields a client sets."""

    title = StrictCharField(max_length=settings.PAGE_TITLE_MAX_LENGTH, required=False)
    parent = StrictUUIDField(required=False, allow_null=True)


class PageReplaceInput(StrictInput):
    """PUT: every field a client sets (`parent: null` for a top-level page)."""

    title = StrictCharField(max_length=settings.PAGE_TITLE_MAX_LENGTH)
    parent = StrictUUIDField(allow_null=True)


class PageOutput(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.get_username", read_only=True, default=None)
    role = serializers.SerializerMethodField()
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Page
        fields = [
            "id",
            "title",
            "parent",
            "owner",
            "role",
            "url",
            "created_at",
            "updated_at",
            "edited_at",
            "deleted_at",
        ]

    def get_role(self, page: Page) -> str | None:
        roles: dict = self.context.get("roles", {})
        role = roles.get(page.id)
        return Role(role).value if role else None
