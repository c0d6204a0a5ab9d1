// The Share dialog's rules (static/src/editor/share/model.js): who may change what, the
// order of the list, the words after a change or a failure, and the suggestions' keys.
import { test } from "node:test";
import assert from "node:assert/strict";

import { colorForUser } from "../src/editor/identity.js";
import {
  annotateSuggestions,
  changeMessage,
  errorMessage,
  memberView,
  moveHighlight,
  roleWithArticle,
  searchTerm,
  selfChangeWarning,
  sortMembers,
  upsertMember,
} from "../src/editor/share/model.js";

const member = (id, name, role, inherited = null, username = name.toLowerCase()) => ({
  user: { id, username, name },
  role,
  inherited_from: inherited,
});
const handbook = { id: "p-1", title: "Handbook" };

test("a member row: avatar as in the editor, and changeable only here and by an owner", () => {
  const zoe = member(7, "Zoë Quinn", "editor", null, "zoe");
  const view = memberView(zoe, { selfId: "1", canManage: true });
  assert.equal(view.initials, "ZQ");
  assert.equal(view.color, colorForUser(7), "the same color as the avatar row and caret");
  assert.equal(view.showUsername, true);
  assert.deepEqual([view.editable, view.removable, view.self], [true, true, false]);

  const inherited = memberView(member(8, "Grace", "viewer", handbook), { selfId: "1", canManage: true });
  assert.deepEqual([inherited.editable, inherited.removable], [false, false], "change it on the page above");

  const readOnly = memberView(zoe, { selfId: "1", canManage: false });
  assert.deepEqual([readOnly.editable, readOnly.removable], [false, false]);
  const leaving = memberView(member(1, "Me", "viewer"), { selfId: 1, canManage: false });
  assert.deepEqual([leaving.self, leaving.editable, leaving.removable], [true, false, true], "anyone may leave");

  const plain = memberView({ user: { id: 3, username: "sam", name: "" }, role: "viewer", inherited_from: null }, {
    selfId: "1",
    canManage: true,
  });
  assert.equal(plain.name, "sam");
  assert.equal(plain.showUsername, false, "no @sam under sam");
});

test("owners first, then editors, then viewers; you first among equals; names as people read them", () => {
  const list = [
    member(4, "zed", "viewer"),
    member(3, "Émile", "editor"),
    member(2, "bea", "owner"),
    member(1, "Me", "editor"),
    member(5, "adam", "editor"),
  ];
  assert.deepEqual(
    sortMembers(list, "1").map((m) => m.user.name),
    ["bea", "Me", "adam", "Émile", "zed"],
  );
});

test("upsertMember puts a member in, replaces one or takes one out", () => {
  const list = [member(1, "A", "owner"), member(2, "B", "viewer")];
  assert.equal(upsertMember(list, 2, member(2, "B", "editor")).find((m) => m.user.id === 2).role, "editor");
  assert.equal(upsertMember(list, "3", member(3, "C", "viewer")).length, 3);
  assert.deepEqual(upsertMember(list, "2", null).map((m) => m.user.id), [1]);
  assert.equal(list.length, 2, "the old list is left alone");
});

test("changing your own access asks first when it locks you out", () => {
  assert.equal(selfChangeWarning({ self: false, from: "owner", to: null }), null);
  assert.equal(selfChangeWarning({ self: true, from: "editor", to: "viewer" }), null);
  assert.equal(selfChangeWarning({ self: true, from: "owner", to: "owner" }), null);
  assert.match(selfChangeWarning({ self: true, from: "owner", to: "editor" }), /^Make yourself an editor\?/);
  assert.match(selfChangeWarning({ self: true, from: "owner", to: null }), /^Remove yourself\?/);
  assert.match(selfChangeWarning({ self: true, from: "viewer", to: null }), /^Leave this page\?/);
});

test("the status line says what happened in words", () => {
  assert.equal(roleWithArticle("owner"), "an owner");
  assert.equal(roleWithArticle("viewer"), "a viewer");
  assert.equal(changeMessage({ name: "Zoë", role: "editor" }), "Zoë can now edit this page.");
  assert.equal(changeMessage({ name: "Zoë", role: "viewer" }), "Zoë can now read this page.");
  assert.equal(changeMessage({ name: "Zoë", role: "owner" }), "Zoë can now edit and share this page.");
  assert.equal(changeMessage({ name: "Zoë", role: "viewer", previous: "editor" }), "Zoë is now a viewer.");
  assert.equal(changeMessage({ name: "Me", self: true, role: "editor", previous: "owner" }), "You are now an editor.");
  assert.equal(changeMessage({ name: "Zoë", role: null }), "Zoë no longer has access.");
  assert.equal(changeMessage({ name: "Me", self: true, role: null }), "You left this page.");
  // Asked for less than a page above gives: the higher role stays, and we say why.
  assert.equal(
    changeMessage({ name: "Zoë", role: "editor", requested: "viewer", inherited: handbook }),
    "Zoë keeps editor access from “Handbook”.",
  );
  assert.equal(
    changeMessage({ name: "Me", self: true, role: "owner", previous: "owner", requested: "viewer", inherited: handbook }),
    "You keep owner access from “Handbook”.",
  );
});

test("errors: the server's words when it has them, ours for the network and rate limits", () => {
  const apiError = (status, detail) => Object.assign(new Error(detail || "x"), { status, body: detail ? { detail } : null });
  assert.equal(
    errorMessage(apiError(409, "A page needs an owner: make someone else an owner first.")),
    "A page needs an owner: make someone else an owner first.",
  );
  assert.equal(errorMessage(apiError(400, "No user is called “x”.")), "No user is called “x”.");
  assert.equal(errorMessage(apiError(403)), "Only owners of this page can change who has access.");
  assert.equal(errorMessage(apiError(429, "Request was throttled.")), "Too many changes at once. Wait a moment and try again.");
  assert.match(errorMessage(apiError(502)), /^Something went wrong on the server/);
  assert.match(errorMessage(new TypeError("Failed to fetch"), "add them"), /^Couldn't reach the server to add them\./);
  assert.match(errorMessage(apiError(401)), /Sign in again/);
});

test("suggestions say who already has access, and how", () => {
  const members = [member(2, "Bea", "editor"), member(3, "Cy", "viewer", handbook)];
  const found = annotateSuggestions(
    [
      { id: 1, username: "me", name: "Me" },
      { id: 2, username: "bea", name: "Bea" },
      { id: 3, username: "cy", name: "Cy" },
      { id: 4, username: "dee", name: "" },
    ],
    members,
    "1",
  );
  assert.deepEqual(
    found.map(({ id, name, self, role, inherited }) => [id, name, self, role, inherited && inherited.title]),
    [
      ["1", "Me", true, null, null],
      ["2", "Bea", false, "editor", null],
      ["3", "Cy", false, "viewer", "Handbook"],
      ["4", "dee", false, null, null],
    ],
  );
});

test("arrow keys move through the suggestions and wrap; nothing to move through stays put", () => {
  assert.equal(moveHighlight(-1, "ArrowDown", 3), 0);
  assert.equal(moveHighlight(0, "ArrowDown", 3), 1);
  assert.equal(moveHighlight(2, "ArrowDown", 3), 0);
  assert.equal(moveHighlight(0, "ArrowUp", 3), 2);
  assert.equal(moveHighlight(-1, "ArrowUp", 3), 2);
  assert.equal(moveHighlight(1, "Home", 3), 0);
  assert.equal(moveHighlight(1, "End", 3), 2);
  assert.equal(moveHighlight(1, "x", 3), 1);
  assert.equal(moveHighlight(0, "ArrowDown", 0), -1);
});

test("search starts from two characters, as the API does", () => {
  assert.equal(searchTerm(" a "), null);
  assert.equal(searchTerm("ad"), "ad");
  assert.equal(searchTerm("  ada  "), "ada");
});
