"""Django admin for pages, their members, the update log and versions."""

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from documents.errors import InvalidInput
from documents.models import Page, PageMember, PageUpdate, PageVersion, Role
from documents.services.pages import page_move_check


class ReadOnlyAdmin(admin.ModelAdmin):
    """The log and the versions are history: staff may look, never edit."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class PageMemberInline(admin.TabularInline):
    model = PageMember
    extra = 0
    autocomplete_fields = ["user"]


class PageAdminForm(forms.ModelForm):
    class Meta:
        model = Page
        fields = ["title", "parent", "owner", "deleted_at"]

    def clean_parent(self) -> Page | None:
        """The tree rule of the services holds here too: no page under itself or a descendant."""
        parent = self.cleaned_data.get("parent")
        if parent is not None and self.instance.pk is not None and not self.instance._state.adding:
            try:
                page_move_check(page_id=self.instance.pk, parent_id=parent.pk)
            except InvalidInput as error:
                raise forms.ValidationError(error.message) from None
        return parent


@admin.register(Page)
class PageAdmin(admin.ModelAdmin):
    form = PageAdminForm
    list_display = ["title", "parent", "owner", "updated_at", "edited_at", "deleted_at"]
    list_filter = [("deleted_at", admin.EmptyFieldListFilter), "created_at", "edited_at"]
    search_fields = ["title", "text", "id"]
    autocomplete_fields = ["parent", "owner"]
    readonly_fields = ["id", "created_at", "updated_at", "edited_at", "stored_state_size", "text"]
    fields = ["id", "title", "parent", "owner", "deleted_at", "created_at", "updated_at", "edited_at"]
    fields += ["stored_state_size", "text"]
    inlines = [PageMemberInline]
    list_select_related = ["parent", "owner"]

    @admin.display(description="stored state (bytes)")
    def stored_state_size(self, page: Page) -> int:
        return len(page.state or b"")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Page]:
        return super().get_queryset(request).defer("state", "html")

    def save_related(self, request: HttpRequest, form: forms.ModelForm, formsets: list, change: bool) -> None:
        """A page added here gets its owner membership, as pages made in the API and the UI do.

        After the inlines, so that a membership the admin gave the owner inline wins.
        """
        super().save_related(request, form, formsets, change)
        page = form.instance
        if not change and page.owner_id is not None:
            PageMember.objects.get_or_create(page=page, user_id=page.owner_id, defaults={"role": Role.OWNER})


@admin.register(PageUpdate)
class PageUpdateAdmin(ReadOnlyAdmin):
    list_display = ["id", "page", "user", "size", "created_at"]
    list_filter = ["created_at"]
    search_fields = ["page__title", "page__id", "user__username"]
    list_select_related = ["page", "user"]
    fields = ["id", "page", "user", "size", "created_at"]
    readonly_fields = fields

    @admin.display(description="bytes")
    def size(self, update: PageUpdate) -> int:
        return len(update.data)


@admin.register(PageVersion)
class PageVersionAdmin(ReadOnlyAdmin):
    list_display = ["page", "number", "label", "reason", "author", "created_at"]
    list_filter = ["reason", "created_at"]
    search_fields = ["page__title", "label", "text"]
    list_select_related = ["page", "author"]
    fields = ["page", "number", "label", "reason", "author", "created_at", "title", "text"]
    readonly_fields = fields


@admin.register(PageMember)
class PageMemberAdmin(admin.ModelAdmin):
    list_display = ["page", "user", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["page__title", "user__username", "user__email"]
    autocomplete_fields = ["page", "user"]
    list_select_related = ["page", "user"]
