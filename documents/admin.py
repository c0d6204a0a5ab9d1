"""Django admin for pages, their members, the update log and versions.

Versions are history and stay read-only; staff who may change pages can restore one, which
(as in the editor) is a forward change through `page_version_restore`.
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import escape, format_html, format_html_join

from documents.errors import InvalidInput, PageError
from documents.models import Page, PageMember, PageUpdate, PageVersion, Role
from documents.services.pages import page_move_check
from documents.services.versions import page_version_restore

# How many of a page's versions its admin page lists; the version list has them all.
PAGE_VERSIONS_SHOWN = 25

# The rendered HTML of a version is shown in a sandboxed frame: no scripts, no same origin, no
# forms, no navigation of the admin, and (through this policy) no requests of any kind. It comes
# from our renderer, which escapes text and filters links, but is treated as untrusted anyway.
_PREVIEW_DOCUMENT = """<!doctype html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<base target="_blank"><style>
body {{ font: 15px/1.6 -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, sans-serif; color: #1d2330;
  margin: 16px 20px; max-width: 760px; }}
h1 {{ font-size: 26px; margin: 0 0 12px; }}
table {{ border-collapse: collapse; }} td, th {{ border: 1px solid #d7dbe2; padding: 4px 8px; }}
pre {{ background: #1f2533; color: #e7eaf0; padding: 10px 12px; border-radius: 6px; overflow-x: auto; }}
code {{ font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 0.9em; }}
blockquote {{ border-left: 3px solid #cdd2db; margin-left: 0; padding-left: 12px; color: #414a5c; }}
</style></head><body><h1>{title}</h1>{html}</body></html>"""


def version_preview(version: PageVersion) -> str:
    """The version's rendered content in a sandboxed frame (srcdoc is escaped as an attribute)."""
    document = _PREVIEW_DOCUMENT.format(title=escape(version.title or "Untitled"), html=version.html)
    return format_html(
        '<iframe class="version-preview" title="Content of version {}" sandbox="" referrerpolicy="no-referrer" '
        'srcdoc="{}" style="width: 720px; max-width: 100%; height: 420px; border: 1px solid var(--hairline-color, '
        '#ddd); border-radius: 4px; background: #fff; resize: vertical"></iframe>',
        version.number,
        document,
    )


class ReadOnlyAdmin(admin.ModelAdmin):
    """The log and the versions are history: staff may look, never edit."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class LatestVersionsFormSet(BaseInlineFormSet):
    """The newest versions of the page only: a page edited for years has thousands."""

    def get_queryset(self) -> QuerySet[PageVersion]:
        if not hasattr(self, "_latest"):
            page_versions = super().get_queryset()
            self.total_versions = page_versions.count() if self.instance.pk else 0
            self._latest = page_versions[:PAGE_VERSIONS_SHOWN]
        return self._latest


class PageVersionInline(admin.TabularInline):
    """The page's versions, newest first, each linking to its own admin page. Read-only."""

    model = PageVersion
    formset = LatestVersionsFormSet
    template = "admin/documents/page/versions_inline.html"
    fields = ["version", "label", "reason", "author", "contributor_names", "created_at"]
    readonly_fields = fields
    ordering = ["-number"]
    extra = 0
    can_delete = False
    verbose_name = "version"
    verbose_name_plural = "versions (newest first)"

    def get_queryset(self, request: HttpRequest) -> QuerySet[PageVersion]:
        return (
            super()
            .get_queryset(request)
            .select_related("author", "page")
            .prefetch_related("contributors")
            .defer("state", "html", "text", "page__state", "page__html", "page__text")
        )

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.display(description="version")
    def version(self, version: PageVersion) -> str:
        url = reverse("admin:documents_pageversion_change", args=[version.pk])
        return format_html('<a href="{}">Version {}</a>', url, version.number)

    @admin.display(description="contributors")
    def contributor_names(self, version: PageVersion) -> str:
        return ", ".join(sorted(user.get_username() for user in version.contributors.all())) or "—"


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
    inlines = [PageMemberInline, PageVersionInline]
    list_select_related = ["parent", "owner"]

    def get_inlines(self, request: HttpRequest, obj: Page | None) -> list[type[admin.options.InlineModelAdmin]]:
        """A page being added has no versions yet."""
        return self.inlines if obj is not None else [PageMemberInline]

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
    fields = ["page", "number", "label", "reason", "restored_from", "author", "contributor_list", "created_at"]
    fields += ["title", "content", "text"]
    readonly_fields = fields
    actions = ["restore_selected"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[PageVersion]:
        return super().get_queryset(request).defer("state").prefetch_related("contributors")

    def has_restore_permission(self, request: HttpRequest, obj: object = None) -> bool:
        """Restoring changes the page, so it takes the right to change pages."""
        return request.user.has_perm("documents.change_page")

    @admin.display(description="contributors")
    def contributor_list(self, version: PageVersion) -> str:
        people = sorted(version.contributors.all(), key=lambda user: user.get_username().casefold())
        if not people:
            return "—"
        return format_html_join(
            ", ", "{} ({})", ((user.get_full_name() or user.get_username(), user.get_username()) for user in people)
        )

    @admin.display(description="content")
    def content(self, version: PageVersion) -> str:
        return version_preview(version)

    def get_urls(self) -> list[Any]:
        restore = self.admin_site.admin_view(self.restore_view)
        return [path("<int:object_id>/restore/", restore, name="documents_pageversion_restore"), *super().get_urls()]

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        extra_context = {**(extra_context or {}), "can_restore": self.has_restore_permission(request)}
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.action(description="Restore the selected version", permissions=["restore"])
    def restore_selected(self, request: HttpRequest, queryset: QuerySet[PageVersion]) -> HttpResponse | None:
        """Goes to the confirmation page of the one version selected."""
        versions = list(queryset.values_list("pk", flat=True)[:2])
        if len(versions) != 1:
            self.message_user(request, "Select exactly one version to restore.", messages.WARNING)
            return None
        return HttpResponseRedirect(reverse("admin:documents_pageversion_restore", args=[versions[0]]))

    def restore_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        """GET: what restoring would do, with a button. POST: restore, then show the new version."""
        version = self.get_queryset(request).select_related("page").filter(pk=object_id).first()
        if version is None:
            raise Http404("No such version.")
        if not self.has_restore_permission(request, version):
            raise PermissionDenied
        change_url = reverse("admin:documents_pageversion_change", args=[version.pk])
        if request.method == "POST":
            try:
                restored = page_version_restore(page_id=version.page_id, number=version.number, user=request.user)
            except PageError as error:
                self.message_user(request, error.message, messages.ERROR)
                return HttpResponseRedirect(change_url)
            self.message_user(
                request,
                format_html(
                    "Restored version {} of “{}”: it is now version {}, and everyone editing the page sees it.",
                    version.number,
                    version.page.title or "Untitled",
                    restored.number,
                ),
                messages.SUCCESS,
            )
            return HttpResponseRedirect(reverse("admin:documents_pageversion_change", args=[restored.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Restore version {version.number}?",
            "subtitle": None,
            "opts": self.model._meta,
            "object": version,
            "page": version.page,
            "change_url": change_url,
            "preview": version_preview(version),
            "latest": PageVersion.objects.filter(page_id=version.page_id).order_by("-number").only("number").first(),
        }
        return TemplateResponse(request, "admin/documents/pageversion/restore_confirmation.html", context)


@admin.register(PageMember)
class PageMemberAdmin(admin.ModelAdmin):
    list_display = ["page", "user", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["page__title", "user__username", "user__email"]
    autocomplete_fields = ["page", "user"]
    list_select_related = ["page", "user"]
