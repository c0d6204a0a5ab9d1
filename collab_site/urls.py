from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from documents import views
from realtime.views import live_load

urlpatterns = [
    path("", views.page_list, name="page-list"),
    path("pages/<uuid:page_id>/", views.page_edit, name="page-edit"),
    path("trash/", views.trash, name="trash"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Staff only: admin_view sends anyone else to the admin's sign-in page.
    path("admin/live/", admin.site.admin_view(live_load), name="live-load"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/", include("documents.api.urls")),
]

handler404 = "documents.views.not_found"
handler500 = "documents.views.server_error"
