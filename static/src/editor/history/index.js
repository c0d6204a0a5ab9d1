// Page history: a "History" button in the page header opens a drawer listing the page's
// versions (newest first, loaded as you scroll). Choosing one shows it in place of the live
// editor, read-only, with a banner to compare it, restore it or go back; "Compare" shows what
// changed between any two versions, inline or side by side.
//
// While the history is open the live editor stays connected underneath (inert), so a restore
// reaches it as a normal update through the WebSocket, without a reload.
import { toast } from "../../api.js";
import { icons } from "../icons.js";
import { colorForUser, initialsFor } from "../identity.js";
import { HistoryApi } from "./api.js";
import { askVersionName, confirmRestore } from "./dialogs.js";
import { ChangeNavigator, renderDiff, renderVersion } from "./diff-view.js";
import { exactTime, relativeTime } from "./time.js";
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
} from "./versions.js";

const isMac = typeof navigator !== "undefined" && /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);
const REFRESH_EVERY_MS = 60_000;
const KEY_PREVIEW_DELAY_MS = 180;
const MAX_AVATARS = 3;
const phone = () => window.matchMedia("(max-width: 640px)").matches;
const FOCUSABLE = 'a[href], button:not([disabled]), select:not([disabled]), input:not([disabled]), summary, [tabindex]:not([tabindex="-1"])';

function element(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") node.className = value;
    else if (name === "html") node.innerHTML = value;
    else node.setAttribute(name, value === true ? "" : value);
  }
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

function avatar(user) {
  const name = personName(user);
  const face = element("span", { class: "mini-avatar" }, initialsFor(name));
  face.style.setProperty("--avatar", user ? colorForUser(user.id) : "#8a93a5");
  return face;
}

/** Mounts the history on the editor page; returns the panel (for tests and the console). */
export function mountHistory({ root, pageId, canEdit, editor }) {
  const slot = root.querySelector("#page-actions");
  if (!slot || !pageId) return null;
  return new HistoryPanel({ root, slot, pageId, canEdit, editor });
}

class HistoryPanel {
  constructor({ root, slot, pageId, canEdit, editor }) {
    this.root = root;
    this.canEdit = canEdit;
    this.editor = editor;
    this.api = new HistoryApi(pageId);
    this.list = new VersionList();
    this.isOpen = false;
    this.selected = "current";
    this.compare = null; // {from, to} while comparing
    this.layout = "inline";
    this.phoneScreen = "list";
    this.versionCache = new Map();
    this.diffCache = new Map();
    this.request = 0;
    this.listLoading = null;
    this.listError = null;
    this.announcer = root.querySelector("[data-announcer]");
    // The live editor, out of reach while the history is open (the header stays: its History
    // button closes the history again).
    this.live = [root.querySelector("[data-editor-bar]"), root.querySelector("[data-page-body]")].filter(Boolean);

    this.button = element(
      "button",
      { type: "button", class: "history-button", "aria-expanded": "false", "aria-controls": "history-drawer" },
    );
    this.button.innerHTML = `${icons.history}<span>History</span>`;
    this.button.setAttribute("aria-keyshortcuts", isMac ? "Meta+Alt+Shift+H" : "Control+Alt+Shift+H");
    this.button.addEventListener("click", () => (this.isOpen ? this.close() : this.open()));
    slot.append(this.button);
    // Mod-Alt-Shift-H, as in Google Docs. event.code: Alt changes the character on a Mac.
    document.addEventListener("keydown", (event) => {
      if (event.code !== "KeyH" || !event.altKey || !event.shiftKey || !(isMac ? event.metaKey : event.ctrlKey)) return;
      if (document.querySelector("dialog[open]")) return;
      event.preventDefault();
      if (this.isOpen) this.close({ toEditor: true });
      else this.open();
    });

    this._buildDrawer();
    this._buildView();
    this._onKey = (event) => this._key(event);
    this._onResize = () => this._layoutChanged();
  }

  // Structure

  _buildDrawer() {
    const drawer = element("aside", {
      class: "history-drawer",
      id: "history-drawer",
      role: "dialog",
      // Not modal to assistive technology: the version shown beside it belongs to it too
      // (the live editor is made inert instead).
      "aria-modal": "false",
      "aria-labelledby": "history-drawer-title",
      hidden: true,
    });
    drawer.innerHTML = `
      <header class="history-head">
        <h2 id="history-drawer-title">Version history</h2>
        <button type="button" class="icon-button" data-close aria-label="Close version history" data-tooltip="Close (Esc)">${icons.close}</button>
      </header>
      <div class="history-tools">
        <button type="button" class="history-name-button" data-name>${icons.tag}<span>Name current version</span></button>
      </div>
      <div class="history-refresh-error" role="alert" hidden></div>
      <div class="history-scroll">
        <div class="version-list" role="listbox" aria-labelledby="history-drawer-title" tabindex="-1"></div>
        <div class="history-more" aria-live="polite"></div>
      </div>
      <p class="history-hint">Shift-click a version to compare it with the one shown.</p>`;
    this.drawer = drawer;
    this.listbox = drawer.querySelector(".version-list");
    this.more = drawer.querySelector(".history-more");
    this.scroller = drawer.querySelector(".history-scroll");
    this.refreshError = drawer.querySelector(".history-refresh-error");
    drawer.querySelector("[data-close]").addEventListener("click", () => this.close());
    const nameButton = drawer.querySelector("[data-name]");
    if (this.canEdit) nameButton.addEventListener("click", () => this.nameCurrent());
    else drawer.querySelector(".history-tools").remove();
    this.listbox.addEventListener("click", (event) => {
      const option = event.target.closest("[role=option]");
      if (!option) return;
      const key = option.dataset.key === "current" ? "current" : Number(option.dataset.key);
      if (event.shiftKey && key !== "current" && typeof this.selected === "number" && key !== this.selected) {
        const [from, to] = orderPair(key, this.selected);
        this.showCompare(from, to);
        return;
      }
      this.select(key, { fromPointer: true });
    });
    this.listbox.addEventListener("keydown", (event) => this._listKey(event));
    this.root.append(drawer);
    if ("IntersectionObserver" in window) {
      this.observer = new IntersectionObserver(
        (entries) => {
          if (entries.some((entry) => entry.isIntersecting) && this.isOpen && this.list.hasMore && !this.listError) this.loadMore();
        },
        { root: this.scroller, rootMargin: "200px" },
      );
      this.observer.observe(this.more);
    }
  }

  _buildView() {
    const view = element("section", { class: "history-view", "aria-labelledby": "history-view-title", hidden: true });
    view.innerHTML = `
      <div class="history-sticky">
      <div class="history-banner">
        <button type="button" class="history-to-list" data-to-list>${icons.arrowLeft}<span>Versions</span></button>
        <div class="history-banner-text">
          <h2 id="history-view-title"></h2>
          <p class="history-banner-meta"></p>
        </div>
        <div class="history-banner-actions">
          <button type="button" data-compare aria-pressed="false">${icons.compare}<span>Compare</span></button>
          <button type="button" class="primary" data-restore>${icons.restore}<span>Restore this version</span></button>
          <button type="button" class="history-back" data-back>Back to current</button>
        </div>
        <button type="button" class="history-back-top" data-back>Back to current</button>
      </div>
      <div class="compare-bar" hidden>
        <div class="compare-pickers">
          <label><span class="visually-hidden">Older version</span><select data-from></select></label>
          <span class="compare-arrow" aria-hidden="true">→</span>
          <label><span class="visually-hidden">Newer version</span><select data-to></select></label>
        </div>
        <div class="segmented" role="group" aria-label="Layout">
          <button type="button" data-layout="inline" aria-pressed="true">Inline</button>
          <button type="button" data-layout="side_by_side" aria-pressed="false">Side by side</button>
        </div>
        <div class="diff-nav">
          <span class="diff-count"></span>
          <button type="button" class="icon-button" data-step="-1" aria-label="Previous change" data-tooltip="Previous change">${icons.arrowUp}</button>
          <button type="button" class="icon-button" data-step="1" aria-label="Next change" data-tooltip="Next change">${icons.arrowDown}</button>
        </div>
        <div class="diff-summary-row">
          <p class="diff-summary" aria-live="polite"></p>
          <ul class="diff-legend" aria-label="Legend">
            <li><ins class="diff-ins">Added</ins></li>
            <li><del class="diff-del">Deleted</del></li>
            <li><span class="legend-moved">Moved</span></li>
            <li><span class="diff-format">Formatting</span></li>
          </ul>
        </div>
      </div>
      </div>
      <div class="history-content" tabindex="0" aria-label="Version content"></div>`;
    this.view = view;
    this.title = view.querySelector("#history-view-title");
    this.meta = view.querySelector(".history-banner-meta");
    this.compareButton = view.querySelector("[data-compare]");
    this.restoreButton = view.querySelector("[data-restore]");
    this.compareBar = view.querySelector(".compare-bar");
    this.fromSelect = view.querySelector("[data-from]");
    this.toSelect = view.querySelector("[data-to]");
    this.summary = view.querySelector(".diff-summary");
    this.count = view.querySelector(".diff-count");
    this.content = view.querySelector(".history-content");
    if (!this.canEdit) this.restoreButton.remove();
    for (const back of view.querySelectorAll("[data-back]")) back.addEventListener("click", () => this.close({ toEditor: true }));
    view.querySelector("[data-to-list]").addEventListener("click", () => this._showPhoneList());
    this.compareButton.addEventListener("click", () => {
      if (this.compare) this.select(this.compare.to, { keepCompare: false, force: true });
      else if (typeof this.selected === "number") {
        const previous = this.list.previous(this.selected);
        if (previous) this.showCompare(previous, this.selected);
      }
    });
    this.restoreButton.addEventListener("click", () => this.restore(this.compare ? this.compare.to : this.selected));
    const pick = () => {
      const [from, to] = orderPair(Number(this.fromSelect.value), Number(this.toSelect.value));
      if (from === to) {
        this.summary.textContent = "Pick two different versions to compare.";
        return;
      }
      this.showCompare(from, to);
    };
    this.fromSelect.addEventListener("change", pick);
    this.toSelect.addEventListener("change", pick);
    for (const button of view.querySelectorAll("[data-layout]")) {
      button.addEventListener("click", () => {
        this.layout = button.dataset.layout;
        this._renderView();
      });
    }
    for (const button of view.querySelectorAll("[data-step]")) {
      button.addEventListener("click", () => this._step(Number(button.dataset.step)));
    }
    const body = this.root.querySelector("[data-page-body]");
    (body || this.root.lastElementChild).after(view);
  }

  // Opening and closing

  open() {
    if (this.isOpen) return;
    this.isOpen = true;
    this.scrollBefore = window.scrollY;
    document.body.classList.add("history-open");
    for (const node of this.live) node.inert = true;
    this.drawer.hidden = false;
    this.button.setAttribute("aria-expanded", "true");
    this.selected = "current";
    this.compare = null;
    this.phoneScreen = "list";
    this._applyScreens();
    this.renderList();
    this._focusSelected();
    document.addEventListener("keydown", this._onKey, true);
    window.addEventListener("resize", this._onResize);
    this.loadFirst();
    this.timer = setInterval(() => {
      if (document.visibilityState === "visible") {
        this.renderList();
        this.loadFirst({ quiet: true });
      }
    }, REFRESH_EVERY_MS);
  }

  close({ toEditor = false } = {}) {
    if (!this.isOpen) return;
    this.isOpen = false;
    this.request++;
    clearInterval(this.timer);
    clearTimeout(this.previewTimer);
    document.removeEventListener("keydown", this._onKey, true);
    window.removeEventListener("resize", this._onResize);
    document.body.classList.remove("history-open", "history-viewing", "history-phone-list");
    for (const node of this.live) node.inert = false;
    this.drawer.hidden = true;
    this._applyScreens();
    this.content.replaceChildren();
    this.button.setAttribute("aria-expanded", "false");
    window.scrollTo({ top: this.scrollBefore || 0 });
    if (toEditor && this.editor && this.editor.isEditable) this.editor.commands.focus();
    else this.button.focus();
  }

  _layoutChanged() {
    if (!phone()) this.phoneScreen = "list";
    this._applyScreens();
    if (phone() && this.layout === "side_by_side" && this.compare) {
      this.layout = "inline";
      this._renderView();
    }
  }

  /** Which of the list and the version view show: both on a wide screen, one at a time on a phone. */
  _applyScreens() {
    const viewing = this.isOpen && this.selected !== "current";
    const onPhone = phone();
    const wasViewing = !this.view.hidden;
    this.view.hidden = !viewing;
    // The live page was hidden: let what measures itself there (the title's height) measure again.
    if (wasViewing && !viewing) requestAnimationFrame(() => window.dispatchEvent(new Event("resize")));
    document.body.classList.toggle("history-viewing", viewing);
    const listShown = !onPhone || this.phoneScreen === "list" || !viewing;
    this.drawer.classList.toggle("is-behind", !listShown);
    document.body.classList.toggle("history-phone-list", this.isOpen && onPhone && listShown);
  }

  _showPhoneList() {
    this.phoneScreen = "list";
    this._applyScreens();
    this._focusSelected();
  }

  // The list

  async loadFirst({ quiet = false } = {}) {
    if (this.listLoading) return this.listLoading;
    const hadList = this.list.loaded;
    if (!hadList) this.listError = null;
    this._renderMore();
    this.listLoading = this.api
      .list()
      .then((page) => {
        this.list.apply(page, { fresh: true });
        if (!hadList) this.listError = null;
        this._showRefreshError(null);
      })
      .catch((error) => {
        // With versions already on screen, say the list may be out of date, above it.
        if (hadList) {
          if (!quiet) this._showRefreshError(error);
        } else {
          this.listError = error;
        }
      })
      .finally(() => {
        this.listLoading = null;
        this.renderList();
        this._updatePickers();
        if (this.selected !== "current") this._renderBanner();
      });
    return this.listLoading;
  }

  _showRefreshError(error) {
    this.refreshError.hidden = !error;
    this.refreshError.replaceChildren();
    if (!error) return;
    const retry = element("button", { type: "button", class: "link-button" }, "Try again");
    retry.addEventListener("click", () => this.loadFirst());
    this.refreshError.append(element("span", {}, `Couldn't check for newer versions: ${error.message}`), retry);
  }

  async loadMore() {
    if (this.listLoading || !this.list.hasMore) return this.listLoading;
    this.listError = null;
    this._renderMore(true);
    this.listLoading = this.api
      .list(this.list.next)
      .then((page) => this.list.apply(page))
      .catch((error) => {
        this.listError = error;
      })
      .finally(() => {
        this.listLoading = null;
        this.renderList();
        this._updatePickers();
      });
    return this.listLoading;
  }

  renderList() {
    const now = new Date();
    const focused = this.listbox.contains(document.activeElement) ? document.activeElement.dataset.key : null;
    const parts = [this._currentOption()];
    for (const group of groupByDay(this.list.versions, now)) {
      const id = `history-day-${group.key}`;
      const wrapper = element("div", { role: "group", "aria-labelledby": id, class: "version-group" });
      wrapper.append(element("div", { class: "version-day", id }, group.label));
      for (const version of group.versions) wrapper.append(this._option(version, now));
      parts.push(wrapper);
    }
    this.listbox.replaceChildren(...parts);
    this.listbox.setAttribute("aria-busy", String(Boolean(this.listLoading) && !this.list.loaded));
    this._syncSelection();
    if (this.observer) {
      // Observing afresh reports at once whether the end is in view: a short list fetches the
      // next page without waiting for a scroll that cannot happen.
      this.observer.unobserve(this.more);
      this.observer.observe(this.more);
    }
    if (focused) {
      const again = this.listbox.querySelector(`[data-key="${CSS.escape(focused)}"]`);
      if (again) again.focus({ preventScroll: true });
    }
    this._renderMore();
  }

  _currentOption() {
    const option = element("div", { role: "option", class: "version-item is-live", "data-key": "current", id: "history-option-current", tabindex: "-1" });
    option.append(
      element("span", { class: "live-dot", "aria-hidden": "true" }),
      element(
        "div",
        { class: "version-main" },
        element("div", { class: "version-line1" }, element("span", { class: "version-when" }, "Current version")),
        element("div", { class: "version-line2" }, "The page as it is now, live"),
      ),
    );
    option.setAttribute("aria-label", "Current version, the page as it is now");
    return option;
  }

  _option(version, now) {
    const named = Boolean((version.label || "").trim());
    const classes = ["version-item"];
    if (named) classes.push("is-named");
    if (version.reason === "restore") classes.push("is-restore");
    if (version.number === this.justMade) classes.push("is-new");
    const option = element("div", {
      role: "option",
      class: classes.join(" "),
      "data-key": String(version.number),
      id: `history-option-${version.number}`,
      tabindex: "-1",
      "aria-label": describeVersion(version, now),
    });
    const people = peopleOf(version);
    const faces = element("div", { class: "version-avatars", "aria-hidden": "true" });
    const shown = people.length > MAX_AVATARS ? MAX_AVATARS - 1 : people.length;
    for (const user of people.slice(0, shown)) faces.append(avatar(user));
    if (people.length > shown) faces.append(element("span", { class: "mini-avatar is-more" }, `+${people.length - shown}`));
    if (people.length === 0) faces.append(avatar(null));

    const when = element("time", { datetime: version.created_at, "data-tooltip": exactTime(version.created_at), class: "version-when" }, relativeTime(version.created_at, now));
    const number = element("span", { class: "version-number" }, `v${version.number}`);
    const line1 = element("div", { class: "version-line1" });
    const line2 = element("div", { class: "version-line2" });
    if (named) {
      const label = element("span", { class: "version-label" });
      label.innerHTML = icons.tag;
      label.append(element("span", {}, version.label.trim()));
      line1.append(label, number);
      line2.append(when, element("span", { class: "sep", "aria-hidden": "true" }, "·"));
    } else {
      line1.append(when, number);
    }
    line2.append(element("span", { class: "version-people" }, peopleLine(people) || "Unknown"));
    const reason = element("div", { class: `version-reason is-${version.reason || "auto"}` });
    if (version.reason === "restore") reason.innerHTML = icons.restore;
    reason.append(element("span", {}, reasonLabel(version)));
    const compared = element("span", { class: "version-compared" }, "Compared");
    option.append(faces, element("div", { class: "version-main" }, line1, line2, reason), compared);
    return option;
  }

  _renderMore(loading = Boolean(this.listLoading)) {
    const more = this.more;
    more.replaceChildren();
    if (this.listError) {
      const retry = element("button", { type: "button", class: "link-button" }, "Try again");
      retry.addEventListener("click", () => (this.list.loaded ? this.loadMore() : this.loadFirst()));
      more.append(element("p", { class: "history-error", role: "alert" }, `Couldn't load the versions: ${this.listError.message}`), retry);
    } else if (loading && !this.list.loaded) {
      for (let i = 0; i < 4; i++) more.append(element("div", { class: "version-skeleton", "aria-hidden": "true" }, element("span"), element("span")));
      more.append(element("span", { class: "visually-hidden" }, "Loading versions…"));
    } else if (loading) {
      more.append(element("p", { class: "history-loading" }, "Loading older versions…"));
    } else if (this.list.hasMore) {
      const button = element("button", { type: "button", class: "link-button" }, "Show older versions");
      button.addEventListener("click", () => this.loadMore());
      more.append(button);
    } else if (this.list.loaded && this.list.versions.length === 0) {
      more.append(
        element(
          "p",
          { class: "history-empty" },
          "No versions yet. A version is saved when editing pauses for a moment",
          this.canEdit ? ", or name the current version to save one now." : ".",
        ),
      );
    } else if (this.list.loaded && this.list.versions.length > 8) {
      more.append(element("p", { class: "history-end" }, "That's the first version of this page."));
    }
  }

  _keys() {
    return ["current", ...this.list.versions.map((version) => version.number)];
  }

  _syncSelection() {
    const base = this.compare ? this.compare.from : null;
    for (const option of this.listbox.querySelectorAll("[role=option]")) {
      const key = option.dataset.key === "current" ? "current" : Number(option.dataset.key);
      const selected = key === this.selected;
      option.setAttribute("aria-selected", String(selected));
      option.tabIndex = selected ? 0 : -1;
      option.classList.toggle("is-compare-base", key === base);
    }
    if (!this.listbox.querySelector('[tabindex="0"]')) {
      const first = this.listbox.querySelector("[role=option]");
      if (first) first.tabIndex = 0;
    }
  }

  _focusSelected() {
    const option = this.listbox.querySelector('[role=option][tabindex="0"]');
    if (option) {
      option.focus({ preventScroll: true });
      option.scrollIntoView({ block: "nearest" });
    }
  }

  _listKey(event) {
    if (event.key === "Enter" || event.key === " ") {
      const option = event.target.closest("[role=option]");
      if (!option) return;
      event.preventDefault();
      const key = option.dataset.key === "current" ? "current" : Number(option.dataset.key);
      this.select(key, { force: true, fromPointer: true });
      return;
    }
    const keys = this._keys();
    const next = moveSelection(keys, this.selected, event.key);
    if (next === null) return;
    event.preventDefault();
    if (event.key === "ArrowDown" && next === this.selected && this.list.hasMore) this.loadMore();
    this.select(next, { delay: KEY_PREVIEW_DELAY_MS });
    this._focusSelected();
  }

  // Showing a version

  /** Shows the live page ("current") or a version; `delay` lets arrow keys run through the list quickly. */
  select(key, { delay = 0, force = false, fromPointer = false, keepCompare = true } = {}) {
    const changed = key !== this.selected;
    this.selected = key;
    if (key === "current") {
      this.compare = null;
    } else if (this.compare && keepCompare && changed) {
      const previous = this.list.previous(key);
      this.compare = previous ? { from: previous, to: key } : null;
    } else if (!keepCompare) {
      this.compare = null;
    }
    this._syncSelection();
    if (fromPointer && phone() && key !== "current") this.phoneScreen = "view";
    if (key === "current" && phone() && fromPointer) {
      this.close({ toEditor: true });
      return;
    }
    if (!changed && !force) {
      this._applyScreens();
      return;
    }
    clearTimeout(this.previewTimer);
    if (delay) this.previewTimer = setTimeout(() => this._renderView(), delay);
    else this._renderView();
  }

  showCompare(from, to) {
    this.selected = to;
    this.compare = { from, to };
    if (phone()) this.phoneScreen = "view";
    this._syncSelection();
    this._renderView();
  }

  _renderView() {
    this._applyScreens();
    if (this.selected === "current") {
      this.content.replaceChildren();
      this.announce("Showing the current version");
      return;
    }
    this._renderBanner();
    const token = ++this.request;
    this.content.replaceChildren(element("div", { class: "history-skeleton", "aria-hidden": "true" }, element("span"), element("span"), element("span"), element("span"), element("span")));
    this.content.setAttribute("aria-busy", "true");
    const done = () => token === this.request;
    if (this.compare) {
      const { from, to } = this.compare;
      this.summary.textContent = "Comparing…";
      this.count.textContent = "";
      this.navigator = null;
      this._updateNav();
      this.loadDiff(from, to)
        .then((diff) => {
          if (!done()) return;
          const versions = { from: this.list.find(from) || { number: from }, to: this.list.find(to) || { number: to } };
          const layout = phone() ? "inline" : this.layout;
          renderDiff(this.content, diff, { mode: layout, versions });
          this.navigator = new ChangeNavigator(this.content);
          const description = (diff.summary && diff.summary.description) || "";
          this.summary.textContent = description;
          this._updateNav();
          this.content.removeAttribute("aria-busy");
          this.announce(`Changes from version ${from} to version ${to}: ${description}`);
        })
        .catch((error) => done() && this._showError(error, `the changes from version ${from} to ${to}`));
    } else {
      const number = this.selected;
      this.loadVersion(number)
        .then((version) => {
          if (!done()) return;
          renderVersion(this.content, version);
          this.content.removeAttribute("aria-busy");
          this.announce(`Showing version ${number}`);
        })
        .catch((error) => done() && this._showError(error, `version ${number}`));
    }
    if (phone() || window.scrollY > this.view.offsetTop) window.scrollTo({ top: 0 });
  }

  _renderBanner() {
    const number = this.compare ? this.compare.to : this.selected;
    const version = this.list.find(number);
    if (this.compare) {
      this.title.textContent = `Comparing version ${this.compare.from} with version ${this.compare.to}`;
    } else {
      this.title.textContent = version && (version.label || "").trim() ? `Viewing “${version.label.trim()}” (version ${number})` : `Viewing version ${number}`;
    }
    this.meta.replaceChildren();
    if (version) {
      const people = peopleOf(version);
      this.meta.append(
        element("time", { datetime: version.created_at, "data-tooltip": exactTime(version.created_at) }, relativeTime(version.created_at)),
      );
      if (people.length) this.meta.append(` by ${peopleLine(people)}`);
      if (version.reason === "restore" && version.restored_from) this.meta.append(` · restored from version ${version.restored_from}`);
    }
    const previous = typeof number === "number" ? this.list.previous(number) : null;
    this.compareButton.setAttribute("aria-pressed", String(Boolean(this.compare)));
    this.compareButton.disabled = !this.compare && !previous;
    this.compareButton.dataset.tooltip = this.compare ? "Show this version without changes" : previous ? `What changed since version ${previous}` : "This is the first version";
    this.compareButton.querySelector("span").textContent = this.compare ? "Stop comparing" : "Compare";
    if (this.restoreButton.isConnected) {
      this.restoreButton.querySelector("span").textContent = this.compare ? `Restore version ${number}` : "Restore this version";
    }
    this.compareBar.hidden = !this.compare;
    for (const button of this.view.querySelectorAll("[data-layout]")) {
      button.setAttribute("aria-pressed", String(button.dataset.layout === this.layout));
    }
    this._updatePickers();
  }

  _updatePickers() {
    if (!this.compare) return;
    for (const [select, value] of [
      [this.fromSelect, this.compare.from],
      [this.toSelect, this.compare.to],
    ]) {
      const now = new Date();
      const options = this.list.versions.map((version) => new Option(versionOption(version, now), String(version.number)));
      if (!this.list.find(value)) options.push(new Option(`v${value}`, String(value)));
      select.replaceChildren(...options);
      select.value = String(value);
    }
  }

  _updateNav() {
    const total = this.navigator ? this.navigator.count : 0;
    this.count.textContent = this.navigator ? (total === 1 ? "1 change" : `${total} changes`) : "";
    for (const button of this.view.querySelectorAll("[data-step]")) button.disabled = total === 0;
  }

  _step(step) {
    if (!this.navigator || !this.navigator.count) return;
    this.navigator.go(step);
    this.count.textContent = `${this.navigator.index + 1} of ${this.navigator.count}`;
  }

  _showError(error, what) {
    const retry = element("button", { type: "button" }, "Try again");
    retry.addEventListener("click", () => {
      this.versionCache.clear();
      this.diffCache.clear();
      this._renderView();
    });
    this.content.removeAttribute("aria-busy");
    this.content.replaceChildren(
      element("div", { class: "history-error-box", role: "alert" }, element("p", {}, element("strong", {}, `Couldn't load ${what}.`), ` ${error.message}`), retry),
    );
    if (this.compare) this.summary.textContent = "";
  }

  loadVersion(number) {
    if (!this.versionCache.has(number)) {
      const promise = this.api.get(number).catch((error) => {
        this.versionCache.delete(number);
        throw error;
      });
      this.versionCache.set(number, promise);
    }
    return this.versionCache.get(number);
  }

  loadDiff(from, to) {
    const key = `${from}:${to}`;
    if (!this.diffCache.has(key)) {
      const promise = this.api.diff(from, to).catch((error) => {
        this.diffCache.delete(key);
        throw error;
      });
      this.diffCache.set(key, promise);
    }
    return this.diffCache.get(key);
  }

  // Naming and restoring

  async nameCurrent() {
    const created = await askVersionName({ save: (label) => this.api.name(label) });
    if (!created) return this._focusSelected();
    toast(`Saved as “${created.label || `version ${created.number}`}”`);
    this.announce(`Saved the current version as ${created.label}, version ${created.number}`);
    this.list.apply({ count: this.list.count + 1, results: [created] }, { fresh: true });
    this.renderList();
    this._flashOption(created.number);
    this.loadFirst({ quiet: true });
  }

  async restore(number) {
    if (typeof number !== "number") return;
    const version = this.list.find(number);
    const when = version ? exactTime(version.created_at) : `version ${number}`;
    const created = await confirmRestore({ number, when, restore: () => this.api.restore(number) });
    if (!created) return;
    toast(`Version ${number} restored – it is now version ${created.number}`);
    this.announce(`Version ${number} restored. The page now has its content, saved as version ${created.number}.`);
    this.versionCache.delete(created.number);
    this.list.apply({ count: this.list.count + 1, results: [created] }, { fresh: true });
    // Back to the live page: the restored content arrives there through the WebSocket.
    this.compare = null;
    this.selected = "current";
    this.phoneScreen = "list";
    this._renderView();
    this.renderList();
    this._flashOption(created.number);
    this.loadFirst({ quiet: true });
    if (phone()) this.close({ toEditor: true });
    else this._focusSelected();
  }

  /** Highlights a version just made here for a moment (kept across the list's re-renders). */
  _flashOption(number) {
    this.justMade = number;
    clearTimeout(this.justMadeTimer);
    this.justMadeTimer = setTimeout(() => {
      this.justMade = null;
      for (const option of this.listbox.querySelectorAll(".is-new")) option.classList.remove("is-new");
    }, 2400);
    const option = this.listbox.querySelector(`[data-key="${number}"]`);
    if (option) option.classList.add("is-new");
  }

  announce(message) {
    if (this.announcer) this.announcer.textContent = message;
  }

  // Keyboard: Esc closes, Tab stays inside the history

  _regions() {
    return [this.view, this.drawer].filter((node) => !node.hidden && !node.classList.contains("is-behind"));
  }

  _focusables() {
    return this._regions()
      .flatMap((region) => [...region.querySelectorAll(FOCUSABLE)])
      .filter((node) => node.getClientRects().length > 0 && !node.closest("[hidden], [inert], details:not([open]) > :not(summary)"));
  }

  _key(event) {
    if (document.querySelector("dialog[open]")) return;
    if (event.key === "Escape") {
      if (event.defaultPrevented) return;
      event.preventDefault();
      this.close();
      return;
    }
    if (event.key !== "Tab") return;
    const items = this._focusables();
    if (items.length === 0) return;
    const first = items[0];
    const last = items[items.length - 1];
    const inside = this._regions().some((region) => region.contains(document.activeElement));
    if (!inside) {
      event.preventDefault();
      (event.shiftKey ? last : first).focus();
    } else if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  }
}
