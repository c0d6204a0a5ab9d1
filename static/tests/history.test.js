// The version history's pure logic: relative times, day headings, the list state and labels.
import { test } from "node:test";
import assert from "node:assert/strict";

import { dayLabel, exactTime, relativeTime } from "../src/editor/history/time.js";
import {
  VersionList,
  describeVersion,
  groupByDay,
  moveSelection,
  orderPair,
  peopleLine,
  peopleOf,
  personName,
  reasonLabel,
  versionName,
  versionOption,
} from "../src/editor/history/versions.js";

const UTC = { locale: "en-GB", timeZone: "UTC" };
const NOW = new Date("2025-03-12T15:00:00Z"); // a Wednesday

const ago = (ms) => new Date(NOW.getTime() - ms).toISOString();
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

test("recent times read as minutes and hours ago", () => {
  assert.equal(relativeTime(ago(10_000), NOW, UTC), "just now");
  assert.equal(relativeTime(new Date(NOW.getTime() + 20_000), NOW, UTC), "just now", "a server clock a little ahead");
  assert.equal(relativeTime(ago(60_000), NOW, UTC), "1 minute ago");
  assert.equal(relativeTime(ago(5 * MIN), NOW, UTC), "5 minutes ago");
  assert.equal(relativeTime(ago(50 * MIN), NOW, UTC), "1 hour ago");
  assert.equal(relativeTime(ago(3 * HOUR), NOW, UTC), "3 hours ago");
  assert.equal(relativeTime(ago(14 * HOUR), NOW, UTC), "14 hours ago", "earlier today");
  assert.equal(relativeTime("not a date", NOW, UTC), "");
});

test("older times give the day and the time", () => {
  assert.equal(relativeTime("2025-03-11T09:30:00Z", NOW, UTC), "Yesterday at 9:30");
  assert.equal(relativeTime("2025-03-11T20:30:00Z", NOW, UTC), "Yesterday at 20:30", "under 24 hours but yesterday");
  assert.equal(relativeTime("2025-03-09T08:05:00Z", NOW, UTC), "Sunday at 8:05");
  assert.equal(relativeTime("2025-01-03T08:05:00Z", NOW, UTC), "3 Jan at 8:05");
  assert.equal(relativeTime("2023-11-30T08:05:00Z", NOW, UTC), "30 Nov 2023");
});

test("the calendar day depends on the reader's time zone", () => {
  const earlyTodayInUtc = "2025-03-12T01:00:00Z";
  const california = { locale: "en-GB", timeZone: "America/Los_Angeles" };
  assert.equal(dayLabel(earlyTodayInUtc, NOW, UTC), "Today");
  assert.equal(dayLabel(earlyTodayInUtc, NOW, california), "Yesterday", "18:00 on the 11th in California");
});

test("day headings", () => {
  assert.equal(dayLabel(ago(HOUR), NOW, UTC), "Today");
  assert.equal(dayLabel(ago(DAY), NOW, UTC), "Yesterday");
  assert.equal(dayLabel(ago(3 * DAY), NOW, UTC), "Sunday");
  assert.equal(dayLabel("2025-02-01T10:00:00Z", NOW, UTC), "1 February");
  assert.equal(dayLabel("2024-02-01T10:00:00Z", NOW, UTC), "1 February 2024");
});

test("the exact time is complete", () => {
  const text = exactTime("2025-03-11T09:30:00Z", UTC);
  assert.match(text, /Tuesday/);
  assert.match(text, /11 March 2025/);
  assert.match(text, /09:30|9:30/);
});

const ada = { id: 1, username: "ada", name: "Ada Lovelace" };
const grace = { id: 2, username: "grace", name: "" };
const linus = { id: 3, username: "linus", name: "Linus" };
const zoe = { id: 4, username: "zoe", name: "Zoë Ünal" };

function version(number, extra = {}) {
  return {
    number,
    created_at: ago((20 - number) * HOUR),
    label: "",
    reason: "auto",
    restored_from: null,
    author: ada,
    contributors: [ada],
    title: "Plan",
    ...extra,
  };
}

test("people: the author first, each person once, names or usernames", () => {
  assert.deepEqual(peopleOf(version(1, { author: grace, contributors: [ada, grace, linus] })).map((u) => u.id), [2, 1, 3]);
  assert.deepEqual(peopleOf(version(1, { author: null, contributors: [] })), []);
  assert.equal(personName(grace), "grace");
  assert.equal(personName(null), "Unknown");
  assert.equal(peopleLine([ada]), "Ada Lovelace");
  assert.equal(peopleLine([ada, grace]), "Ada Lovelace and grace");
  assert.equal(peopleLine([ada, grace, linus]), "Ada Lovelace, grace and Linus");
  assert.equal(peopleLine([ada, grace, linus, zoe]), "Ada Lovelace, grace and 2 others");
});

test("reasons and names", () => {
  assert.equal(reasonLabel(version(3)), "Automatic");
  assert.equal(reasonLabel(version(3, { reason: "named", label: "Before the reorg" })), "Named");
  assert.equal(reasonLabel(version(9, { reason: "restore", restored_from: 7 })), "Restored from v7");
  assert.equal(versionName(version(3)), "Version 3");
  assert.equal(versionName(version(3, { label: "  Before the reorg " })), "Before the reorg");
  assert.equal(versionOption(version(3, { label: "Launch" }), NOW, UTC), "v3 · Launch · Yesterday at 22:00");
  const spoken = describeVersion(version(9, { reason: "restore", restored_from: 7, contributors: [ada, zoe] }), NOW, UTC);
  assert.match(spoken, /^Version 9, 11 hours ago \(.*\), by Ada Lovelace and Zoë Ünal, Restored from v7$/);
});

test("pages merge newest first without duplicates; a fresh first page keeps our place", () => {
  const list = new VersionList();
  list.apply({ count: 5, next: "/api/pages/x/versions/?page=2", results: [version(5), version(4)] });
  assert.deepEqual(list.versions.map((v) => v.number), [5, 4]);
  assert.ok(list.hasMore);
  list.apply({ count: 5, next: null, results: [version(3), version(2), version(1)] });
  assert.deepEqual(list.versions.map((v) => v.number), [5, 4, 3, 2, 1]);
  assert.equal(list.hasMore, false);
  // A new version (a restore) arrives: reload the first page.
  list.apply({ count: 6, next: "/api/pages/x/versions/?page=2", results: [version(6, { reason: "restore" }), version(5)] }, { fresh: true });
  assert.deepEqual(list.versions.map((v) => v.number), [6, 5, 4, 3, 2, 1]);
  assert.equal(list.hasMore, false, "the older pages are already here");
  assert.equal(list.count, 6);
  assert.equal(list.latest.number, 6);
  assert.equal(list.find(6).reason, "restore");
  assert.equal(list.find(42), null);
});

test("the previous version is the nearest older one loaded", () => {
  const list = new VersionList().apply({ count: 3, next: null, results: [version(9), version(5), version(4)] });
  assert.equal(list.previous(9), 5);
  assert.equal(list.previous(4), 3, "not loaded yet: the number before");
  assert.equal(list.previous(1), null);
});

test("versions are grouped by day", () => {
  const versions = [
    version(3, { created_at: ago(HOUR) }),
    version(2, { created_at: ago(2 * HOUR) }),
    version(1, { created_at: ago(2 * DAY) }),
  ];
  const groups = groupByDay(versions, NOW, UTC);
  assert.deepEqual(groups.map((g) => [g.label, g.versions.map((v) => v.number)]), [["Today", [3, 2]], ["Monday", [1]]]);
});

test("arrow keys move through current and the versions, stopping at the ends", () => {
  const items = ["current", 5, 4, 3];
  assert.equal(moveSelection(items, "current", "ArrowDown"), 5);
  assert.equal(moveSelection(items, 5, "ArrowUp"), "current");
  assert.equal(moveSelection(items, "current", "ArrowUp"), "current");
  assert.equal(moveSelection(items, 3, "ArrowDown"), 3);
  assert.equal(moveSelection(items, 4, "Home"), "current");
  assert.equal(moveSelection(items, 5, "End"), 3);
  assert.equal(moveSelection(items, 5, "PageDown"), 3);
  assert.equal(moveSelection(items, 5, "x"), null);
  assert.equal(moveSelection([], null, "ArrowDown"), null);
});

test("a comparison shows the older version first", () => {
  assert.deepEqual(orderPair(12, 5), [5, 12]);
  assert.deepEqual(orderPair(5, 12), [5, 12]);
});
