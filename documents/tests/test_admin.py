"""Django admin: pages and members are managed there; the update log and versions are read-only."""

import re
from html import unescape

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.test import Client

from documents.admin import PAGE_VERSIONS_SHOWN
from documents.models import Page, PageContributor, PageMember, PageUpdate, PageVersion, Role
from documents.rendering import render
from documents.selectors.content import page_document_load
from documents.services.versions import page_version_create
from documents.tests.factories import (
    append_paragraphs,
    make_member,
    make_page,
    make_update,
    make_version,
    trash_at,
)
from documents.ydoc import doc_from_stored

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
    """The POST data of a page's admin change form, with its current values and `changes`.

    The versions inline is read-only: the browser posts only its management form and ids.
    """
    members = list(page.members.all())
    versions = list(PageVersion.objects.filter(page=page).order_by("-number")[:PAGE_VERSIONS_SHOWN])
    data = {
        "versions-TOTAL_FORMS": str(len(versions)),
        "versions-INITIAL_FORMS": str(len(versions)),
        "versions-MIN_NUM_FORMS": "0",
        "versions-MAX_NUM_FORMS": "0",
        **{f"versions-{i}-id": version.pk for i, version in enumerate(versions)},
        **{f"versions-{i}-page": str(page.id) for i, version in enumerate(versions)},
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


# --- versions: content, contributors, restore -----------------------------------------------


@pytest.fixture
def edited(user, other_user):
    """A page with two versions: "First draft" by alice, then a rewrite by bob."""
    page = make_page(owner=user, title="Plan")
    append_paragraphs(page, "First draft.", user=user)
    record_contributor(page, user)
    first = page_version_create(page_id=page.id, reason="named", label="First draft", author=user)
    append_paragraphs(page, "Rewritten by Bob.", user=other_user)
    record_contributor(page, other_user)
    second = page_version_create(page_id=page.id)
    return {"page": page, "first": first, "second": second}


def stored_text(page) -> str:
    stored = page_document_load(page_id=page.id)
    return render(doc_from_stored(stored.state, (data for _, data in stored.updates))).text


def record_contributor(page, user):
    PageContributor.objects.get_or_create(page=page, user=user)


def test_a_version_shows_its_content_in_a_sandboxed_frame_and_its_contributors(admin_browser, edited):
    """The change page shows the rendered HTML inside a sandboxed srcdoc frame, and who contributed."""
    response = admin_browser.get(f"/admin/documents/pageversion/{edited['second'].pk}/change/")
    assert response.status_code == 200
    html = response.content.decode()
    frame = re.search(r"<iframe [^>]*>", html).group(0)
    assert 'sandbox=""' in frame
    srcdoc = unescape(re.search(r'srcdoc="([^"]*)"', frame).group(1))
    assert "<p>First draft.</p>" in srcdoc
    assert "<p>Rewritten by Bob.</p>" in srcdoc
    assert "default-src 'none'" in srcdoc
    assert "Bob (bob)" in html
    assert "Restore this version…" in html


def test_hostile_html_in_a_version_stays_inside_the_frame(admin_browser, user):
    """Whatever the stored HTML holds, it reaches the admin page only as an escaped attribute."""
    page = make_page(owner=user, title="x")
    evil = '<script>alert(1)</script><img src=x onerror="alert(2)">"><p>end</p>'
    version = make_version(page=page, html=evil, title='"><script>alert(3)</script>')
    html = admin_browser.get(f"/admin/documents/pageversion/{version.pk}/change/").content.decode()
    assert "<script>alert" not in html
    assert "onerror=" not in html.replace("onerror=&quot;", "")
    frame = re.search(r"<iframe [^>]*>", html).group(0)
    srcdoc = unescape(re.search(r'srcdoc="([^"]*)"', frame).group(1))
    assert evil in srcdoc, "inside the sandbox, as stored"
    assert "<h1>&quot;&gt;&lt;script&gt;alert(3)&lt;/script&gt;</h1>" in srcdoc, "the title is text"


def test_restore_asks_first_then_restores_as_a_new_version(admin_browser, admin_user, edited):
    """GET shows what will happen and the content; POST restores through the service, and the
    new version's page says so."""
    page, first = edited["page"], edited["first"]
    url = f"/admin/documents/pageversion/{first.pk}/restore/"
    confirm = admin_browser.get(url)
    assert confirm.status_code == 200
    body = confirm.content.decode()
    assert "Restore version 1?" in body
    assert "the latest is version 2" in body
    assert 'name="csrfmiddlewaretoken"' in body
    assert "<iframe" in body
    assert PageVersion.objects.filter(page=page).count() == 2, "nothing happens on GET"

    response = admin_browser.post(url, follow=True)
    restored = PageVersion.objects.filter(page=page).order_by("-number").first()
    assert (restored.number, restored.reason, restored.restored_from) == (3, "restore", 1)
    assert restored.author == admin_user
    assert response.redirect_chain[-1][0] == f"/admin/documents/pageversion/{restored.pk}/change/"
    assert "Restored version 1 of “Plan”: it is now version 3" in response.content.decode()
    assert "Rewritten by Bob." not in stored_text(page)
    assert "First draft." in stored_text(page)


def test_restore_needs_csrf(admin_user, edited):
    """The restore POST is refused without the CSRF token."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    response = client.post(f"/admin/documents/pageversion/{edited['first'].pk}/restore/")
    assert response.status_code == 403
    assert PageVersion.objects.filter(page=edited["page"]).count() == 2


def test_restore_needs_the_right_to_change_pages(make_user, edited):
    """Staff who may only look at versions get no restore button and a 403 from the view."""
    viewer = make_user("auditor", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_pageversion"))
    client = Client()
    client.force_login(viewer)
    change = client.get(f"/admin/documents/pageversion/{edited['first'].pk}/change/")
    assert change.status_code == 200
    assert "Restore this version" not in change.content.decode()
    assert client.get(f"/admin/documents/pageversion/{edited['first'].pk}/restore/").status_code == 403
    assert client.post(f"/admin/documents/pageversion/{edited['first'].pk}/restore/").status_code == 403
    changelist = client.get("/admin/documents/pageversion/").content.decode()
    assert "restore_selected" not in changelist
    assert PageVersion.objects.filter(page=edited["page"]).count() == 2


def test_a_version_of_a_trashed_page_is_not_restored(admin_browser, edited):
    """The service's refusal comes back as an error message; nothing changes."""
    trash_at(edited["page"])
    response = admin_browser.post(f"/admin/documents/pageversion/{edited['first'].pk}/restore/", follow=True)
    assert "The page is in the trash; restore it from the trash first." in response.content.decode()
    assert PageVersion.objects.filter(page=edited["page"]).count() == 2


def test_the_restore_action_takes_exactly_one_version(admin_browser, edited):
    """The list's action goes to the confirmation page of the one version selected."""
    changelist = "/admin/documents/pageversion/"
    one = admin_browser.post(changelist, {"action": "restore_selected", "_selected_action": [edited["first"].pk]})
    assert one.status_code == 302
    assert one["Location"] == f"/admin/documents/pageversion/{edited['first'].pk}/restore/"
    both = [edited["first"].pk, edited["second"].pk]
    two = admin_browser.post(changelist, {"action": "restore_selected", "_selected_action": both}, follow=True)
    assert "Select exactly one version to restore." in two.content.decode()
    assert PageVersion.objects.filter(page=edited["page"]).count() == 2


def test_an_unknown_version_is_404(admin_browser):
    assert admin_browser.get("/admin/documents/pageversion/999999/restore/").status_code == 404


def test_the_page_lists_its_latest_versions_newest_first(admin_browser, user, django_assert_max_num_queries):
    """The page's admin lists its newest versions, linking to each, and links to all of them;
    the cost does not grow with the number of versions."""
    page = make_page(owner=user, title="Long history")
    for number in range(1, PAGE_VERSIONS_SHOWN + 6):
        version = make_version(page=page, number=number, label=f"v{number}")
        version.contributors.set([user])
    with django_assert_max_num_queries(20):
        html = admin_browser.get(f"/admin/documents/page/{page.id}/change/").content.decode()
    numbers = [
        int(n) for n in re.findall(r'<a href="/admin/documents/pageversion/\d+/change/">Version (\d+)</a>', html)
    ]
    assert numbers == list(range(PAGE_VERSIONS_SHOWN + 5, 5, -1))
    assert f"Showing the latest {PAGE_VERSIONS_SHOWN} of {PAGE_VERSIONS_SHOWN + 5} versions." in html
    assert f"/admin/documents/pageversion/?page__id__exact={page.id}" in html
    listed = admin_browser.get(f"/admin/documents/pageversion/?page__id__exact={page.id}")
    assert listed.context["cl"].result_count == PAGE_VERSIONS_SHOWN + 5
    assert "versions-0-label" not in html, "read-only: no inputs for the versions"


def test_saving_a_page_works_while_new_versions_appear(admin_browser, user):
    """A version made between opening the page's admin form and saving it (people keep editing)
    does not break saving, and no version changes."""
    page = make_page(owner=user, title="Busy")
    for number in range(1, PAGE_VERSIONS_SHOWN + 1):
        make_version(page=page, number=number)
    form = page_form(page, title="Busy page")
    make_version(page=page, number=PAGE_VERSIONS_SHOWN + 1)
    response = admin_browser.post(f"/admin/documents/page/{page.id}/change/", form)
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.title == "Busy page"
    assert PageVersion.objects.filter(page=page).count() == PAGE_VERSIONS_SHOWN + 1


def test_a_new_page_form_has_no_versions(admin_browser):
    html = admin_browser.get("/admin/documents/page/add/").content.decode()
    assert "versions-TOTAL_FORMS" not in html
    assert "members-TOTAL_FORMS" in html
