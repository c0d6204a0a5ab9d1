from django.urls import path

from documents.api.pages import PageDetailApi, PageListApi, TrashListApi, TrashRestoreApi

urlpatterns = [
    path("pages/", PageListApi.as_view(), name="api-page-list"),
    path("pages/<uuid:page_id>/", PageDetailApi.as_view(), name="api-page-detail"),
    path("trash/", TrashListApi.as_view(), name="api-trash-list"),
    path("trash/<uuid:page_id>/restore/", TrashRestoreApi.as_view(), name="api-trash-restore"),
]
