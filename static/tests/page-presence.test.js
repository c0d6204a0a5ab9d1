// The page list's "2 editing" pills: the words (the same as the server's) and the polling.
import { test } from "node:test";
import assert from "node:assert/strict";

import { pollPresence, presenceDescription, presenceLabel, renderPresence } from "../src/page-presence.js";

test("labels say who edits, tooltips say everyone (as documents/selectors/presence.py)", () => {
  const cases = [
    [1, 1, "1 editing", "1 person is editing this page now"],
    [2, 2, "2 editing", "2 people are editing this page now"],
    [1, 0, "1 viewing", "1 person is viewing this page now"],
    [3, 0, "3 viewing", "3 people are viewing this page now"],
    [3, 1, "1 editing", "3 people have this page open now: 1 editing, 2 viewing"],
  ];
  for (const [people, editing, label, description] of cases) {
    assert.equal(presenceLabel({ people, editing }), label);
    assert.equal(presenceDescription({ people, editing }), description);
  }
});

function fakePill() {
  const classes = new Set();
  return {
    hidden: true,
    textContent: "",
    title: "",
    classList: { toggle: (name, on) => (on ? classes.add(name) : classes.delete(name)), remove: (n) => classes.delete(n) },
    removeAttribute(name) {
      this[name] = "";
    },
    classes,
  };
}

test("a pill shows, turns grey for viewers only, and hides when everyone leaves", () => {
  const pill = fakePill();
  renderPresence(pill, { people: 2, editing: 1 });
  assert.equal(pill.hidden, false);
  assert.equal(pill.textContent, "1 editing");
  assert.equal(pill.classes.has("is-viewing"), false);
  renderPresence(pill, { people: 1, editing: 0 });
  assert.equal(pill.textContent, "1 viewing");
  assert.equal(pill.classes.has("is-viewing"), true);
  renderPresence(pill, undefined);
  assert.equal(pill.hidden, true);
  assert.equal(pill.textContent, "");
});

function fakeDocument(state = "visible") {
  const listeners = [];
  return {
    visibilityState: state,
    addEventListener: (type, fn) => listeners.push(fn),
    set(stateNow) {
      this.visibilityState = stateNow;
      for (const fn of listeners) fn();
    },
  };
}

test("polling asks every few seconds, pauses while the tab is hidden and stops when signed out", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  const doc = fakeDocument();
  const calls = [];
  let answer = { a: { people: 1, editing: 1 } };
  const applied = [];
  pollPresence({
    url: "/api/pages/presence/",
    seconds: 10,
    doc,
    apply: (counts) => applied.push(counts),
    fetchJson: async (url) => {
      calls.push(url);
      if (answer instanceof Error) throw answer;
      return answer;
    },
  });
  const flush = () => new Promise((resolve) => setImmediate(resolve));
  assert.equal(calls.length, 0, "the server rendered the first counts");
  t.mock.timers.tick(10_000);
  await flush();
  assert.deepEqual(applied, [{ a: { people: 1, editing: 1 } }]);

  doc.set("hidden");
  t.mock.timers.tick(60_000);
  await flush();
  assert.equal(calls.length, 1, "no requests from a hidden tab");
  doc.set("visible");
  await flush();
  assert.equal(calls.length, 2, "fresh counts as soon as the tab is back");

  answer = Object.assign(new Error("forbidden"), { status: 403 });
  t.mock.timers.tick(10_000);
  await flush();
  t.mock.timers.tick(60_000);
  await flush();
  assert.equal(calls.length, 3, "signed out: no more requests");
});
