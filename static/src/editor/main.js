// The collaborative page editor: Tiptap on a Y.Doc shared through y-websocket, kept in
// IndexedDB for offline work, with presence, a truthful save status and a live title.
//
// Mounted on the element with id="page-editor" (templates/documents/page_edit.html), which
// carries the page and the signed-in user as data attributes.
import * as Y from "yjs";
import { IndexeddbPersistence } from "y-indexeddb";
import { removeAwarenessStates } from "y-protocols/awareness";
import { Editor } from "@tiptap/core";
import { isChangeOrigin } from "@tiptap/extension-collaboration";
import { relativePositionToAbsolutePosition, ySyncPluginKey } from "@tiptap/y-tiptap";

import { Connection, defaultServerUrl } from "./connection.js";
import { buildExtensions } from "./extensions.js";
import { awarenessUser } from "./identity.js";
import { icons } from "./icons.js";
import { LinkUI } from "./link.js";
import { Presence } from "./presence.js";
import { SavedState, trackDoc } from "./saved-state.js";
import { OFFLINE_GRACE_MS, StatusBadge, deriveStatus } from "./status.js";
import { bindTitle, titleNeverSet, titleSeedUpdate } from "./title.js";
import { Toolbar } from "./toolbar.js";
import { installTooltips } from "./tooltip.js";
import { openShortcuts } from "./help.js";
import { mountHistory } from "./history/index.js";
import { mountShare } from "./share/index.js";

function readConfig(mount) {
  const d = mount.dataset;
  return {
    pageId: d.pageId,
    pageTitle: d.pageTitle || "",
    role: d.role || "viewer",
    canEdit: d.canEdit === "true" && d.role !== "viewer",
    user: { id: d.userId || "anonymous", name: d.userName || "", username: d.username || "" },
    loginUrl: d.loginUrl || "/accounts/login/",
    pagesUrl: d.pagesUrl || "/",
    wsUrl: d.wsUrl || null,
    titleMax: Number(d.titleMax) || 255,
  };
}

function part(mount, name) {
  return mount.querySelector(`[data-${name}]`);
}

function start(mount) {
  const config = readConfig(mount);
  const user = awarenessUser(config.user);
  const surface = part(mount, "editor");
  const body = part(mount, "page-body") || surface.parentElement;
  const notice = part(mount, "notice");
  const titleInput = part(mount, "title");
  const toolbarElement = part(mount, "toolbar");
  const readOnlyNote = part(mount, "readonly-note");
  const breadcrumbTitle = part(mount, "breadcrumb-title");
  const announcer = part(mount, "announcer");

  const ydoc = new Y.Doc();
  const savedState = new SavedState();
  const badge = new StatusBadge({ element: part(mount, "status"), announcer });

  // The editor opens once the document is here: from the server, or from this device's
  // copy, or (a page never opened here, server unreachable) as it is, to write offline.
  let ready = false;
  let localCopy = typeof indexedDB !== "undefined";
  let localCopyLoaded = !localCopy;
  let failedOnce = false;
  const checkReady = () => {
    const hasContent = ydoc.getXmlFragment("default").length > 0 || ydoc.getText("title").length > 0;
    if (connection.everSynced || (localCopyLoaded && (hasContent || failedOnce))) markReady();
  };

  const connection = new Connection({
    serverUrl: config.wsUrl || defaultServerUrl(),
    room: config.pageId,
    doc: ydoc,
    savedState,
    onChange: () => {
      if (connection.phase === "offline" || connection.phase === "fatal") failedOnce = true;
      checkReady();
      refresh();
      if (connection.phase === "online") seedTitle();
    },
  });
  const provider = connection.provider;
  trackDoc(ydoc, savedState, provider);
  savedState.onChange = () => refresh();

  // Offline copy, one per user and page, so edits made offline survive a reload.
  let persistence = null;
  if (localCopy) {
    try {
      persistence = new IndexeddbPersistence(`collab-page:${user.id}:${config.pageId}`, ydoc);
      persistence.whenSynced.then(() => {
        localCopyLoaded = true;
        checkReady();
        refresh();
      });
      // y-indexeddb exposes no error event: a browser that refuses IndexedDB (some private
      // modes) rejects this promise; then we must not claim changes are kept on the device.
      if (persistence._db && persistence._db.catch) {
        persistence._db.catch(() => {
          localCopy = false;
          localCopyLoaded = true;
          checkReady();
          refresh();
        });
      }
    } catch {
      localCopy = false;
      localCopyLoaded = true;
    }
  }

  provider.awareness.setLocalState({ user, mode: config.canEdit ? "edit" : "view", lastActive: Date.now() });

  let linkUI = null;
  let title = null;
  const editor = new Editor({
    element: surface,
    editable: false,
    extensions: buildExtensions({
      ydoc,
      provider,
      user,
      openLinkDialog: () => linkUI && linkUI.open(),
      openHelp: () => openShortcuts(() => editor.commands.focus()),
      focusTitle: () => {
        titleInput.focus();
        titleInput.setSelectionRange(titleInput.value.length, titleInput.value.length);
      },
    }),
    editorProps: {
      attributes: {
        class: "page-content",
        role: "textbox",
        "aria-multiline": "true",
        "aria-label": "Page content",
      },
      // Keep the caret clear of the sticky top bar and editing bar when scrolling to it.
      scrollThreshold: { top: 130, bottom: 60, left: 0, right: 0 },
      scrollMargin: { top: 130, bottom: 60, left: 0, right: 0 },
    },
  });
  linkUI = new LinkUI({ editor, container: body });
  const openHelp = () => openShortcuts(() => editor.commands.focus());
  const toolbar = new Toolbar({ element: toolbarElement, editor, openLinkDialog: () => linkUI.open(), openHelp });

  const presence = new Presence({
    awareness: provider.awareness,
    element: part(mount, "presence"),
    onJump: (person) => jumpTo(person),
  });
  // Show a collaborator's name again whenever their cursor moves (the caret element is
  // reused by ProseMirror, so its fade-out animation has to be restarted by hand).
  const lastCursors = new Map();
  provider.awareness.on("change", ({ added, updated, removed }) => {
    const states = provider.awareness.getStates();
    for (const clientId of removed) lastCursors.delete(clientId);
    for (const clientId of [...added, ...updated]) {
      if (clientId === provider.awareness.clientID) continue;
      const state = states.get(clientId);
      const cursor = state && state.cursor ? JSON.stringify(state.cursor) : null;
      if (cursor === lastCursors.get(clientId)) continue;
      lastCursors.set(clientId, cursor);
      if (cursor && state.user) restartCaret(String(state.user.id));
    }
  });
  function restartCaret(userId, extraClass) {
    for (const caret of surface.querySelectorAll(`.collaboration-carets__caret[data-user-id="${CSS.escape(userId)}"]`)) {
      caret.classList.remove("is-active");
      if (extraClass) caret.classList.remove(extraClass);
      void caret.offsetWidth;
      caret.classList.add("is-active");
      if (extraClass) caret.classList.add(extraClass);
    }
  }

  editor.on("transaction", ({ transaction }) => {
    if (!isChangeOrigin(transaction) && (transaction.docChanged || transaction.selectionSet) && editor.isFocused) {
      presence.markActive();
    }
  });

  title = bindTitle({
    textarea: titleInput,
    ytext: ydoc.getText("title"),
    maxLength: config.titleMax,
    onEnter: () => editor.commands.focus("start"),
    onActivity: () => presence.markActive(),
    onChange: (value) => {
      const shown = value.trim() || "Untitled";
      document.title = `${shown} · Pages`;
      if (breadcrumbTitle) breadcrumbTitle.textContent = shown;
    },
  });

  // A page made through the REST API or the page list may have a title in the database
  // and none in its document yet: put it there once (see titleSeedUpdate).
  function seedTitle() {
    const ytitle = ydoc.getText("title");
    // Only once the server's copy is here: it may have a title we have not seen yet.
    if (!connection.everSynced || !titleNeverSet(ytitle) || !config.pageTitle || !canEditNow()) return;
    Y.applyUpdate(ydoc, titleSeedUpdate(config.pageId, config.pageTitle), "title-seed");
  }

  function markReady() {
    if (ready) return;
    ready = true;
    surface.removeAttribute("aria-busy");
    mount.classList.add("is-ready");
    title.enable(false);
    refresh();
    seedTitle();
    // A new, empty page: put the caret where writing starts.
    const idle = document.activeElement === document.body || document.activeElement === null;
    if (idle && canEditNow() && editor.isEmpty) {
      if (titleInput.value.trim()) editor.commands.focus("start");
      else titleInput.focus();
    }
  }

  function canEditNow() {
    return ready && config.canEdit && !connection.readOnly && connection.phase !== "fatal";
  }

  let lastNoticeKey = null;
  let graceTimer = null;
  function refresh() {
    const readOnly = !config.canEdit || connection.readOnly;
    badge.set(deriveStatus(connection, { pending: savedState.pending, localCopy, readOnly }));
    clearTimeout(graceTimer);
    if (connection.phase === "offline" && badge.state !== "offline" && connection.offlineSince) {
      graceTimer = setTimeout(refresh, Math.max(0, connection.offlineSince + OFFLINE_GRACE_MS - Date.now()) + 20);
    }
    const editable = canEditNow();
    if (editor.isEditable !== editable) editor.setEditable(editable);
    title.setEditable(editable);
    mount.dataset.mode = editable ? "edit" : "view";
    // While the page loads an editor sees the toolbar greyed out, not a jump when it appears.
    toolbarElement.hidden = !(config.canEdit && !connection.readOnly && connection.phase !== "fatal");
    if (readOnlyNote) {
      readOnlyNote.hidden = editable || (!ready && config.canEdit);
      const text = connection.phase === "fatal" ? "Editing is off – see the message below" : "View only – you can read this page but not edit it";
      const span = readOnlyNote.querySelector("span");
      if (span && span.textContent !== text) span.textContent = text;
    }
    const mode = config.canEdit && !connection.readOnly ? "edit" : "view";
    const local = provider.awareness.getLocalState();
    if (local && local.mode !== mode) provider.awareness.setLocalStateField("mode", mode);
    toolbar.update();
    renderNotice();
  }

  function renderNotice() {
    const { phase, closeReason } = connection;
    let spec = null;
    const here = encodeURIComponent(window.location.pathname + window.location.search);
    const loginUrl = config.loginUrl.includes("?") ? config.loginUrl : `${config.loginUrl}?next=${here}`;
    const kept = savedState.pending && localCopy ? " Your unsaved changes are kept on this device." : "";
    if (phase === "fatal" && closeReason === "signed-out") {
      spec = { kind: "error", text: "Your session has ended – sign in again", more: `to keep editing.${kept}`, link: { href: loginUrl, label: "Sign in" } };
    } else if (phase === "fatal" && closeReason === "forbidden") {
      spec = { kind: "error", text: "You don't have access to this page", more: `Ask its owner to add you.${kept}`, link: { href: config.pagesUrl, label: "All pages" } };
    } else if (phase === "fatal" && closeReason === "deleted") {
      spec = { kind: "error", text: "This page was deleted", more: `What you see is the last version loaded here.${kept}`, link: { href: config.pagesUrl, label: "All pages" } };
    } else if (phase === "stopped" && closeReason === "too-large") {
      spec = { kind: "error", text: "Your last change is too large to save", more: "Undo it and add the content in smaller parts.", action: { label: "Try again", run: () => connection.retry() } };
    } else if (phase === "stopped") {
      spec = { kind: "error", text: "The server could not read a change from this editor", more: "Reload the page to continue; your changes are kept on this device.", action: { label: "Reload", run: () => window.location.reload() } };
    } else if (phase === "offline" && closeReason === "full") {
      spec = { kind: "warn", text: "This page has as many editors as it can take right now", more: "We'll keep trying to connect. Your changes are kept on this device." };
    } else if (phase === "offline" && closeReason === "too-fast") {
      spec = { kind: "warn", text: "Too many changes at once", more: "Reconnecting in a moment." };
    }
    const key = spec ? `${spec.kind}:${spec.text}:${spec.more}` : null;
    if (key === lastNoticeKey) return;
    lastNoticeKey = key;
    if (!spec) {
      notice.hidden = true;
      notice.replaceChildren();
      return;
    }
    notice.hidden = false;
    notice.className = `editor-notice is-${spec.kind}`;
    notice.setAttribute("role", spec.kind === "error" ? "alert" : "status");
    notice.innerHTML = `<span class="notice-icon">${icons.alert}</span><p><strong></strong> <span></span></p>`;
    notice.querySelector("strong").textContent = spec.text;
    notice.querySelector("p span").textContent = spec.more || "";
    if (spec.link) {
      const a = document.createElement("a");
      a.className = "button primary";
      a.href = spec.link.href;
      a.textContent = spec.link.label;
      notice.append(a);
    }
    if (spec.action) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "primary";
      button.textContent = spec.action.label;
      button.addEventListener("click", spec.action.run);
      notice.append(button);
    }
  }

  function jumpTo(person) {
    const ystate = ySyncPluginKey.getState(editor.state);
    const states = provider.awareness.getStates();
    for (const clientId of person.clientIds) {
      const cursor = states.get(clientId) && states.get(clientId).cursor;
      if (!cursor || !ystate || !ystate.binding) continue;
      const pos = relativePositionToAbsolutePosition(
        ydoc,
        ystate.type,
        Y.createRelativePositionFromJSON(cursor.head),
        ystate.binding.mapping,
      );
      if (pos === null) continue;
      const coords = editor.view.coordsAtPos(pos);
      window.scrollTo({ top: window.scrollY + coords.top - window.innerHeight / 3, behavior: "smooth" });
      restartCaret(person.id, "is-flashing");
      return;
    }
    badgeHint(`${person.name} isn't in the text right now`);
  }

  function badgeHint(message) {
    if (announcer) announcer.textContent = message;
    const hint = document.createElement("div");
    hint.className = "toast";
    hint.setAttribute("role", "status");
    hint.textContent = message;
    document.body.append(hint);
    setTimeout(() => hint.remove(), 2500);
  }

  // Clicking the empty space below the last block continues the page there, the way a
  // document does; the paragraph is added only on this explicit click, never automatically.
  surface.addEventListener("mousedown", (event) => {
    if (!editor.isEditable || event.button !== 0) return;
    const content = editor.view.dom;
    if (event.target !== surface || event.clientY < content.getBoundingClientRect().bottom) return;
    event.preventDefault();
    const last = editor.state.doc.lastChild;
    const endsWithEmptyParagraph = last && last.type.name === "paragraph" && last.content.size === 0;
    if (!endsWithEmptyParagraph) {
      editor.chain().insertContentAt(editor.state.doc.content.size, { type: "paragraph" }).focus("end").run();
    } else {
      editor.commands.focus("end");
    }
  });

  // Alt+F10 moves to the toolbar (as in Google Docs and Confluence); Escape goes back.
  mount.addEventListener("keydown", (event) => {
    if (event.altKey && event.key === "F10" && !toolbarElement.hidden) {
      event.preventDefault();
      const target = toolbarElement.querySelector('[tabindex="0"]');
      if (target) target.focus();
    } else if (event.key === "Escape" && toolbarElement.contains(document.activeElement)) {
      editor.commands.focus();
    }
  });

  // Leave the avatar row of the others at once, not when the server notices the socket.
  window.addEventListener("pagehide", () => {
    removeAwarenessStates(provider.awareness, [ydoc.clientID], "page closed");
  });

  window.addEventListener("beforeunload", (event) => {
    if (!savedState.pending) return;
    event.preventDefault();
    event.returnValue = "";
  });

  const history = mountHistory({ root: mount, pageId: config.pageId, canEdit: config.canEdit, editor });
  mountShare(mount, { getTitle: () => titleInput.value });
  installTooltips(mount);
  refresh();
  connection.connect();

  window.collab = {
    editor,
    ydoc,
    provider,
    connection,
    savedState,
    persistence,
    presence,
    history,
    status: () => badge.state,
  };
}

const mount = document.getElementById("page-editor");
if (mount) start(mount);
