"""The staff load page: live connections per page and recent update rates, per process."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from documents.models import Page
from realtime.stats import cluster_load, cluster_snapshots

REFRESH_SECONDS = 3


def live_load(request: HttpRequest) -> HttpResponse:
    """Staff only (wrapped by admin_view in urls.py); `?fragment=1` gives the tables alone,
    which the page fetches every few seconds."""
    snapshots, error = cluster_snapshots()
    load = cluster_load(snapshots)
    ids = [row["page_id"] for row in load["pages"]]
    titles = {str(page_id): title for page_id, title in Page.objects.filter(id__in=ids).values_list("id", "title")}
    for row in load["pages"]:
        row["title"] = titles.get(row["page_id"])
    context = {"load": load, "error": error, "refresh_seconds": REFRESH_SECONDS}
    if request.GET.get("fragment"):
        return render(request, "realtime/live_load_tables.html", context)
    context.update(admin.site.each_context(request), title="Live load")
    return render(request, "realtime/live_load.html", context)
