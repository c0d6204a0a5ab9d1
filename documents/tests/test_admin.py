"""Django admin: pages and members are managed there; the update log and versions are read-only."""

import pytest
from django.core.management import call_command
from django.test import Client

from documents.models import Page, PageMember, PageUpdate, PageVersion, Role
from documents.tests.factories import make_member, make_page, make_update, make_version, trash_at

pytestmark = pytest.mark.django_db

CHANGELISTS = ["page", "pageupdate", "pageversion", "pagemember"]


@pytest.fixture
def admin_user(make_user):
    return make_user("root", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_browser(admin_user) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


@pytest.fixture
def content(user, other_user):
    """A few pages with members, log rows and versions."""
    root = make_page(owner=user, title="Handbook", text="how we work")
    child = make_page(owner=user, title="Onboarding", parent=root)
    gone = make_page(owner=other_user, title="Old plan")
    trash_at(gone)
    make_member(page=root, user=other_user, role=Role.EDITOR)
    make_update(page=root, user=user, data=b"\x01\x02\x03")
    make_update(page=child, user=other_user)
    make_version(page=root, number=1, label="First draft", text="how we work")
    make_version(page=root, number=2, reason="named", label="Approved")
    return {"root": root, "child": child, "gone": gone}


def test_admin_passes_the_system_checks():
    """The admin classes are valid (autocomplete targets have search fields, and so on)."""
    call_command("check", "--fail-level", "WARNING")


@pytest.mark.parametrize("model", CHANGELISTS)
def test_staff_can_open_every_changelist(admin_browser, content, model):
    """Pages, the update log, versions and members each have a changelist that opens."""
    response = admin_browser.get(f"/admin/documents/{model}/")
    assert response.status_code == 200
    assert response.context["cl"].result_count > 0


def test_non_staff_are_sent_to_the_admin_sign_in(user):
    """The admin is for staff only."""
    client = Client()
    client.force_login(user)
    response = client.get("/admin/documents/page/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize(
    ("model", "query", "expected"),
    [
        ("page", "handbook", ["Handbook"]),
        ("page", "how we", ["Handbook"]),
        ("pageupdate", "onboarding", ["Onboarding"]),
        ("pageupdate", "alice", ["Handbook"]),
        ("pageversion", "approved", ["Handbook v2"]),
        ("pagemember", "bob", ["bob is editor of Handbook", "bob is owner of Old plan"]),
        ("pagemember", "onboarding", ["alice is owner of Onboarding"]),
    ],
)
def test_changelists_search(admin_browser, content, model, query, expected):
    """Each changelist searches the fields people look for: titles, text, usernames, labels."""
    response = admin_browser.get(f"/admin/documents/{model}/", {"q": query})
    assert response.status_code == 200
    shown = []
    for row in response.context["cl"].result_list:
        shown.append(row.page.title if model == "pageupdate" else str(row))
    assert sorted(shown) == expected


def test_page_search_by_id(admin_browser, content):
    """A page can be found by its id, as it appears in URLs and logs."""
    response = admin_browser.get("/admin/documents/page/", {"q": str(content["child"].id)})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [content["child"]]


@pytest.mark.parametrize(
    ("model", "params", "expected"),
    [
        ("page", {"deleted_at__isnull": "True"}, 2),
        ("page", {"deleted_at__isnull": "False"}, 1),
        ("page", {"created_at__gte": "2000-01-01 00:00:00+00:00"}, 3),
        ("pageversion", {"reason__exact": "named"}, 1),
        ("pageversion", {"reason__exact": "auto"}, 1),
        ("pagemember", {"role__exact": "editor"}, 1),
        ("pagemember", {"role__exact": "owner"}, 3),
    ],
)
def test_changelists_filter(admin_browser, content, model, params, expected):
    """The list filters work: in the trash or not, version reason, member role, dates."""
    response = admin_browser.get(f"/admin/documents/{model}/", params)
    assert response.status_code == 200
    assert response.context["cl"].result_count == expected


def test_changelists_show_their_filters(admin_browser, content):
    """The filter sidebar is there for pages, versions and members."""
    for model, title in [("page", "deleted at"), ("pageversion", "reason"), ("pagemember", "role")]:
        html = admin_browser.get(f"/admin/documents/{model}/").content.decode()
        assert f"By {title}" in html


def test_page_change_form_opens_with_members(admin_browser, content):
    """A page's admin form opens with its members inline and its stored state size."""
    response = admin_browser.get(f"/admin/documents/page/{content['root'].id}/change/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Stored state (bytes)" in html
    assert "members-TOTAL_FORMS" in html


@pytest.mark.parametrize("model", ["pageupdate", "pageversion"])
def test_history_is_read_only(admin_browser, admin_user, content, model):
    """Nobody, superusers included, may add, change or delete update-log rows or versions in the admin."""
    from django.contrib import admin as django_admin

    model_class = {"pageupdate": PageUpdate, "pageversion": PageVersion}[model]
    model_admin = django_admin.site._registry[model_class]
    request = type("Request", (), {"user": admin_user})()
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert model_admin.has_view_permission(request)

    row = model_class.objects.first()
    assert admin_browser.get(f"/admin/documents/{model}/add/").status_code == 403
    assert admin_browser.get(f"/admin/documents/{model}/{row.pk}/delete/").status_code == 403
    view = admin_browser.get(f"/admin/documents/{model}/{row.pk}/change/")
    assert view.status_code == 200
    html = view.content.decode()
    assert 'name="_save"' not in html
    changelist = admin_browser.get(f"/admin/documents/{model}/").content.decode()
    assert "delete_selected" not in changelist
    assert f"/admin/documents/{model}/add/" not in changelist


@pytest.mark.parametrize("model", ["pageupdate", "pageversion"])
def test_history_cannot_be_changed_by_posting(admin_browser, content, model):
    """A forged POST to the change or delete form is refused and changes nothing."""
    model_class = {"pageupdate": PageUpdate, "pageversion": PageVersion}[model]
    row = model_class.objects.first()
    count = model_class.objects.count()
    assert admin_browser.post(f"/admin/documents/{model}/{row.pk}/change/", {}).status_code == 403
    assert admin_browser.post(f"/admin/documents/{model}/{row.pk}/delete/", {"post": "yes"}).status_code == 403
    assert model_class.objects.count() == count


def test_members_can_be_added_in_the_admin(admin_browser, content, make_user):
    """Staff give a user a role on a page from the members admin."""
    carol = make_user("carol")
    response = admin_browser.post(
        "/admin/documents/pagemember/add/",
        {"page": str(content["child"].id), "user": carol.id, "role": "viewer"},
    )
    assert response.status_code == 302
    assert PageMember.objects.get(user=carol).page == content["child"]


def test_a_page_can_be_renamed_in_the_admin(admin_browser, content):
    """Staff rename a page from its change form."""
    page = content["child"]
    response = admin_browser.post(f"/admin/documents/page/{page.id}/change/", page_form(page, title="Welcome"))
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.title == "Welcome"
    assert Page.objects.filter(deleted_at__isnull=True).count() == 2


def test_changelists_query_counts_stay_small(admin_browser, content, user, django_assert_max_num_queries):
    """The changelists select their related objects: more rows do not mean more queries."""
    for _ in range(20):
        page = make_page(owner=user)
        make_update(page=page, user=user)
        make_version(page=page)
    for model in CHANGELISTS:
        with django_assert_max_num_queries(12):
            assert admin_browser.get(f"/admin/documents/{model}/").status_code == 200


def page_form(page: Page, **changes) -> dict:
    """The POST data of a page's admin change form, with its current values and `changes`."""
    members = list(page.members.all())
    data = {
        "title": page.title,
        "parent": str(page.parent_id or ""),
        "owner": page.owner_id or "",
        "deleted_at_0": "",
        "deleted_at_1": "",
        "members-TOTAL_FORMS": str(len(members)),
        "members-INITIAL_FORMS": str(len(members)),
        "members-MIN_NUM_FORMS": "0",
        "members-MAX_NUM_FORMS": "1000",
    }
    for i, member in enumerate(members):
        data.update(
            {
                f"members-{i}-id": member.id,
                f"members-{i}-page": str(page.id),
                f"members-{i}-user": member.user_id,
                f"members-{i}-role": member.role,
            }
        )
    data.update(changes)
    return data


@pytest.mark.parametrize("target", ["root", "child", "grandchild"])
def test_the_admin_refuses_to_move_a_page_under_itself_or_a_descendant(admin_browser, user, target):
    """The admin form applies the tree rule of the services: no cycles."""
    root = make_page(owner=user, title="Root")
    child = make_page(owner=user, title="Child", parent=root)
    grandchild = make_page(owner=user, title="Grandchild", parent=child)
    parent = {"root": root, "child": child, "grandchild": grandchild}[target]
    response = admin_browser.post(f"/admin/documents/page/{root.id}/change/", page_form(root, parent=str(parent.id)))
    assert response.status_code == 200
    assert "cannot be moved under itself or one of its children" in response.content.decode()
    root.refresh_from_db()
    assert root.parent_id is None


def test_a_page_added_in_the_admin_gets_its_owner_membership(admin_browser, user):
    """Adding a page in the admin makes its owner an owner member, as the API and the web UI do."""
    response = admin_browser.post(
        "/admin/documents/page/add/",
        {
            "title": "From the admin",
            "parent": "",
            "owner": user.id,
            "deleted_at_0": "",
            "deleted_at_1": "",
            "members-TOTAL_FORMS": "0",
            "members-INITIAL_FORMS": "0",
            "members-MIN_NUM_FORMS": "0",
            "members-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302
    page = Page.objects.get(title="From the admin")
    assert list(page.members.values_list("user", "role")) == [(user.id, "owner")]


def test_an_owner_membership_given_inline_is_kept(admin_browser, user):
    """When the admin adds the owner's membership inline, it is not doubled or changed."""
    response = admin_browser.post(
        "/admin/documents/page/add/",
        {
            "title": "Inline",
            "parent": "",
            "owner": user.id,
            "deleted_at_0": "",
            "deleted_at_1": "",
            "members-TOTAL_FORMS": "1",
            "members-INITIAL_FORMS": "0",
            "members-MIN_NUM_FORMS": "0",
            "members-MAX_NUM_FORMS": "1000",
            "members-0-user": user.id,
            "members-0-role": "editor",
        },
    )
    assert response.status_code == 302
    page = Page.objects.get(title="Inline")
    assert list(page.members.values_list("user", "role")) == [(user.id, "editor")]
