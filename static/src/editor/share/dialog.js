// The Share dialog: who has access to the page, and (for owners) adding people, changing
// their role and taking it away, through /api/pages/<id>/members/.
//
// Adding waits for the server (it has to find the person); a role change shows at once and
// goes back if the server refuses (an owner can't leave a page without owners, say); removing
// waits for the server, then offers Undo.
import { api } from "../../api.js";
import {
  DEFAULT_ROLE,
  ROLES,
  annotateSuggestions,
  changeMessage,
  displayName,
  errorMessage,
  memberView,
  moveHighlight,
  roleLabel,
  searchTerm,
  selfChangeWarning,
  sortMembers,
  upsertMember,
} from "./model.js";
import { RoleMenu } from "./role-menu.js";

const svg = (body, size = 18) =>
  `<svg viewBox="0 0 24 24" width="${size}" height="${size}" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false">${body}</svg>`;
export const shareIcons = {
  share: svg('<path d="M16 21v-2a4 4 0 0 0-4-4H6a4 4 0 0 0-4 4v2"/><circle cx="9" cy="7" r="4"/><path d="M19 8v6M22 11h-6"/>', 16),
  close: svg('<path d="M18 6 6 18M6 6l12 12"/>'),
  remove: svg('<path d="M18 6 6 18M6 6l12 12"/>', 16),
  person: svg('<circle cx="12" cy="8" r="4"/><path d="M4 21v-1a6 6 0 0 1 6-6h4a6 6 0 0 1 6 6v1"/>', 16),
  link: svg('<path d="M10 13a5 5 0 0 0 7.54.54l3-3a5 5 0 0 0-7.07-7.07l-1.72 1.71"/><path d="M14 11a5 5 0 0 0-7.54-.54l-3 3a5 5 0 0 0 7.07 7.07l1.71-1.71"/>', 16),
  check: svg('<path d="M20 6 9 17l-5-5"/>', 16),
  chevron: svg('<path d="m6 9 6 6 6-6"/>', 14),
};

const SEARCH_DELAY_MS = 150;
let dialogCount = 0;

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key === "html") node.innerHTML = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  node.append(...children.filter((child) => child !== null && child !== undefined && child !== false));
  return node;
}

function avatar({ initials, color }) {
  const face = el("span", { class: "share-avatar", "aria-hidden": "true", text: initials });
  face.style.setProperty("--avatar", color);
  return face;
}

function roleSelect({ value, label, onchange }) {
  const select = el("select", { class: "share-role-select", "aria-label": label, onchange });
  for (const role of ROLES) select.append(new Option(role.label, role.value, false, role.value === value));
  return select;
}

export class ShareDialog {
  constructor({ pageId, selfId, canManage, getTitle, pageUrl }) {
    this.pageId = pageId;
    this.selfId = String(selfId);
    this.canManage = canManage;
    this.getTitle = getTitle;
    this.pageUrl = pageUrl;
    this.members = [];
    this.loaded = false;
    this.pending = new Set(); // user ids with a request in flight
    this.rowErrors = new Map(); // user id -> message shown under that row
    this.confirming = null; // {userId, message, label, run}
    this.lastAdded = null;
    this.suggestions = [];
    this.highlight = -1;
    this.picked = null;
    this.searchSeq = 0;
    this.uid = `share-${++dialogCount}`;
    this._build();
  }

  get membersUrl() {
    return `/api/pages/${this.pageId}/members/`;
  }

  // --- building -----------------------------------------------------------------------

  _build() {
    const titleId = `${this.uid}-title`;
    this.dialog = el("dialog", { class: "share-dialog", "aria-labelledby": titleId });
    this.heading = el("h2", { id: titleId });
    const close = el("button", {
      type: "button",
      class: "share-close",
      "aria-label": "Close",
      html: shareIcons.close,
      onclick: () => this.close(),
    });
    this.head = el("div", { class: "share-head" }, this.heading, close);

    this.addForm = this._buildAddForm();
    this.addError = el("p", { class: "share-add-error", role: "alert", id: `${this.uid}-add-error` });
    this.readOnlyNote = el("p", { class: "share-readonly" });

    this.countLabel = el("span", { class: "share-count" });
    this.list = el("ul", { class: "share-members", "aria-labelledby": `${this.uid}-people` });
    this.listBox = el(
      "section",
      { class: "share-people" },
      el("h3", { id: `${this.uid}-people` }, "People with access", this.countLabel),
      this.list,
    );
    this.inheritedNote = el("p", { class: "share-note" });
    this.status = el("p", { class: "share-status", role: "status", "aria-live": "polite" });

    this.copyButton = el("button", {
      type: "button",
      class: "share-copy",
      html: `${shareIcons.link}<span>Copy link</span>`,
      onclick: () => this._copyLink(),
    });
    const done = el("button", { type: "button", class: "primary share-done", text: "Done", onclick: () => this.close() });
    const foot = el("div", { class: "share-foot" }, this.copyButton, el("span", { class: "share-foot-gap" }), done);

    this.body = el("div", { class: "share-body" }, this.readOnlyNote, this.listBox, this.inheritedNote);
    this.dialog.append(this.head, this.addForm, this.addError, this.body, this.status, foot);
    document.body.append(this.dialog);
    this.roleMenu = new RoleMenu(this.dialog);

    this.dialog.addEventListener("keydown", (event) => this._onDialogKey(event));
    // Esc: close the suggestions or a question first, then the dialog.
    this.dialog.addEventListener("cancel", (event) => {
      if (this._dismissInner()) event.preventDefault();
    });
    this.dialog.addEventListener("close", () => {
      this._hideSuggestions();
      this.roleMenu.close(false);
      this.confirming = null;
      if (this.returnFocus && this.returnFocus.isConnected) this.returnFocus.focus();
    });
    // A click on the backdrop (outside the dialog's box) closes it, as a sheet does.
    this.dialog.addEventListener("mousedown", (event) => {
      if (event.target !== this.dialog) return;
      const box = this.dialog.getBoundingClientRect();
      const inside =
        event.clientX >= box.left && event.clientX <= box.right && event.clientY >= box.top && event.clientY <= box.bottom;
      if (!inside) this.close();
    });
  }

  _buildAddForm() {
    const listId = `${this.uid}-suggestions`;
    this.input = el("input", {
      type: "text",
      class: "share-input",
      role: "combobox",
      "aria-autocomplete": "list",
      "aria-expanded": "false",
      "aria-controls": listId,
      "aria-label": "Add people by name, username or e-mail",
      "aria-describedby": `${this.uid}-add-error`,
      placeholder: "Add people by name, username or e-mail",
      autocomplete: "off",
      autocapitalize: "off",
      spellcheck: "false",
      enterkeyhint: "done",
    });
    this.pickedFace = el("span", { class: "share-field-icon", html: shareIcons.person });
    this.suggestionList = el("ul", { class: "share-suggestions", role: "listbox", id: listId, "aria-label": "People", hidden: true });
    const field = el("div", { class: "share-field" }, this.pickedFace, this.input, this.suggestionList);
    this.newRole = roleSelect({ value: DEFAULT_ROLE, label: "Role for the people you add" });
    this.newRole.classList.add("share-new-role");
    this.addButton = el("button", { type: "submit", class: "primary share-add-button", text: "Add" });
    const form = el("form", { class: "share-add", novalidate: true }, field, el("div", { class: "share-add-controls" }, this.newRole, this.addButton));

    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (this.highlight >= 0 && !this.suggestionList.hidden) this._pick(this.suggestions[this.highlight]);
      else this._add();
    });
    this.input.addEventListener("input", () => {
      if (this.picked && this.input.value !== this.picked.name) this._setPicked(null);
      this.addError.textContent = "";
      this.input.removeAttribute("aria-invalid");
      this._search();
    });
    this.input.addEventListener("keydown", (event) => this._onInputKey(event));
    this.input.addEventListener("blur", () => {
      // Let a click on a suggestion land first (it keeps focus with preventDefault anyway).
      setTimeout(() => {
        if (document.activeElement !== this.input) this._hideSuggestions();
      }, 0);
    });
    this.input.addEventListener("focus", () => {
      if (this.suggestions.length && !this.picked && searchTerm(this.input.value)) this._showSuggestions();
    });
    return form;
  }

  // --- opening and closing --------------------------------------------------------------

  open(returnFocus) {
    this.returnFocus = returnFocus || document.activeElement;
    this.heading.textContent = `Share “${this.getTitle()}”`;
    this.status.textContent = "";
    this.addError.textContent = "";
    this.rowErrors.clear();
    this.confirming = null;
    this.lastAdded = null;
    this._renderMode();
    this._renderList();
    if (!this.dialog.open) this.dialog.showModal();
    (this.canManage ? this.input : this.dialog.querySelector(".share-done")).focus();
    this._load();
  }

  close() {
    if (this.dialog.open) this.dialog.close();
  }

  get isOpen() {
    return this.dialog.open;
  }

  _dismissInner() {
    if (this.roleMenu.isOpen) {
      this.roleMenu.close(true);
      return true;
    }
    if (!this.suggestionList.hidden) {
      this._hideSuggestions();
      this.input.focus();
      return true;
    }
    if (this.confirming) {
      const { userId } = this.confirming;
      this.confirming = null;
      this._renderList();
      this._focusRow(userId);
      return true;
    }
    return false;
  }

  _onDialogKey(event) {
    if (event.key === "Escape") {
      if (this._dismissInner()) {
        event.preventDefault();
        event.stopPropagation();
      }
      return;
    }
    if (event.key !== "Tab") return;
    // Keep Tab inside the dialog (a modal dialog would otherwise let it reach the browser's UI).
    const focusable = [
      ...this.dialog.querySelectorAll("button, select, input, a[href], [tabindex]:not([tabindex='-1'])"),
    ].filter((node) => !node.disabled && node.offsetParent !== null && !node.closest("[hidden]"));
    if (focusable.length === 0) return;
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  }

  // --- loading and rendering ----------------------------------------------------------------

  async _load() {
    if (this.lostAccess) return;
    const seq = (this.loadSeq = (this.loadSeq || 0) + 1);
    this.loadError = null;
    try {
      const members = await api("GET", this.membersUrl);
      if (seq !== this.loadSeq) return;
      this.members = members;
      this.loaded = true;
    } catch (error) {
      if (seq !== this.loadSeq) return;
      this.loadError = errorMessage(error, "load who has access");
      // Still showing the list from before: say it may be out of date.
      if (this.loaded) this._say(this.loadError, { label: "Try again", run: () => this._load() }, true);
    }
    this._renderList();
  }

  _renderMode() {
    this.addForm.hidden = !this.canManage;
    this.addError.hidden = !this.canManage;
    this.dialog.classList.toggle("is-readonly", !this.canManage);
  }

  _renderList() {
    // A re-render replaces the button a role menu hangs from.
    this.roleMenu.close(false);
    const focused = document.activeElement;
    const focusedRow = focused && focused.closest && focused.closest(".share-member");
    const focusKey = focusedRow ? `${focusedRow.dataset.userId}:${focused.dataset.part || ""}` : null;

    if (this.lostAccess) {
      this.readOnlyNote.hidden = false;
      this.readOnlyNote.textContent = "You no longer have access to this page. Ask one of its owners to add you again.";
      this.inheritedNote.hidden = true;
      this.listBox.hidden = true;
      return;
    }
    if (!this.loaded) {
      this.countLabel.textContent = "";
      if (this.loadError) {
        const retry = el("button", { type: "button", text: "Try again", onclick: () => this._load() });
        this.list.replaceChildren(el("li", { class: "share-load-error" }, el("span", { text: this.loadError }), retry));
      } else {
        this.list.replaceChildren(...[0, 1, 2].map(() => el("li", { class: "share-member is-skeleton", "aria-hidden": "true" }, el("span", { class: "share-avatar" }), el("span", { class: "share-skeleton-line" }))));
        this.list.setAttribute("aria-busy", "true");
      }
      this.readOnlyNote.hidden = this.canManage;
      this.readOnlyNote.textContent = this.canManage ? "" : "Only owners of this page can change who has access.";
      this.inheritedNote.hidden = true;
      return;
    }
    this.list.removeAttribute("aria-busy");
    const members = sortMembers(this.members, this.selfId);
    this.countLabel.textContent = String(members.length);
    this.list.replaceChildren(...members.map((member) => this._row(member)));

    const owners = members.filter((m) => m.role === "owner" && String(m.user.id) !== this.selfId).map((m) => displayName(m.user));
    this.readOnlyNote.hidden = this.canManage;
    if (!this.canManage) {
      const ask = owners.length ? ` Ask ${owners.length === 1 ? owners[0] : `${owners.slice(0, -1).join(", ")} or ${owners[owners.length - 1]}`} to add someone.` : "";
      this.readOnlyNote.textContent = `Only owners of this page can change who has access.${ask}`;
    }
    const inherited = members.some((m) => m.inherited_from);
    this.inheritedNote.hidden = false;
    this.inheritedNote.textContent = inherited
      ? "A role marked “from” is given on a page above: change it there. Pages below this one get the same people."
      : "Pages below this one are shared with the same people.";

    if (focusKey) {
      const [userId, part] = focusKey.split(":");
      this._focusRow(userId, part);
    }
  }

  _focusRow(userId, part = "") {
    const row = this.list.querySelector(`.share-member[data-user-id="${CSS.escape(userId)}"]`);
    if (!row) return;
    const target = (part && row.querySelector(`[data-part="${part}"]`)) || row.querySelector("select, button, a") || null;
    if (target) target.focus();
  }

  _row(member) {
    const view = memberView(member, { selfId: this.selfId, canManage: this.canManage });
    const pending = this.pending.has(view.id);
    const row = el("li", {
      class: `share-member${view.self ? " is-self" : ""}${pending ? " is-pending" : ""}${this.lastAdded === view.id ? " is-new" : ""}`,
      "data-user-id": view.id,
    });
    const nameLine = el("span", { class: "share-name" }, el("span", { class: "share-name-text", text: view.name }));
    if (view.self) nameLine.append(el("span", { class: "share-you", text: "(you)" }));
    const sub = el("span", { class: "share-sub" });
    if (view.showUsername) sub.append(el("span", { class: "share-username", text: `@${view.username}` }));
    if (view.inherited) {
      const from = el("span", { class: "share-from" }, "from ");
      from.append(
        el("a", { href: `/pages/${view.inherited.id}/`, text: view.inherited.title || "Untitled", "data-part": "from" }),
      );
      sub.append(from);
    }
    const who = el("div", { class: "share-who" }, nameLine, sub.childNodes.length ? sub : null);

    const controls = el("div", { class: "share-controls" });
    if (view.editable) {
      const button = el("button", {
        type: "button",
        class: "share-role-button",
        "aria-haspopup": "menu",
        "aria-expanded": "false",
        "aria-label": `Role of ${view.name}: ${roleLabel(view.role)}`,
        "data-part": "role",
        disabled: pending,
        html: `<span>${roleLabel(view.role)}</span>${shareIcons.chevron}`,
      });
      button.addEventListener("click", () => this._openRoleMenu(button, member));
      button.addEventListener("keydown", (event) => {
        if (event.key === "ArrowDown" || event.key === "ArrowUp") {
          event.preventDefault();
          this._openRoleMenu(button, member);
        }
      });
      controls.append(button);
    } else {
      controls.append(
        el("span", {
          class: "share-role-text",
          text: roleLabel(view.role),
          title: view.inherited ? `From “${view.inherited.title || "Untitled"}”: change it on that page` : null,
        }),
      );
      // Someone who can't manage the page may still leave it (a role given here, not above).
      if (view.self && view.removable) {
        controls.append(
          el("button", {
            type: "button",
            class: "share-leave",
            text: "Leave",
            "data-part": "remove",
            disabled: pending,
            onclick: () => this._remove(member),
          }),
        );
      }
    }
    row.append(avatar(view), who, controls);

    const error = this.rowErrors.get(view.id);
    if (error) row.append(el("p", { class: "share-row-error", role: "alert", text: error }));
    if (this.confirming && this.confirming.userId === view.id) row.append(this._confirmBox(this.confirming));
    return row;
  }

  _openRoleMenu(button, member) {
    if (this.roleMenu.isOpen && this.roleMenu.anchor === button) {
      this.roleMenu.close(true);
      return;
    }
    const view = memberView(member, { selfId: this.selfId, canManage: this.canManage });
    this.roleMenu.open(button, {
      role: member.role,
      label: `Role of ${view.name}`,
      onRole: (role) => this._changeRole(member, role),
      remove: view.removable ? { label: view.self ? "Remove yourself" : "Remove access", run: () => this._remove(member) } : null,
    });
  }

  _confirmBox(question) {
    const cancel = el("button", {
      type: "button",
      text: "Cancel",
      "data-part": "cancel",
      onclick: () => {
        this.confirming = null;
        this._renderList();
        this._focusRow(question.userId);
      },
    });
    const go = el("button", {
      type: "button",
      class: "danger-solid",
      text: question.label,
      "data-part": "confirm",
      onclick: () => {
        this.confirming = null;
        question.run();
      },
    });
    const box = el("div", { class: "share-confirm", role: "group", "aria-label": question.message }, el("p", { text: question.message }), el("div", { class: "share-confirm-buttons" }, cancel, go));
    return box;
  }

  _ask(userId, message, label, run) {
    this.confirming = { userId, message, label, run };
    this._renderList();
    const row = this.list.querySelector(`.share-member[data-user-id="${CSS.escape(userId)}"]`);
    if (row) row.querySelector('[data-part="cancel"]').focus();
  }

  // --- changing roles and removing --------------------------------------------------------

  async _changeRole(member, role) {
    const view = memberView(member, { selfId: this.selfId, canManage: this.canManage });
    const previous = member.role;
    if (role === previous) return;
    const warning = selfChangeWarning({ self: view.self, from: previous, to: role });
    if (warning) {
      this._ask(view.id, warning, `Make me ${roleLabel(role).toLowerCase()}`, () => this._sendRole(member, role));
      return;
    }
    this._sendRole(member, role);
  }

  async _sendRole(member, role) {
    const view = memberView(member, { selfId: this.selfId, canManage: this.canManage });
    const previous = member.role;
    // Show the new role at once; it goes back if the server says no.
    this.members = upsertMember(this.members, view.id, { ...member, role });
    this.pending.add(view.id);
    this.rowErrors.delete(view.id);
    this._renderList();
    this._focusRow(view.id, "role");
    try {
      const updated = await api("PATCH", `${this.membersUrl}${view.id}/`, { role });
      this.members = upsertMember(this.members, view.id, updated);
      this._say(
        changeMessage({
          name: view.name,
          self: view.self,
          role: updated.role,
          previous,
          requested: role,
          inherited: updated.inherited_from,
        }),
      );
      if (view.self) await this._recheckOwnRole();
    } catch (error) {
      this.members = upsertMember(this.members, view.id, { ...member, role: previous });
      this.rowErrors.set(view.id, errorMessage(error));
      if (error && error.status === 404) this._load();
    } finally {
      this.pending.delete(view.id);
      this._renderList();
      this._focusRow(view.id, "role");
    }
  }

  _remove(member) {
    const view = memberView(member, { selfId: this.selfId, canManage: this.canManage });
    const warning = selfChangeWarning({ self: view.self, from: member.role, to: null });
    if (warning) {
      this._ask(view.id, warning, view.self && !this.canManage ? "Leave" : "Remove me", () => this._sendRemove(member));
      return;
    }
    this._sendRemove(member);
  }

  async _sendRemove(member) {
    const view = memberView(member, { selfId: this.selfId, canManage: this.canManage });
    this.pending.add(view.id);
    this.rowErrors.delete(view.id);
    this._renderList();
    const neighbour = this._neighbourOf(view.id);
    try {
      await api("DELETE", `${this.membersUrl}${view.id}/`);
      this.pending.delete(view.id);
      this.members = upsertMember(this.members, view.id, null);
      this._renderList();
      if (view.self) {
        await this._recheckOwnRole();
        if (this.lostAccess) return;
        this._say(changeMessage({ name: view.name, self: true, role: null }));
      } else {
        this._say(changeMessage({ name: view.name, self: false, role: null }), {
          label: "Undo",
          run: () => this._undoRemove(member),
        });
      }
      // They may still have a role from a page above: the list shows it again.
      this._load();
      if (neighbour) this._focusRow(neighbour);
      else if (this.canManage) this.input.focus();
    } catch (error) {
      this.pending.delete(view.id);
      this.rowErrors.set(view.id, errorMessage(error));
      this._renderList();
      this._focusRow(view.id, "remove");
      if (error && error.status === 404) this._load();
    }
  }

  async _undoRemove(member) {
    try {
      const restored = await api("POST", this.membersUrl, { user: member.user.username, role: member.role });
      this.members = upsertMember(this.members, member.user.id, restored);
      this.lastAdded = String(member.user.id);
      this._renderList();
      this._say(`${displayName(member.user)} has access again.`);
      this._focusRow(String(member.user.id), "role");
    } catch (error) {
      this._say(errorMessage(error, "undo"), null, true);
    }
  }

  _neighbourOf(userId) {
    const rows = [...this.list.querySelectorAll(".share-member")];
    const index = rows.findIndex((row) => row.dataset.userId === userId);
    const next = rows[index + 1] || rows[index - 1];
    return next ? next.dataset.userId : null;
  }

  /** After changing your own access: are you still an owner here (staff always are), or
   * still here at all (a page above may share this one with you)? */
  async _recheckOwnRole() {
    try {
      const page = await api("GET", `/api/pages/${this.pageId}/`);
      this.canManage = page.role === "owner";
    } catch (error) {
      if (error && error.status === 404) {
        this.canManage = false;
        this.lostAccess = true;
        this._say("You left this page.");
      }
    }
    this._renderMode();
    this._renderList();
    if (!this.canManage && this.dialog.open) this.dialog.querySelector(".share-done").focus();
  }

  _say(message, action = null, isError = false) {
    this.status.replaceChildren(el("span", { text: message }));
    this.status.classList.toggle("is-error", isError);
    if (action) {
      const button = el("button", {
        type: "button",
        class: "share-status-action",
        text: action.label,
        onclick: () => {
          this.status.replaceChildren();
          action.run();
        },
      });
      this.status.append(button);
    }
  }

  // --- adding people ---------------------------------------------------------------------

  async _add() {
    const text = this.input.value.trim();
    const identifier = this.picked ? this.picked.username : text;
    if (!identifier) {
      this._addFailed("Type a name, username or e-mail address, then pick the person.");
      return;
    }
    const role = this.newRole.value;
    const previous = this.members.find((m) => String(m.user.id) === (this.picked && this.picked.id));
    this.addButton.disabled = true;
    this.addButton.textContent = "Adding…";
    this._hideSuggestions();
    try {
      const member = await api("POST", this.membersUrl, { user: identifier, role });
      const before = this.members.find((m) => String(m.user.id) === String(member.user.id)) || previous;
      this.members = upsertMember(this.members, member.user.id, member);
      this.lastAdded = String(member.user.id);
      this.input.value = "";
      this._setPicked(null);
      this.suggestions = [];
      this._renderList();
      this._say(
        changeMessage({
          name: displayName(member.user),
          self: String(member.user.id) === this.selfId,
          role: member.role,
          previous: before && !before.inherited_from ? before.role : null,
          requested: role,
          inherited: member.inherited_from,
        }),
      );
      const row = this.list.querySelector(`.share-member[data-user-id="${CSS.escape(String(member.user.id))}"]`);
      if (row) row.scrollIntoView({ block: "nearest" });
      this.input.focus();
    } catch (error) {
      this._addFailed(errorMessage(error, "add them"));
    } finally {
      this.addButton.disabled = false;
      this.addButton.textContent = "Add";
    }
  }

  _addFailed(message) {
    this.addError.textContent = message;
    this.input.setAttribute("aria-invalid", "true");
    this.input.focus();
  }

  _setPicked(person) {
    this.picked = person;
    this.pickedFace.replaceChildren();
    this.pickedFace.classList.toggle("is-person", Boolean(person));
    if (person) this.pickedFace.append(avatar(person));
    else this.pickedFace.innerHTML = shareIcons.person;
  }

  _pick(person) {
    if (!person) return;
    this._setPicked(person);
    this.input.value = person.name;
    this._hideSuggestions();
    this.addError.textContent = "";
    this.input.removeAttribute("aria-invalid");
    // Someone who already has a role here: preselect it, so "Add" is a deliberate change.
    if (person.role && !person.inherited) this.newRole.value = person.role;
    this.input.focus();
  }

  _search() {
    clearTimeout(this.searchTimer);
    const term = searchTerm(this.input.value);
    const seq = ++this.searchSeq;
    if (!term || this.picked) {
      this.suggestions = [];
      this._hideSuggestions();
      return;
    }
    this.searchTimer = setTimeout(async () => {
      try {
        const users = await api("GET", `/api/users/?search=${encodeURIComponent(term)}`);
        if (seq !== this.searchSeq || document.activeElement !== this.input) return;
        this.suggestions = annotateSuggestions(users, this.members, this.selfId);
        this.highlight = this.suggestions.length ? 0 : -1;
        this._showSuggestions(term);
      } catch {
        // Searching is a convenience: typing a username or e-mail and Add still works.
      }
    }, SEARCH_DELAY_MS);
  }

  _showSuggestions(term = searchTerm(this.input.value)) {
    const list = this.suggestionList;
    if (this.suggestions.length === 0) {
      const looksLikeEmail = term && term.includes("@");
      list.replaceChildren(
        el("li", {
          class: "share-suggestion-empty",
          role: "presentation",
          text: looksLikeEmail
            ? `No one with the e-mail address “${term}”.`
            : `No one matches “${term}”. Try their username or e-mail address.`,
        }),
      );
    } else {
      list.replaceChildren(
        ...this.suggestions.map((person, index) => {
          const optionId = `${this.uid}-option-${index}`;
          const detail = [person.username && person.username !== person.name ? `@${person.username}` : null].filter(Boolean).join(" ");
          const has = person.role
            ? el("span", {
                class: "share-suggestion-role",
                text: person.inherited ? `${roleLabel(person.role)} · from above` : `${roleLabel(person.role)}`,
              })
            : null;
          const option = el(
            "li",
            {
              id: optionId,
              class: "share-suggestion",
              role: "option",
              "aria-selected": index === this.highlight ? "true" : "false",
            },
            avatar(person),
            el(
              "span",
              { class: "share-suggestion-text" },
              el("span", { class: "share-suggestion-name", text: person.self ? `${person.name} (you)` : person.name }),
              detail ? el("span", { class: "share-suggestion-detail", text: detail }) : null,
            ),
            has,
          );
          // mousedown, not click: the field keeps focus, so the list doesn't close first.
          option.addEventListener("mousedown", (event) => {
            event.preventDefault();
            this._pick(person);
          });
          option.addEventListener("mousemove", () => {
            if (this.highlight !== index) this._setHighlight(index);
          });
          return option;
        }),
      );
    }
    list.hidden = false;
    this.input.setAttribute("aria-expanded", "true");
    this._setHighlight(this.highlight);
  }

  _hideSuggestions() {
    clearTimeout(this.searchTimer);
    this.suggestionList.hidden = true;
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
    this.highlight = -1;
  }

  _setHighlight(index) {
    this.highlight = index;
    const options = [...this.suggestionList.querySelectorAll('[role="option"]')];
    options.forEach((option, i) => option.setAttribute("aria-selected", i === index ? "true" : "false"));
    const active = options[index];
    if (active) {
      this.input.setAttribute("aria-activedescendant", active.id);
      active.scrollIntoView({ block: "nearest" });
    } else {
      this.input.removeAttribute("aria-activedescendant");
    }
  }

  _onInputKey(event) {
    const open = !this.suggestionList.hidden;
    const count = this.suggestions.length;
    if (["ArrowDown", "ArrowUp"].includes(event.key)) {
      event.preventDefault();
      if (!open) {
        if (count && searchTerm(this.input.value) && !this.picked) this._showSuggestions();
        else return;
      }
      this._setHighlight(moveHighlight(this.highlight, event.key, count));
    } else if (open && ["Home", "End"].includes(event.key) && event.altKey === false && this.highlight >= 0) {
      event.preventDefault();
      this._setHighlight(moveHighlight(this.highlight, event.key, count));
    } else if (event.key === "Enter") {
      if (open && this.highlight >= 0) {
        event.preventDefault();
        this._pick(this.suggestions[this.highlight]);
      }
      // Otherwise the form submits: Add.
    } else if (event.key === "Tab" && open && this.highlight >= 0 && !event.shiftKey) {
      // Tab takes the highlighted person, as in most people pickers, then moves on.
      this._pick(this.suggestions[this.highlight]);
    } else if (event.key === "Escape" && open) {
      event.preventDefault();
      event.stopPropagation();
      this._hideSuggestions();
    }
  }

  // --- the link ---------------------------------------------------------------------------

  async _copyLink() {
    const url = new URL(this.pageUrl, window.location.href).href;
    try {
      await navigator.clipboard.writeText(url);
    } catch {
      // No clipboard permission (or not a secure context): select it in a prompt instead.
      window.prompt("Copy this link:", url);
      return;
    }
    this.copyButton.innerHTML = `${shareIcons.check}<span>Link copied</span>`;
    this.copyButton.classList.add("is-done");
    clearTimeout(this.copyTimer);
    this.copyTimer = setTimeout(() => {
      this.copyButton.innerHTML = `${shareIcons.link}<span>Copy link</span>`;
      this.copyButton.classList.remove("is-done");
    }, 2000);
  }
}
