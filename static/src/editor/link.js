// Links: a dialog to add or edit one (Mod-K or the toolbar) and a small bubble under a
// link the cursor is in, to open, edit or remove it.
import { icons } from "./icons.js";
import { displayUrl, normalizeUrl } from "./urls.js";

export class LinkUI {
  constructor({ editor, container }) {
    this.editor = editor;
    this.container = container; // positioned ancestor of the editor, for the bubble
    this._buildDialog();
    this._buildBubble();
    const update = () => this._updateBubble();
    editor.on("selectionUpdate", update);
    editor.on("transaction", update);
    editor.on("blur", ({ event }) => {
      if (!event || !this.bubble.contains(event.relatedTarget)) this._hideBubble();
    });
    window.addEventListener("resize", update);
  }

  _buildDialog() {
    const dialog = document.createElement("dialog");
    dialog.className = "link-dialog";
    dialog.setAttribute("aria-labelledby", "link-dialog-title");
    dialog.innerHTML = `
      <form method="dialog" novalidate>
        <h2 id="link-dialog-title">Add link</h2>
        <label data-field="text">Text
          <input type="text" name="text" autocomplete="off" placeholder="Text to show">
        </label>
        <label>Link
          <input type="text" name="href" autocomplete="off" inputmode="url" spellcheck="false" placeholder="Paste a link or type a page address" required>
        </label>
        <p class="error-text" role="alert"></p>
        <div class="buttons">
          <button type="button" class="danger remove-link" data-remove>Remove link</button>
          <span class="spacer"></span>
          <button type="button" data-cancel>Cancel</button>
          <button type="submit" class="primary">Save</button>
        </div>
      </form>`;
    document.body.append(dialog);
    this.dialog = dialog;
    const form = dialog.querySelector("form");
    const error = dialog.querySelector(".error-text");
    form.elements.href.addEventListener("input", () => { error.textContent = ""; });
    dialog.querySelector("[data-cancel]").addEventListener("click", () => dialog.close("cancel"));
    dialog.querySelector("[data-remove]").addEventListener("click", () => {
      dialog.close("remove");
      this.editor.chain().focus().setTextSelection(this._range).extendMarkRange("link").unsetLink().run();
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const href = normalizeUrl(form.elements.href.value);
      if (!href) {
        error.textContent = form.elements.href.value.trim()
          ? "That doesn't look like a web address. Links can start with https://, mailto: or /."
          : "Enter a web address.";
        form.elements.href.focus();
        return;
      }
      dialog.close("save");
      this._apply(href, form.elements.text.value);
    });
    dialog.addEventListener("close", () => {
      if (dialog.returnValue === "cancel" || dialog.returnValue === "") this.editor.commands.focus();
    });
  }

  /** Opens the dialog for the selection or the link the cursor is in. */
  open() {
    const { editor, dialog } = this;
    if (!editor.isEditable) return;
    const form = dialog.querySelector("form");
    const inLink = editor.isActive("link");
    if (inLink) editor.chain().extendMarkRange("link").run();
    const { from, to, empty } = editor.state.selection;
    this._range = { from, to };
    const href = inLink ? editor.getAttributes("link").href || "" : "";
    dialog.querySelector("h2").textContent = inLink ? "Edit link" : "Add link";
    dialog.querySelector("[data-remove]").hidden = !inLink;
    dialog.querySelector('[data-field="text"]').hidden = !empty;
    form.elements.text.value = "";
    form.elements.href.value = href;
    dialog.querySelector(".error-text").textContent = "";
    dialog.returnValue = "";
    dialog.showModal();
    form.elements[empty ? "text" : "href"].focus();
    if (!empty) form.elements.href.select();
  }

  _apply(href, text) {
    const { editor } = this;
    const { from, to } = this._range;
    const chain = editor.chain().focus();
    if (from === to) {
      const label = text.trim() || displayUrl(href);
      chain
        .setTextSelection(from)
        .insertContent({ type: "text", text: label, marks: [{ type: "link", attrs: { href } }] })
        .unsetMark("link")
        .run();
    } else {
      chain.setTextSelection({ from, to }).extendMarkRange("link").setLink({ href }).setTextSelection(to).run();
    }
  }

  _buildBubble() {
    const bubble = document.createElement("div");
    bubble.className = "link-bubble";
    bubble.hidden = true;
    bubble.setAttribute("role", "group");
    bubble.setAttribute("aria-label", "Link");
    bubble.innerHTML = `
      <a class="link-bubble-url" target="_blank" rel="noopener noreferrer nofollow"></a>
      <button type="button" class="tb-button" data-edit aria-label="Edit link" data-tooltip="Edit link">${icons.pencil}</button>
      <button type="button" class="tb-button" data-unlink aria-label="Remove link" data-tooltip="Remove link">${icons.unlink}</button>`;
    bubble.addEventListener("mousedown", (event) => {
      if (!event.target.closest("a")) event.preventDefault();
    });
    bubble.querySelector("[data-edit]").addEventListener("click", () => this.open());
    bubble.querySelector("[data-unlink]").addEventListener("click", () => {
      this.editor.chain().focus().extendMarkRange("link").unsetLink().run();
    });
    this.container.append(bubble);
    this.bubble = bubble;
  }

  _hideBubble() {
    this.bubble.hidden = true;
  }

  _updateBubble() {
    const { editor, bubble } = this;
    const { selection } = editor.state;
    if (!editor.isEditable || !editor.isFocused || !selection.empty || !editor.isActive("link") || this.dialog.open) {
      if (!bubble.contains(document.activeElement)) this._hideBubble();
      return;
    }
    const href = editor.getAttributes("link").href || "";
    const anchor = bubble.querySelector("a");
    const safe = normalizeUrl(href);
    anchor.textContent = displayUrl(href) || href;
    if (safe) anchor.href = safe;
    else anchor.removeAttribute("href");
    anchor.title = href;
    const coords = editor.view.coordsAtPos(selection.from);
    const box = this.container.getBoundingClientRect();
    bubble.hidden = false;
    const width = bubble.offsetWidth;
    const left = Math.max(0, Math.min(coords.left - box.left - 12, box.width - width));
    bubble.style.left = `${left}px`;
    bubble.style.top = `${coords.bottom - box.top + 8}px`;
  }
}
