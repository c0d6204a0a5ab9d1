// The Share dialog's rules, without the DOM: roles, who may change what, the order of the
// list, what a failed request tells the user, and the suggestions' keyboard moves.
// Pure, shared with the tests (static/tests/share.test.js).
import { colorForUser, initialsFor } from "../identity.js";

export const ROLES = [
  { value: "viewer", label: "Viewer", hint: "Can read" },
  { value: "editor", label: "Editor", hint: "Can read and edit" },
  { value: "owner", label: "Owner", hint: "Can edit and share" },
];
const RANK = { viewer: 0, editor: 1, owner: 2 };
export const DEFAULT_ROLE = "editor";

export function roleLabel(role) {
  const found = ROLES.find((r) => r.value === role);
  return found ? found.label : role;
}

/** "an editor", "a viewer", "an owner": for sentences. */
export function roleWithArticle(role) {
  const label = roleLabel(role).toLowerCase();
  return /^[aeiou]/.test(label) ? `an ${label}` : `a ${label}`;
}

export function displayName(user) {
  return (user && (String(user.name || "").trim() || user.username)) || "Someone";
}

/** What a member row shows: avatar, names, role and whether this dialog may change it. */
export function memberView(member, { selfId, canManage }) {
  const user = member.user;
  const self = String(user.id) === String(selfId);
  const name = displayName(user);
  const inherited = member.inherited_from || null;
  return {
    id: String(user.id),
    name,
    username: user.username,
    showUsername: Boolean(user.username) && user.username !== name,
    initials: initialsFor(name),
    color: colorForUser(user.id),
    role: member.role,
    self,
    inherited,
    // A role that comes from a page above is changed there; one given here, by an owner here.
    editable: canManage && !inherited,
    // Owners remove anyone's own role here; anyone may leave a page they were added to.
    removable: !inherited && (canManage || self),
  };
}

/** Owners first, then editors, then viewers; by name within a role; you first among equals. */
export function sortMembers(members, selfId) {
  return [...members].sort((a, b) => {
    const byRole = RANK[b.role] - RANK[a.role];
    if (byRole) return byRole;
    const aSelf = String(a.user.id) === String(selfId);
    const bSelf = String(b.user.id) === String(selfId);
    if (aSelf !== bSelf) return aSelf ? -1 : 1;
    return displayName(a.user).localeCompare(displayName(b.user), undefined, { sensitivity: "base" });
  });
}

/** The list with one member put in (added or changed) or taken out (`member` null). */
export function upsertMember(members, userId, member) {
  const rest = members.filter((m) => String(m.user.id) !== String(userId));
  return member ? [...rest, member] : rest;
}

/**
 * Changing your own role or leaving can lock you out of what you are doing: say what happens
 * and ask first. Null when there is nothing to ask.
 */
export function selfChangeWarning({ self, from, to }) {
  if (!self) return null;
  if (to === null) {
    return from === "owner"
      ? "Remove yourself? You'll lose access to this page unless a page above it shares it with you."
      : "Leave this page? You'll lose access unless a page above it shares it with you.";
  }
  if (from === "owner" && to !== "owner") {
    return `Make yourself ${roleWithArticle(to)}? You won't be able to share this page or change roles any more.`;
  }
  return null;
}

/** A sentence for the status line after a change went through. */
export function changeMessage({ name, self, role, previous, requested, inherited }) {
  const who = self ? "You" : name;
  if (role === null) return self ? "You left this page." : `${name} no longer has access.`;
  if (inherited && requested && RANK[requested] < RANK[role]) {
    const keeps = self ? "You keep" : `${name} keeps`;
    return `${keeps} ${roleLabel(role).toLowerCase()} access from “${inherited.title || "Untitled"}”.`;
  }
  if (!previous) return `${name} can now ${role === "viewer" ? "read" : role === "editor" ? "edit" : "edit and share"} this page.`;
  return `${who} ${self ? "are" : "is"} now ${roleWithArticle(role)}.`;
}

/** What to tell the user when a request fails; `error` is an ApiError or a network TypeError. */
export function errorMessage(error, action = "save the change") {
  const status = error && typeof error.status === "number" ? error.status : null;
  if (status === null) return `Couldn't reach the server to ${action}. Check your connection and try again.`;
  if (status === 429) return "Too many changes at once. Wait a moment and try again.";
  if (status === 401) return "Your session has ended. Sign in again to share this page.";
  const detail = error.body && typeof error.body.detail === "string" ? error.body.detail.trim() : "";
  if (status === 403) return detail || "Only owners of this page can change who has access.";
  if (status === 404) return detail || "This page or person no longer exists.";
  if (status >= 500) return `Something went wrong on the server and we couldn't ${action}. Try again in a moment.`;
  return detail || `Couldn't ${action}.`;
}

/** Search results from /api/users/, each marked with the access its person already has. */
export function annotateSuggestions(users, members, selfId) {
  const byId = new Map(members.map((m) => [String(m.user.id), m]));
  return users.map((user) => {
    const member = byId.get(String(user.id)) || null;
    const name = displayName(user);
    return {
      id: String(user.id),
      username: user.username,
      name,
      initials: initialsFor(name),
      color: colorForUser(user.id),
      self: String(user.id) === String(selfId),
      role: member ? member.role : null,
      inherited: member ? member.inherited_from || null : null,
    };
  });
}

/** The highlighted suggestion after a key press; -1 means none (the text field itself). */
export function moveHighlight(current, key, count) {
  if (count === 0) return -1;
  switch (key) {
    case "ArrowDown":
      return current < 0 || current >= count - 1 ? 0 : current + 1;
    case "ArrowUp":
      return current <= 0 ? count - 1 : current - 1;
    case "Home":
      return 0;
    case "End":
      return count - 1;
    default:
      return current;
  }
}

/** Worth asking the server: the API answers only from two characters on. */
export function searchTerm(text) {
  const term = String(text || "").trim();
  return term.length >= 2 ? term : null;
}
