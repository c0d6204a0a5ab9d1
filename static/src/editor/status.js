// The save-status badge and the notice above the page: what we tell the user about the
// connection and their changes. `deriveStatus` is pure; the badge only adds a minimum time
// on "Saving…" so that fast confirmations do not make it flicker (it never says "Saved"
// early, only late).
import { icons } from "./icons.js";

export const OFFLINE_LABEL = "Offline – changes kept on this device";

// A synced connection that drops is usually back within a second (a blip, a deploy): we
// keep saying "Saving…" or "Saved" (both still true) for this long before "Offline".
export const OFFLINE_GRACE_MS = 1500;

/**
 * @param {{phase: string, everSynced: boolean, closeReason: string|null}} connection
 * @param {{pending: boolean, localCopy: boolean, readOnly: boolean}} flags
 * @returns {{state: "connecting"|"saving"|"saved"|"offline"|"error", label: string, detail: string}}
 */
export function deriveStatus(connection, { pending, localCopy = true, readOnly = false, now = Date.now() }) {
  const { everSynced, closeReason, offlineSince } = connection;
  let { phase } = connection;
  if (phase === "offline" && everSynced && offlineSince && now - offlineSince < OFFLINE_GRACE_MS) phase = "online";
  if (phase === "fatal") {
    const labels = { "signed-out": "Signed out", forbidden: "No access", deleted: "Page deleted" };
    return {
      state: "error",
      label: labels[closeReason] || "Disconnected",
      detail: pending ? "Your latest changes were not saved to the server." : "Not connected to the server.",
    };
  }
  if (phase === "stopped") {
    return pending
      ? { state: "error", label: "Not saved", detail: "The server refused a change. See the message above the page." }
      : { state: "error", label: "Disconnected", detail: "The server closed the connection. See the message above the page." };
  }
  if (phase === "connecting" || (phase === "syncing" && !everSynced)) {
    return { state: "connecting", label: "Connecting…", detail: "Connecting to the server." };
  }
  if (phase === "offline") {
    return localCopy
      ? { state: "offline", label: OFFLINE_LABEL, short: "Offline", detail: "You're offline. Your changes are kept on this device and saved when the connection is back." }
      : { state: "offline", label: "Offline – keep this tab open", short: "Offline", detail: "You're offline and this browser can't store changes: keep this tab open until the connection is back." };
  }
  if (pending && readOnly) {
    return { state: "error", label: "Not saved", detail: "You can only view this page, so changes made here can't be saved." };
  }
  if (pending) return { state: "saving", label: "Saving…", detail: "Saving your changes." };
  if (readOnly) return { state: "saved", label: "Up to date", detail: "You're seeing the latest version." };
  return { state: "saved", label: "Saved", detail: "All changes saved." };
}

const STATE_ICONS = {
  saved: icons.check,
  offline: icons.cloudOff,
  error: icons.alert,
};

const MIN_SAVING_MS = 600;

export class StatusBadge {
  constructor({ element, announcer }) {
    this.element = element;
    this.announcer = announcer;
    this.state = "connecting";
    this._shownSavingAt = 0;
    this._timer = null;
    element.classList.add("save-status");
  }

  set(status) {
    clearTimeout(this._timer);
    if (status.state === "saved" && this.state === "saving") {
      const wait = this._shownSavingAt + MIN_SAVING_MS - Date.now();
      if (wait > 0) {
        this._timer = setTimeout(() => this.set(status), wait);
        return;
      }
    }
    if (status.state === "saving" && this.state !== "saving") this._shownSavingAt = Date.now();
    const previous = this.state;
    this.state = status.state;
    const { element } = this;
    const key = `${status.state}|${status.label}|${status.detail}`;
    if (key === this._key) return;
    this._key = key;
    element.dataset.state = status.state;
    element.dataset.tooltip = status.detail;
    const icon = STATE_ICONS[status.state] || '<span class="status-dot" aria-hidden="true"></span>';
    element.innerHTML = `${icon}<span class="status-label"></span><span class="status-short" aria-hidden="true"></span>`;
    element.querySelector(".status-label").textContent = status.label;
    element.querySelector(".status-short").textContent = status.short || status.label;
    // Say it out loud only when it matters: going offline, coming back, errors.
    if (this.announcer && previous !== status.state) {
      if (status.state === "offline" || status.state === "error") this.announcer.textContent = status.detail;
      else if ((previous === "offline" || previous === "error") && status.state !== "connecting") {
        this.announcer.textContent = "Back online.";
      }
    }
  }
}
