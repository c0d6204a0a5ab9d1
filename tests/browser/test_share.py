"""The Share dialog in the editor, against a live server process of ours."""

from __future__ import annotations

import pytest

from documents.models import PageMember, Role
from documents.services.pages import page_create
from tests.browser.conftest import screenshot, wait_for_status, wait_until
from tests.browser.test_collaboration import editor_text, stored_render, type_at_end, words

pytestmark = [pytest.mark.browser, pytest.mark.live, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def people(make_user):
    return (
        make_user("ada", first_name="Ada", last_name="Lovelace"),
        make_user("zoe", first_name="Zoë", last_name="Quinn", email="zoe@example.com"),
        make_user("grace", first_name="Grace", last_name="Hopper"),
    )


@pytest.fixture
def handbook(people):
    """Ada's "Handbook" with a "Launch plan" below it; Grace may view the Handbook (and so the plan)."""
    ada, _, grace = people
    handbook = page_create(owner=ada, title="Handbook")
    PageMember.objects.create(page=handbook, user=grace, role=Role.VIEWER)
    plan = page_create(owner=ada, title="Launch plan", parent_id=handbook.id)
    return plan


def open_share(tab):
    tab.get_by_role("button", name="Share").click()
    dialog = tab.get_by_role("dialog")
    dialog.wait_for()
    wait_until(lambda: dialog.locator(".share-member:not(.is-skeleton)").count() > 0, 10, "the member list")
    return dialog


def people_field(dialog):
    return dialog.get_by_role("combobox", name="Add people by name, username or e-mail")


ROW_TEXT = """rows => rows.map(row => {
    const role = row.querySelector(".share-role-button, .share-role-text").innerText;
    return [row.querySelector(".share-avatar").innerText, row.querySelector(".share-who").innerText, role]
        .join(" ").split(/\\s+/).join(" ");
})"""


def role_of(dialog, name: str) -> str:
    return dialog.get_by_role("button", name=f"Role of {name}:").inner_text().strip()


def choose_role(dialog, name: str, item: str) -> None:
    """Open a member's role menu and pick an item ("Editor", "Remove access", ...)."""
    dialog.get_by_role("button", name=f"Role of {name}:").click()
    menu = dialog.get_by_role("menu", name=f"Role of {name}")
    menu.wait_for()
    menu.get_by_role("menuitemradio" if item in ("Viewer", "Editor", "Owner") else "menuitem", name=item).click()


def member_rows(dialog) -> list[str]:
    """Each member row as one line: initials, name, (you), @username, "from" page, role."""
    return dialog.locator(".share-member:not(.is-skeleton)").evaluate_all(ROW_TEXT)


def test_an_owner_adds_an_editor_who_can_then_edit(open_editor, people, handbook):
    """Ada finds Zoë by typing part of her name, picks her with the keyboard, adds her as an
    editor; Zoë can then open the page and her edits are stored."""
    ada_user, zoe_user, _ = people
    ada = open_editor(ada_user, handbook)
    wait_for_status(ada, "saved")
    dialog = open_share(ada)
    assert dialog.locator("h2").inner_text() == "Share “Launch plan”"
    field = people_field(dialog)
    assert field.evaluate("el => el === document.activeElement"), "the field has focus"
    rows = member_rows(dialog)
    assert rows[0].startswith("AL Ada Lovelace (you) @ada Owner")
    assert rows[1] == "GH Grace Hopper @grace from Handbook Viewer"
    # The inherited role is not changeable here.
    assert dialog.get_by_role("button", name="Role of Grace Hopper:").count() == 0

    field.type("zo")
    option = dialog.get_by_role("option", name="Zoë Quinn")
    option.wait_for()
    assert field.get_attribute("aria-expanded") == "true"
    field.press("ArrowDown")  # wraps from the first (and only) suggestion back to it
    assert field.get_attribute("aria-activedescendant") == option.get_attribute("id")
    screenshot(ada, "share-suggestions")
    field.press("Enter")
    assert field.input_value() == "Zoë Quinn"
    assert dialog.get_by_role("listbox").is_hidden()
    dialog.get_by_label("Role for the people you add").select_option("editor")
    field.press("Enter")
    wait_until(lambda: any(row.startswith("ZQ Zoë Quinn @zoe") for row in member_rows(dialog)), 5, "Zoë's row")
    assert dialog.get_by_role("status").inner_text() == "Zoë Quinn can now edit this page."
    assert field.input_value() == ""
    assert PageMember.objects.get(page=handbook, user=zoe_user).role == Role.EDITOR
    assert role_of(dialog, "Zoë Quinn") == "Editor"
    screenshot(ada, "share-owner")

    ada.keyboard.press("Escape")
    wait_until(lambda: not dialog.is_visible(), 5, "the dialog closes on Escape")
    assert ada.evaluate("document.activeElement.textContent.trim()") == "Share", "focus goes back to the button"

    zoe = open_editor(zoe_user, handbook)
    wait_for_status(zoe, "saved")
    type_at_end(zoe, "Zoë was here.")
    wait_for_status(zoe, "saved")
    wait_until(lambda: "Zoë was here." in editor_text(ada), 10, "Ada sees Zoë's edit")
    wait_until(lambda: "Zoë was here." in words(stored_render(handbook).text), 5, "stored")
    assert not ada.console_errors, ada.console_errors
    assert not zoe.console_errors, zoe.console_errors


def test_a_viewer_sees_who_has_access_read_only(open_editor, people, handbook):
    """Grace (a viewer, from the page above) sees the list but cannot add, change or remove."""
    _, _, grace_user = people
    grace = open_editor(grace_user, handbook)
    wait_for_status(grace, "saved")
    dialog = open_share(grace)
    assert people_field(dialog).count() == 0
    assert dialog.locator(".share-add").is_hidden()
    assert dialog.locator(".share-members button").count() == 0, "no role menus, no Leave (her role is from above)"
    assert "Only owners of this page can change who has access. Ask Ada Lovelace to add someone." in dialog.inner_text()
    rows = member_rows(dialog)
    assert rows == ["AL Ada Lovelace @ada Owner", "GH Grace Hopper (you) @grace from Handbook Viewer"]
    screenshot(grace, "share-viewer")
    assert not grace.console_errors, grace.console_errors


def test_the_last_owner_cannot_step_down_and_is_told_why(open_editor, people, handbook):
    """Ada, the only owner, asks to become an editor: she is asked first, then the server's
    refusal shows under her row and her role stays Owner."""
    ada_user, _, _ = people
    ada = open_editor(ada_user, handbook)
    wait_for_status(ada, "saved")
    dialog = open_share(ada)
    # The keyboard: the menu opens on the current role; arrows move, Enter picks.
    dialog.get_by_role("button", name="Role of Ada Lovelace:").focus()
    ada.keyboard.press("ArrowDown")
    menu = dialog.get_by_role("menu", name="Role of Ada Lovelace")
    menu.wait_for()
    assert menu.get_by_role("menuitemradio", name="Owner").evaluate("el => el === document.activeElement")
    assert menu.get_by_role("menuitemradio", name="Owner").get_attribute("aria-checked") == "true"
    screenshot(ada, "share-role-menu")
    ada.keyboard.press("ArrowUp")
    ada.keyboard.press("Enter")
    question = dialog.locator(".share-confirm")
    question.wait_for()
    assert "You won't be able to share this page" in question.inner_text()
    assert role_of(dialog, "Ada Lovelace") == "Owner", "nothing changes before yes"
    question.get_by_role("button", name="Make me editor").click()
    error = dialog.locator(".share-row-error")
    error.wait_for()
    assert error.inner_text() == "A page needs an owner: make someone else an owner first."
    assert role_of(dialog, "Ada Lovelace") == "Owner"
    assert PageMember.objects.get(page=handbook, user=ada_user).role == Role.OWNER


def test_removing_someone_offers_undo(open_editor, people, handbook):
    """An owner removes a member (the row goes once the server agrees) and can undo it."""
    ada_user, zoe_user, _ = people
    PageMember.objects.create(page=handbook, user=zoe_user, role=Role.VIEWER)
    ada = open_editor(ada_user, handbook)
    wait_for_status(ada, "saved")
    dialog = open_share(ada)
    choose_role(dialog, "Zoë Quinn", "Remove access")
    wait_until(lambda: not any("Zoë" in row for row in member_rows(dialog)), 5, "Zoë's row gone")
    assert not PageMember.objects.filter(page=handbook, user=zoe_user).exists()
    assert "Zoë Quinn no longer has access." in dialog.get_by_role("status").inner_text()
    dialog.get_by_role("button", name="Undo").click()
    wait_until(lambda: any("Zoë" in row for row in member_rows(dialog)), 5, "Zoë back")
    assert PageMember.objects.get(page=handbook, user=zoe_user).role == Role.VIEWER


def test_unknown_people_get_a_clear_error(open_editor, people, handbook):
    """Typing someone who does not exist and pressing Enter says so, and keeps the text."""
    ada_user, _, _ = people
    ada = open_editor(ada_user, handbook)
    wait_for_status(ada, "saved")
    dialog = open_share(ada)
    field = people_field(dialog)
    field.type("nobody@example.org")
    dialog.locator(".share-suggestion-empty").wait_for()
    field.press("Enter")
    alert = dialog.locator(".share-add-error")
    alert.wait_for()
    assert alert.inner_text() == "No user is called “nobody@example.org”."
    assert field.get_attribute("aria-invalid") == "true"
    assert field.input_value() == "nobody@example.org"


def test_the_dialog_fits_a_phone(open_editor, people, handbook):
    """At 375 px the dialog fits without sideways scrolling and keeps Tab inside it."""
    ada_user, zoe_user, _ = people
    PageMember.objects.create(page=handbook, user=zoe_user, role=Role.EDITOR)
    phone = open_editor(ada_user, handbook, viewport={"width": 375, "height": 740})
    wait_for_status(phone, "saved")
    dialog = open_share(phone)
    box = dialog.bounding_box()
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= 375
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert dialog.evaluate("d => d.scrollWidth <= d.clientWidth + 1")
    people_field(dialog).type("gr")
    dialog.get_by_role("option", name="Grace Hopper").wait_for()
    screenshot(phone, "share-phone-suggestions")
    phone.keyboard.press("Escape")
    assert dialog.is_visible(), "the first Escape closes only the suggestions"
    for _ in range(30):
        phone.keyboard.press("Tab")
        assert dialog.evaluate("d => d.contains(document.activeElement)"), "focus stays in the dialog"
    screenshot(phone, "share-phone")
    assert not phone.console_errors, phone.console_errors


def test_someone_added_to_the_page_may_leave_it(open_editor, people, handbook):
    """Zoë, an editor of this page only, leaves it after saying yes; she then has no access,
    and her editor says so."""
    _, zoe_user, _ = people
    PageMember.objects.create(page=handbook, user=zoe_user, role=Role.EDITOR)
    zoe = open_editor(zoe_user, handbook)
    wait_for_status(zoe, "saved")
    dialog = open_share(zoe)
    dialog.get_by_role("button", name="Leave").click()
    question = dialog.locator(".share-confirm")
    question.wait_for()
    assert question.inner_text().startswith("Leave this page? You'll lose access")
    question.get_by_role("button", name="Leave").click()
    status_line = dialog.get_by_role("status")
    wait_until(lambda: status_line.inner_text() == "You left this page.", 5, "told she has left")
    assert "You no longer have access to this page." in dialog.inner_text()
    assert not PageMember.objects.filter(page=handbook, user=zoe_user).exists()
    assert dialog.locator(".share-people").is_hidden()
    dialog.get_by_role("button", name="Done").click()
    wait_until(lambda: "You don't have access to this page" in zoe.locator("[data-notice]").inner_text(), 5, "notice")
