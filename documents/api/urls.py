from django.urls import path, re_path

from documents.api.content import PageContentApi
from documents.api.errors import not_found
from documents.api.history import VersionDetailApi, VersionDiffApi, VersionListApi, VersionRestoreApi
from documents.api.members import MemberDetailApi, MemberListApi, TicketApi, UserSearchApi
from documents.api.pages import PageDetailApi, PageListApi, TrashListApi, TrashRestoreApi
from documents.api.presence import PagePresenceApi

urlpatterns = [
    path("pages/", PageListApi.as_view(), name="api-page-list"),
    path("pages/presence/", PagePresenceApi.as_view(), name="api-page-presence"),
    path("pages/<uuid:page_id>/", PageDetailApi.as_view(), name="api-page-detail"),
    path("pages/<uuid:page_id>/members/", MemberListApi.as_view(), name="api-member-list"),
    path("pages/<uuid:page_id>/members/<int:user_id>/", MemberDetailApi.as_view(), name="api-member-detail"),
    path("pages/<uuid:page_id>/ticket/", TicketApi.as_view(), name="api-page-ticket"),
    path("pages/<uuid:page_id>/content/", PageContentApi.as_view(), name="api-page-content"),
    path("pages/<uuid:page_id>/versions/", VersionListApi.as_view(), name="api-version-list"),
    path("pages/<uuid:page_id>/versions/<int:number>/", VersionDetailApi.as_view(), name="api-version-detail"),
    path(
        "pages/<uuid:page_id>/versions/<int:number>/diff/<int:other>/",
        VersionDiffApi.as_view(),
        name="api-version-diff",
    ),
    path(
        "pages/<uuid:page_id>/versions/<int:number>/restore/",
        VersionRestoreApi.as_view(),
        name="api-version-restore",
    ),
    path("users/", UserSearchApi.as_view(), name="api-user-search"),
    path("trash/", TrashListApi.as_view(), name="api-trash-list"),
    path("trash/<uuid:page_id>/restore/", TrashRestoreApi.as_view(), name="api-trash-restore"),
    # Last: whatever else is asked for under /api/ gets a JSON 404.
    re_path(r"", not_found, name="api-not-found"),
]
