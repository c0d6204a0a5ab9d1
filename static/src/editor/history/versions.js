// The version list: pages of versions merged newest first, what each version is called, who
// made it and why. Pure, shared with the tests.
import { dayLabel, dayNumber, exactTime, relativeTime } from "./time.js";

/** A person's name as the list shows it. */
export function personName(user) {
  if (!user) return "Unknown";
  return (user.name || "").trim() || user.username || "Unknown";
}

/** The author first, then the other contributors, each person once. */
export function peopleOf(version) {
  const people = [];
  const seen = new Set();
  for (const user of [version.author, ...(version.contributors || [])]) {
    if (!user || seen.has(String(user.id))) continue;
    seen.add(String(user.id));
    people.push(user);
  }
  return people;
}

/** "Ada", "Ada and Grace", "Ada, Grace and Linus", "Ada, Grace and 3 others". */
export function peopleLine(people, max = 2) {
  const names = people.map(personName);
  if (names.length === 0) return "";
  if (names.length === 1) return names[0];
  if (names.length <= max + 1) return `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
  const others = names.length - max;
  return `${names.slice(0, max).join(", ")} and ${others} others`;
}

/** Why the version exists: "Named", "Restored from v7", "Automatic". */
export function reasonLabel(version) {
  if (version.reason === "restore") return version.restored_from ? `Restored from v${version.restored_from}` : "Restored";
  if (version.reason === "named") return "Named";
  return "Automatic";
}

/** A version's name in headings: its label, or "Version 12". */
export function versionName(version) {
  return (version.label || "").trim() || `Version ${version.number}`;
}

/** One line for the version pickers: "v12 · Before the reorg · 3 hours ago". */
export function versionOption(version, now = new Date(), options = {}) {
  const label = (version.label || "").trim();
  return [`v${version.number}`, label, relativeTime(version.created_at, now, options)].filter(Boolean).join(" · ");
}

/** What a screen reader says for a version in the list. */
export function describeVersion(version, now = new Date(), options = {}) {
  const parts = [`Version ${version.number}`];
  if ((version.label || "").trim()) parts.push(`named ${version.label.trim()}`);
  parts.push(`${relativeTime(version.created_at, now, options)} (${exactTime(version.created_at, options)})`);
  const people = peopleOf(version);
  if (people.length) parts.push(`by ${peopleLine(people, people.length)}`);
  parts.push(reasonLabel(version));
  return parts.join(", ");
}

/** Versions grouped by day, newest first: [{key, label, versions}]. */
export function groupByDay(versions, now = new Date(), options = {}) {
  const groups = [];
  for (const version of versions) {
    const key = dayNumber(version.created_at, options.timeZone);
    let group = groups[groups.length - 1];
    if (!group || group.key !== key) {
      group = { key, label: dayLabel(version.created_at, now, options), versions: [] };
      groups.push(group);
    }
    group.versions.push(version);
  }
  return groups;
}

/** Loaded pages of the version list and where the next one is. */
export class VersionList {
  constructor() {
    this.versions = [];
    this.count = 0;
    this.next = null;
    this.loaded = false;
  }

  /** Adds a page of results; `fresh` is a reload of the first page (new versions go on top). */
  apply(page, { fresh = false } = {}) {
    const byNumber = new Map(this.versions.map((version) => [version.number, version]));
    for (const version of page.results || []) byNumber.set(version.number, version);
    this.versions = [...byNumber.values()].sort((a, b) => b.number - a.number);
    this.count = Math.max(page.count || 0, this.versions.length);
    // A fresh first page says nothing about older pages already loaded: keep our place.
    if (!fresh || !this.loaded) this.next = page.next || null;
    this.loaded = true;
    return this;
  }

  get hasMore() {
    return Boolean(this.next);
  }

  get latest() {
    return this.versions[0] || null;
  }

  find(number) {
    return this.versions.find((version) => version.number === number) || null;
  }

  /** The version before this one: the nearest older one loaded, else the number before it. */
  previous(number) {
    const older = this.versions.find((version) => version.number < number);
    if (older) return older.number;
    return number > 1 ? number - 1 : null;
  }
}

/**
 * The item a key press moves to in the list, which starts with "current" then the versions.
 * @returns {"current"|number|null} null when the key does not move.
 */
export function moveSelection(items, selected, key) {
  if (items.length === 0) return null;
  const index = items.indexOf(selected);
  switch (key) {
    case "ArrowDown":
      return items[Math.min(items.length - 1, index + 1)];
    case "ArrowUp":
      return items[Math.max(0, index - 1)];
    case "Home":
      return items[0];
    case "End":
      return items[items.length - 1];
    case "PageDown":
      return items[Math.min(items.length - 1, index + 10)];
    case "PageUp":
      return items[Math.max(0, index - 10)];
    default:
      return null;
  }
}

/** The two versions of a comparison, older first, whichever way they were picked. */
export function orderPair(a, b) {
  return a <= b ? [a, b] : [b, a];
}
