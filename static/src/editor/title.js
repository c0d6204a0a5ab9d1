// The page title: a <textarea> bound to the shared Y.Text "title". Plain text, one line
// (newlines become spaces), edits go in as the smallest insert/delete so concurrent title
// edits merge, and remote edits keep our caret where it was.
import * as Y from "yjs";

import { hashString } from "./identity.js";
import { diffText, mapPosition } from "./text-diff.js";

export const TITLE_ORIGIN = { name: "page-title" };

const isMac = typeof navigator !== "undefined" && /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);

/**
 * The update that puts a page's stored title into a document whose title was never set.
 * Its client id comes from the page and the title, so browsers doing this at the same time
 * produce the very same struct, which Yjs keeps once: the title is not doubled.
 */
export function titleSeedUpdate(pageId, title) {
  const seed = new Y.Doc();
  seed.clientID = hashString(`title-seed:${pageId}:${title}`) || 1;
  seed.getText("title").insert(0, title);
  return Y.encodeStateAsUpdate(seed);
}

/** True when nobody ever wrote the title (not even text deleted since). */
export function titleNeverSet(ytext) {
  return ytext._start === null;
}

export function bindTitle({ textarea, ytext, maxLength = 255, onEnter, onActivity, onChange }) {
  const doc = ytext.doc;
  const undoManager = new Y.UndoManager(ytext, { trackedOrigins: new Set([TITLE_ORIGIN]), captureTimeout: 600 });
  let composing = false;
  let bound = false;

  const autosize = () => {
    // Not while hidden (the version history shows in its place): it would measure 0.
    if (textarea.getClientRects().length === 0) return;
    textarea.style.height = "auto";
    textarea.style.height = `${textarea.scrollHeight}px`;
  };

  const render = (delta) => {
    const value = ytext.toString();
    if (textarea.value !== value) {
      const focused = document.activeElement === textarea;
      const { selectionStart, selectionEnd, selectionDirection } = textarea;
      textarea.value = value;
      if (focused && delta) {
        textarea.setSelectionRange(mapPosition(selectionStart, delta), mapPosition(selectionEnd, delta), selectionDirection);
      }
    }
    autosize();
    onChange && onChange(value);
  };

  const commit = () => {
    let value = textarea.value.replace(/[\r\n\t]+/g, " ");
    if (Array.from(value).length > maxLength) value = Array.from(value).slice(0, maxLength).join("");
    if (value !== textarea.value) {
      const caret = Math.min(textarea.selectionStart, value.length);
      textarea.value = value;
      textarea.setSelectionRange(caret, caret);
    }
    const edit = diffText(ytext.toString(), value);
    if (edit) {
      doc.transact(() => {
        if (edit.remove) ytext.delete(edit.index, edit.remove);
        if (edit.insert) ytext.insert(edit.index, edit.insert);
      }, TITLE_ORIGIN);
    }
    autosize();
    onActivity && onActivity();
  };

  ytext.observe((event, transaction) => {
    if (!bound) return;
    if (transaction.origin === TITLE_ORIGIN) {
      onChange && onChange(ytext.toString());
      return;
    }
    // Someone else (or undo): show it, unless an IME composition is in progress, in which
    // case setting the value would break it; we catch up when it ends.
    if (!composing) render(event.delta);
  });

  textarea.addEventListener("compositionstart", () => { composing = true; });
  textarea.addEventListener("compositionend", () => {
    composing = false;
    commit();
    render(null);
  });
  textarea.addEventListener("input", () => {
    if (!composing && bound) commit();
  });
  textarea.addEventListener("keydown", (event) => {
    if (event.isComposing) return;
    const mod = isMac ? event.metaKey : event.ctrlKey;
    if (event.key === "Enter") {
      event.preventDefault();
      onEnter && onEnter();
    } else if (event.key === "ArrowDown" && textarea.selectionStart === textarea.value.length) {
      event.preventDefault();
      onEnter && onEnter();
    } else if (mod && !event.altKey && (event.key === "z" || event.key === "Z")) {
      event.preventDefault();
      if (event.shiftKey) undoManager.redo();
      else undoManager.undo();
      render(null);
    } else if (mod && !isMac && event.key === "y") {
      event.preventDefault();
      undoManager.redo();
      render(null);
    }
  });
  window.addEventListener("resize", autosize);

  return {
    undoManager,
    /** Shows the shared title and allows editing (once the document has loaded). */
    enable(editable) {
      bound = true;
      render(null);
      textarea.readOnly = !editable;
    },
    setEditable(editable) {
      textarea.readOnly = !editable || !bound;
    },
    autosize,
  };
}
