// The small pure helpers of the editor: identity, reconnect policy and the title diff.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as Y from "yjs";

import { PALETTE, awarenessUser, colorForUser, initialsFor } from "../src/editor/identity.js";
import { closeOutcome, reconnectDelay } from "../src/editor/reconnect.js";
import { diffText, mapPosition } from "../src/editor/text-diff.js";

function contrastWithWhite(hex) {
  const channel = (i) => {
    const v = parseInt(hex.slice(i, i + 2), 16) / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  const l = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
  return 1.05 / (l + 0.05);
}

test("every palette color keeps white text readable (WCAG AA)", () => {
  for (const color of PALETTE) assert.ok(contrastWithWhite(color) >= 4.5, color);
  assert.equal(new Set(PALETTE).size, PALETTE.length);
});

test("a user's color is stable and valid for the caret extension", () => {
  assert.equal(colorForUser(42), colorForUser("42"));
  assert.match(colorForUser(7), /^#[0-9a-f]{6}$/);
  const used = new Set(Array.from({ length: 60 }, (_, i) => colorForUser(i + 1)));
  assert.ok(used.size >= PALETTE.length - 1, "ids spread over the palette");
});

test("initials take whole characters from the first and last word", () => {
  assert.equal(initialsFor("Ada Lovelace"), "AL");
  assert.equal(initialsFor("grace"), "G");
  assert.equal(initialsFor("Jean-Luc Picard"), "JP");
  assert.equal(initialsFor("Łukasz Żółw"), "ŁŻ");
  assert.equal(initialsFor("😀 smile"), "😀S");
  assert.equal(initialsFor("   "), "?");
  const user = awarenessUser({ id: 3, name: "", username: "ada" });
  assert.equal(user.name, "ada");
  assert.equal(user.initials, "A");
  assert.equal(user.id, "3");
});

test("close codes map to fatal, stop and retry", () => {
  assert.equal(closeOutcome(4401).action, "fatal");
  assert.equal(closeOutcome(4403).action, "fatal");
  assert.equal(closeOutcome(4404).action, "fatal");
  assert.equal(closeOutcome(4413).action, "stop");
  assert.equal(closeOutcome(4400).action, "stop");
  assert.deepEqual(closeOutcome(1009), { action: "stop", reason: "too-large" });
  assert.equal(closeOutcome(4429).action, "retry");
  assert.equal(closeOutcome(1013).reason, "full");
  assert.equal(closeOutcome(1012).reason, "restart");
  assert.equal(closeOutcome(1006).reason, "network");
  assert.equal(closeOutcome(null).reason, "network");
});

test("a server restart spreads the first reconnect over seconds", () => {
  const delays = Array.from({ length: 1000 }, () => reconnectDelay(1012, 0));
  assert.ok(Math.min(...delays) >= 500);
  assert.ok(Math.max(...delays) <= 5000);
  const buckets = new Set(delays.map((d) => Math.floor(d / 500)));
  assert.ok(buckets.size >= 8, "spread, not bunched");
});

test("backoff grows, stays capped and is never zero", () => {
  assert.ok(reconnectDelay(1006, 0, () => 0) >= 200);
  assert.ok(reconnectDelay(1006, 0, () => 1) <= 1000);
  assert.ok(reconnectDelay(1006, 3, () => 0) > reconnectDelay(1006, 1, () => 1) - 1);
  assert.ok(reconnectDelay(1006, 50, () => 1) <= 15000);
  assert.ok(reconnectDelay(1013, 0, () => 0) >= 2500);
  assert.ok(reconnectDelay(1013, 20, () => 1) <= 60000);
  assert.ok(reconnectDelay(4429, 0, () => 0) >= 1500);
});

test("diffText finds the single edit between two strings", () => {
  assert.equal(diffText("same", "same"), null);
  assert.deepEqual(diffText("hello", "help"), { index: 3, remove: 2, insert: "p" });
  assert.deepEqual(diffText("", "abc"), { index: 0, remove: 0, insert: "abc" });
  assert.deepEqual(diffText("aaa", "aaaa"), { index: 3, remove: 0, insert: "a" });
  assert.deepEqual(diffText("abc", ""), { index: 0, remove: 3, insert: "" });
});

test("diffText never splits an emoji", () => {
  for (const [a, b] of [["😀", "😁"], ["x😀y", "x😁y"], ["a😀", "a"], ["😀b", "😃b"]]) {
    const edit = diffText(a, b);
    const result = a.slice(0, edit.index) + edit.insert + a.slice(edit.index + edit.remove);
    assert.equal(result, b);
    // Applied to a Y.Text the edit leaves no lone surrogate behind.
    const text = new Y.Doc().getText();
    text.insert(0, a);
    text.delete(edit.index, edit.remove);
    text.insert(edit.index, edit.insert);
    assert.equal(text.toString(), b);
    assert.ok(!/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(edit.insert), a + b);
  }
});

test("mapPosition keeps a caret on its text while others edit", () => {
  const doc = new Y.Doc();
  const text = doc.getText();
  text.insert(0, "hello world");
  let delta;
  text.observe((event) => { delta = event.delta; });
  text.insert(0, ">> ");
  assert.equal(mapPosition(6, delta), 9);
  text.delete(0, 3);
  assert.equal(mapPosition(9, delta), 6);
  text.insert(6, "big ");
  assert.equal(mapPosition(6, delta), 6, "insert at the caret stays before it");
  assert.equal(mapPosition(6, delta, 1), 10);
  text.delete(2, 8); // "he|llo big world" caret at 4 inside the deleted range
  assert.equal(mapPosition(4, delta), 2);
  assert.equal(mapPosition(12, delta), 4);
});

import { normalizeUrl, displayUrl } from "../src/editor/urls.js";

test("normalizeUrl makes safe hrefs and refuses scripts", () => {
  assert.equal(normalizeUrl("example.com"), "https://example.com");
  assert.equal(normalizeUrl("  https://example.com/a?b=1 "), "https://example.com/a?b=1");
  assert.equal(normalizeUrl("http://x.test"), "http://x.test");
  assert.equal(normalizeUrl("ada@example.com"), "mailto:ada@example.com");
  assert.equal(normalizeUrl("mailto:ada@example.com"), "mailto:ada@example.com");
  assert.equal(normalizeUrl("/pages/123/"), "/pages/123/");
  assert.equal(normalizeUrl("#section"), "#section");
  assert.equal(normalizeUrl("//cdn.test/x"), "https://cdn.test/x");
  assert.equal(normalizeUrl("localhost:8000/x"), "http://localhost:8000/x");
  assert.equal(normalizeUrl("javascript:alert(1)"), null);
  assert.equal(normalizeUrl("JavaScript:alert(1)"), null);
  assert.equal(normalizeUrl("data:text/html,hi"), null);
  assert.equal(normalizeUrl(""), null);
  assert.equal(normalizeUrl("two words"), null);
  assert.equal(displayUrl("https://example.com/"), "example.com");
});

import { deriveStatus, OFFLINE_GRACE_MS } from "../src/editor/status.js";

test("the status badge tells the truth about the connection and unsaved changes", () => {
  const online = { phase: "online", everSynced: true, closeReason: null, offlineSince: null };
  assert.equal(deriveStatus({ phase: "connecting", everSynced: false }, { pending: false }).state, "connecting");
  assert.equal(deriveStatus({ phase: "syncing", everSynced: false }, { pending: true }).state, "connecting");
  assert.equal(deriveStatus(online, { pending: true }).state, "saving");
  assert.equal(deriveStatus(online, { pending: false }).state, "saved");
  assert.equal(deriveStatus({ ...online, phase: "syncing" }, { pending: false }).state, "saved");
  const dropped = { phase: "offline", everSynced: true, offlineSince: 1000 };
  assert.equal(deriveStatus(dropped, { pending: true, now: 1000 + OFFLINE_GRACE_MS - 1 }).state, "saving", "a blip");
  const offline = deriveStatus(dropped, { pending: true, now: 1000 + OFFLINE_GRACE_MS });
  assert.equal(offline.state, "offline");
  assert.equal(offline.label, "Offline – changes kept on this device");
  assert.equal(deriveStatus({ phase: "offline", everSynced: false }, { pending: false }).state, "offline");
  assert.notEqual(deriveStatus(dropped, { pending: true, localCopy: false, now: 1e12 }).label, offline.label);
  for (const reason of ["signed-out", "forbidden", "deleted"]) {
    assert.equal(deriveStatus({ phase: "fatal", closeReason: reason }, { pending: false }).state, "error");
  }
  assert.equal(deriveStatus({ phase: "stopped", closeReason: "too-large" }, { pending: true }).state, "error");
  assert.equal(deriveStatus(online, { pending: true, readOnly: true }).state, "error");
});

import { titleNeverSet, titleSeedUpdate } from "../src/editor/title.js";

test("two browsers seeding the same title at once do not double it", () => {
  const a = new Y.Doc();
  const b = new Y.Doc();
  assert.ok(titleNeverSet(a.getText("title")));
  Y.applyUpdate(a, titleSeedUpdate("page-1", "Roadmap"));
  Y.applyUpdate(b, titleSeedUpdate("page-1", "Roadmap"));
  Y.applyUpdate(a, Y.encodeStateAsUpdate(b));
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
  assert.equal(a.getText("title").toString(), "Roadmap");
  assert.equal(b.getText("title").toString(), "Roadmap");
  assert.ok(!titleNeverSet(a.getText("title")));
  const cleared = new Y.Doc();
  cleared.getText("title").insert(0, "x");
  cleared.getText("title").delete(0, 1);
  assert.ok(!titleNeverSet(cleared.getText("title")), "a title someone emptied stays empty");
});

import { IDLE_AFTER_MS, summarizePeople } from "../src/editor/presence.js";

test("presence shows one avatar per account, yours first, idle by this browser's clock", () => {
  const ada = { id: "1", name: "Ada", color: "#2563eb", initials: "A" };
  const bob = { id: "2", name: "Bob", color: "#dc2626", initials: "B" };
  const eve = { id: "3", name: "Eve", color: "#15803d", initials: "E" };
  const seen = new Map();
  const t0 = 1_000_000;
  const states = new Map([
    [20, { user: bob, mode: "edit", lastActive: t0 - 5_000 }],
    [10, { user: ada, mode: "edit", lastActive: t0 }],
    [11, { user: ada, mode: "edit", lastActive: t0 - 500_000 }], // Ada's other tab
    [30, { user: eve, mode: "view", lastActive: 42 }], // a machine whose clock is way off
    [40, {}], // no user yet
  ]);
  let people = summarizePeople(states, 10, seen, t0);
  assert.deepEqual(people.map((p) => p.id), ["1", "2", "3"]);
  assert.deepEqual(people[0].clientIds, [10, 11]);
  assert.equal(people[0].self, true);
  assert.equal(people[2].mode, "view");
  assert.equal(people[1].idle, false);
  assert.equal(people[2].idle, true, "first seen with an old timestamp: idle");

  // A minute later nobody moved: Bob turns idle. Eve types: her new value wakes her up.
  states.set(30, { user: eve, mode: "view", lastActive: 43 });
  people = summarizePeople(states, 10, seen, t0 + IDLE_AFTER_MS + 1);
  assert.equal(people.find((p) => p.id === "2").idle, true);
  assert.equal(people.find((p) => p.id === "3").idle, false);
  assert.equal(people[0].idle, false, "you are never idle to yourself");

  states.delete(20);
  summarizePeople(states, 10, seen, t0 + IDLE_AFTER_MS + 2);
  assert.equal(seen.has(20), false, "forgets clients that left");
});
