"""Pages, their append-only update log, their versions and their members."""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse


class Role(models.TextChoices):
    """What a member may do on a page; each role includes the ones before it."""

    VIEWER = "viewer", "Viewer"
    EDITOR = "editor", "Editor"
    OWNER = "owner", "Owner"


ROLE_RANK = {Role.VIEWER: 1, Role.EDITOR: 2, Role.OWNER: 3}


class Page(models.Model):
    """A wiki page: a node of the page tree holding a collaborative Yjs document."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    title = models.CharField(max_length=settings.PAGE_TITLE_MAX_LENGTH)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # When the content last changed (updated_at also moves on renames and moves).
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # The compacted Yjs document (a v1 update); the rows of PageUpdate come on top of it.
    state = models.BinaryField(default=b"", editable=False)
    # Rendered from the document for lists, search and the API; kept current by the rooms.
    text = models.TextField(blank=True, default="", editable=False)
    html = models.TextField(blank=True, default="", editable=False)

    class Meta:
        ordering = ["title", "created_at"]
        indexes = [models.Index(fields=["parent", "title"], name="page_parent_title")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("page-edit", args=[self.id])

    @property
    def in_trash(self) -> bool:
        return self.deleted_at is not None


class PageUpdate(models.Model):
    """One stored Yjs update of a page: the append-only log between compactions."""

    id = models.BigAutoField(primary_key=True)
    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="updates")
    data = models.BinaryField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["page", "id"], name="pageupdate_page_id")]

    def __str__(self) -> str:
        return f"update {self.id} of {self.page_id}"


class PageVersion(models.Model):
    """A numbered snapshot of a page's document, with its rendered content."""

    class Reason(models.TextChoices):
        AUTO = "auto", "Automatic"
        NAMED = "named", "Named"
        RESTORE = "restore", "Restore"

    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    state = models.BinaryField(editable=False)
    title = models.CharField(max_length=settings.PAGE_TITLE_MAX_LENGTH, blank=True, default="")
    text = models.TextField(blank=True, default="")
    html = models.TextField(blank=True, default="")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    contributors = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    label = models.CharField(max_length=200, blank=True, default="")
    reason = models.CharField(max_length=16, choices=Reason.choices, default=Reason.AUTO)
    # For a restore: the number of the version whose content was brought back.
    restored_from = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["page", "number"], name="unique_version_number"),
        ]

    def __str__(self) -> str:
        return f"{self.page} v{self.number}"


class PageContributor(models.Model):
    """Someone who changed the page since its latest version; the next version lists them.

    Written in the same transaction as the update-log rows, so that compaction (which merges
    and deletes those rows) loses no author.
    """

    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["page", "user"], name="unique_page_contributor"),
        ]

    def __str__(self) -> str:
        return f"{self.user} changed {self.page_id}"


class PageMember(models.Model):
    """A user's role on a page; it also applies to the page's descendants."""

    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="page_roles")
    role = models.CharField(max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["page", "user"], name="unique_page_member"),
        ]

    def __str__(self) -> str:
        return f"{self.user} is {self.role} of {self.page}"


class AccessEvent(models.Model):
    """A change of who may open a page: the sharing audit trail.

    A role given, changed or taken away names its user; a page moved or trashed names no
    user, as it can change everyone's access below it. Server processes read these rows to
    re-check the open connections concerned, even when the channel-layer message was lost.
    """

    class Reason(models.TextChoices):
        ROLE = "role", "Role changed"
        MOVED = "moved", "Page moved"
        TRASHED = "trashed", "Page trashed"

    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="access_events")
    reason = models.CharField(max_length=16, choices=Reason.choices, default=Reason.ROLE)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    role_before = models.CharField(max_length=16, choices=Role.choices, blank=True, default="")
    role_after = models.CharField(max_length=16, choices=Role.choices, blank=True, default="")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        if self.user_id is None:
            return f"{self.page}: {self.get_reason_display()}"
        return f"{self.user} on {self.page}: {self.role_before or '-'} -> {self.role_after or '-'}"


class WebSocketTicket(models.Model):
    """A single-use, short-lived pass to open one page's WebSocket without cookies.

    Only a hash of the ticket is stored; the ticket itself is shown once, to its owner.
    """

    key_hash = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="+")
    expires_at = models.DateTimeField(db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"ticket for {self.user} on {self.page_id}"
