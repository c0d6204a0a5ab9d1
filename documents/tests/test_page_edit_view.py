"""The editor page: the mount element the front end reads, per role."""

import re

import pytest
from django.urls import reverse

from documents.models import PageMember, Role
from documents.services.pages import page_create


def _mount(html: str) -> str:
    match = re.search(r'<main class="page-shell" id="page-editor"(.*?)>', html, re.S)
    assert match, "the editor mount element is rendered"
    return match.group(1)


@pytest.mark.django_db
def test_editor_gets_an_editable_mount_with_page_and_user(client, user, make_user):
    """An editor's page carries the page id, role, user and breadcrumbs the editor needs."""
    owner = make_user("owner")
    parent = page_create(owner=owner, title="Handbook")
    page = page_create(owner=owner, title="Onboarding", parent_id=parent.id)
    PageMember.objects.create(page=parent, user=user, role=Role.EDITOR)
    client.force_login(user)

    response = client.get(reverse("page-edit", args=[page.id]))

    assert response.status_code == 200
    html = response.content.decode()
    mount = _mount(html)
    assert f'data-page-id="{page.id}"' in mount
    assert 'data-role="editor"' in mount
    assert 'data-can-edit="true"' in mount
    assert f'data-user-id="{user.pk}"' in mount
    assert 'data-user-name="Alice Doe"' in mount
    assert "data-ws-url" not in mount
    assert 'id="page-actions"' in html
    assert f'href="{parent.get_absolute_url()}"' in html
    assert re.search(r'data-toolbar role="toolbar" aria-label="Formatting"\s*>', html)


@pytest.mark.django_db
def test_viewer_gets_a_read_only_mount(client, user, make_user):
    """A viewer's page says so up front: no toolbar, the view-only note shown."""
    page = page_create(owner=make_user("owner"), title="Policy")
    PageMember.objects.create(page=page, user=user, role=Role.VIEWER)
    client.force_login(user)

    html = client.get(reverse("page-edit", args=[page.id])).content.decode()

    mount = _mount(html)
    assert 'data-role="viewer"' in mount
    assert 'data-can-edit="false"' in mount
    assert re.search(r'data-toolbar role="toolbar" aria-label="Formatting" hidden', html)
    assert re.search(r'class="readonly-note" data-readonly-note\s*>', html)


@pytest.mark.django_db
def test_titles_and_names_are_escaped(client, make_user):
    """Page titles and user names reach attributes and the title field escaped."""
    author = make_user("mallory", first_name='"><script>alert(1)</script>')
    page = page_create(owner=author, title="</textarea><script>x()</script>")
    client.force_login(author)

    html = client.get(reverse("page-edit", args=[page.id])).content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "</textarea><script>" not in html
    assert "&lt;/textarea&gt;&lt;script&gt;x()&lt;/script&gt;</textarea>" in html
