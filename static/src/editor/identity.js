// Who the signed-in user is to the others on the page: a stable color and initials.
// Pure, shared with the tests.

// Saturated, distinct hues that all reach 4.5:1 contrast with white text (checked in the
// tests), so initials on avatars and names on caret labels stay readable.
export const PALETTE = [
  "#2563eb", // blue
  "#7c3aed", // violet
  "#c026d3", // fuchsia
  "#db2777", // pink
  "#dc2626", // red
  "#c2410c", // orange
  "#a16207", // amber
  "#4d7c0f", // lime
  "#15803d", // green
  "#0f766e", // teal
  "#0e7490", // cyan
  "#4f46e5", // indigo
];

/** FNV-1a over the UTF-16 code units of the id: small, fast and well spread. */
export function hashString(value) {
  let hash = 0x811c9dc5;
  const text = String(value);
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** The same user gets the same color in every browser and on every page. */
export function colorForUser(userId) {
  return PALETTE[hashString(`user:${userId}`) % PALETTE.length];
}

/** "Ada Lovelace" -> "AL", "ada" -> "A", "  " -> "?"; whole characters, not UTF-16 halves. */
export function initialsFor(name) {
  const words = String(name || "")
    .trim()
    .split(/[\s._-]+/u)
    .filter(Boolean);
  if (words.length === 0) return "?";
  const first = Array.from(words[0])[0];
  const last = words.length > 1 ? Array.from(words[words.length - 1])[0] : "";
  return (first + last).toLocaleUpperCase();
}

/** The awareness `user` field: what CollaborationCaret and the avatar row read. */
export function awarenessUser({ id, name, username }) {
  const display = (name || "").trim() || username || "Anonymous";
  return {
    id: String(id),
    name: display,
    username: username || "",
    color: colorForUser(id),
    initials: initialsFor(display),
  };
}
