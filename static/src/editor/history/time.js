// Times in the version history: "3 hours ago" in the list, the exact time in a tooltip, and
// day headings ("Today", "Yesterday", "Monday", "3 March"). Pure, shared with the tests;
// `locale` and `timeZone` are left to the browser except in tests.

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

function toDate(value) {
  return value instanceof Date ? value : new Date(value);
}

/** The calendar day of a moment in a time zone, as days since 1970 (to count days between). */
export function dayNumber(value, timeZone) {
  const parts = new Intl.DateTimeFormat("en-US", { timeZone, year: "numeric", month: "numeric", day: "numeric" })
    .formatToParts(toDate(value))
    .reduce((acc, part) => ({ ...acc, [part.type]: Number(part.value) }), {});
  return Math.round(Date.UTC(parts.year, parts.month - 1, parts.day) / (24 * HOUR));
}

/** "14:05" or "2:05 PM", as the reader's locale writes a time of day. */
export function timeOfDay(value, { locale, timeZone } = {}) {
  return new Intl.DateTimeFormat(locale, { hour: "numeric", minute: "2-digit", timeZone }).format(toDate(value));
}

/** The full date and time, for tooltips and screen readers: "Monday 3 March 2025 at 14:05". */
export function exactTime(value, { locale, timeZone } = {}) {
  return new Intl.DateTimeFormat(locale, { dateStyle: "full", timeStyle: "short", timeZone }).format(toDate(value));
}

/**
 * How long ago, the way people say it: "just now", "5 minutes ago", "3 hours ago", then
 * "Yesterday at 14:05", "Monday at 14:05", "3 Mar at 14:05", "3 Mar 2023".
 * A time slightly in the future (a server clock ahead of ours) is "just now".
 */
export function relativeTime(value, now = new Date(), { locale, timeZone } = {}) {
  const then = toDate(value);
  const elapsed = toDate(now) - then;
  if (Number.isNaN(elapsed)) return "";
  if (elapsed < 45_000) return "just now";
  if (elapsed < 45 * MINUTE) {
    const minutes = Math.max(1, Math.round(elapsed / MINUTE));
    return minutes === 1 ? "1 minute ago" : `${minutes} minutes ago`;
  }
  const days = dayNumber(now, timeZone) - dayNumber(then, timeZone);
  if (elapsed < 12 * HOUR || (days === 0 && elapsed < 24 * HOUR)) {
    const hours = Math.max(1, Math.round(elapsed / HOUR));
    return hours === 1 ? "1 hour ago" : `${hours} hours ago`;
  }
  const at = timeOfDay(then, { locale, timeZone });
  if (days === 1) return `Yesterday at ${at}`;
  if (days < 7) return `${new Intl.DateTimeFormat(locale, { weekday: "long", timeZone }).format(then)} at ${at}`;
  const sameYear = yearOf(then, timeZone) === yearOf(now, timeZone);
  if (sameYear) return `${new Intl.DateTimeFormat(locale, { day: "numeric", month: "short", timeZone }).format(then)} at ${at}`;
  return new Intl.DateTimeFormat(locale, { day: "numeric", month: "short", year: "numeric", timeZone }).format(then);
}

function yearOf(value, timeZone) {
  return Number(new Intl.DateTimeFormat("en-US", { year: "numeric", timeZone }).format(toDate(value)));
}

/** The heading of a day in the list: "Today", "Yesterday", "Monday" (this week), "3 March", "3 March 2024". */
export function dayLabel(value, now = new Date(), { locale, timeZone } = {}) {
  const then = toDate(value);
  const days = dayNumber(now, timeZone) - dayNumber(then, timeZone);
  if (days <= 0) return "Today";
  if (days === 1) return "Yesterday";
  if (days < 7) return new Intl.DateTimeFormat(locale, { weekday: "long", timeZone }).format(then);
  const options = { day: "numeric", month: "long", timeZone };
  if (yearOf(then, timeZone) !== yearOf(now, timeZone)) options.year = "numeric";
  return new Intl.DateTimeFormat(locale, options).format(then);
}
