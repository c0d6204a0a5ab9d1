// The formatting toolbar: grouped icon buttons with tooltips and shortcuts, a block-type
// menu, and table tools that appear while the cursor is in a table. One tab stop; arrow
// keys move between controls (the WAI-ARIA toolbar pattern).
import { icons } from "./icons.js";
import { isMenuOpenFor, showMenu } from "./menu.js";

const isMac = typeof navigator !== "undefined" && /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);

export function shortcutLabel(keys) {
  if (!keys) return "";
  return keys
    .split("-")
    .map((key) => {
      if (key === "Mod") return isMac ? "⌘" : "Ctrl";
      if (key === "Shift") return isMac ? "⇧" : "Shift";
      if (key === "Alt") return isMac ? "⌥" : "Alt";
      return key.length === 1 ? key.toUpperCase() : key;
    })
    .join(isMac ? "" : "+");
}

function ariaShortcut(keys) {
  return keys ? keys.replace("Mod", isMac ? "Meta" : "Control") : "";
}

const BLOCK_TYPES = [
  { value: "paragraph", label: "Normal text", run: (c) => c.setParagraph(), active: (e) => e.isActive("paragraph") },
  { value: "h1", label: "Heading 1", run: (c) => c.setHeading({ level: 1 }), active: (e) => e.isActive("heading", { level: 1 }) },
  { value: "h2", label: "Heading 2", run: (c) => c.setHeading({ level: 2 }), active: (e) => e.isActive("heading", { level: 2 }) },
  { value: "h3", label: "Heading 3", run: (c) => c.setHeading({ level: 3 }), active: (e) => e.isActive("heading", { level: 3 }) },
];

export function buildGroups({ openLinkDialog, openHelp }) {
  return [
    {
      label: "History",
      items: [
        { id: "undo", label: "Undo", icon: icons.undo, keys: "Mod-Z", run: (c) => c.undo(), can: (e) => e.can().undo() },
        { id: "redo", label: "Redo", icon: icons.redo, keys: isMac ? "Mod-Shift-Z" : "Mod-Y", run: (c) => c.redo(), can: (e) => e.can().redo() },
      ],
    },
    { label: "Text style", items: [{ id: "blockType", kind: "select" }] },
    {
      label: "Formatting",
      items: [
        { id: "bold", label: "Bold", icon: icons.bold, keys: "Mod-B", run: (c) => c.toggleBold(), active: "bold" },
        { id: "italic", label: "Italic", icon: icons.italic, keys: "Mod-I", run: (c) => c.toggleItalic(), active: "italic" },
        { id: "underline", label: "Underline", icon: icons.underline, keys: "Mod-U", run: (c) => c.toggleUnderline(), active: "underline" },
        { id: "strike", label: "Strikethrough", icon: icons.strike, keys: "Mod-Shift-S", run: (c) => c.toggleStrike(), active: "strike" },
        { id: "code", label: "Inline code", icon: icons.code, keys: "Mod-E", run: (c) => c.toggleCode(), active: "code" },
        { id: "link", label: "Link", icon: icons.link, keys: "Mod-K", action: () => openLinkDialog(), active: "link", can: (e) => e.can().setLink({ href: "https://x" }) || e.isActive("link") },
      ],
    },
    {
      label: "Lists",
      items: [
        { id: "bulletList", label: "Bulleted list", icon: icons.bulletList, keys: "Mod-Shift-8", run: (c) => c.toggleBulletList(), active: "bulletList" },
        { id: "orderedList", label: "Numbered list", icon: icons.orderedList, keys: "Mod-Shift-7", run: (c) => c.toggleOrderedList(), active: "orderedList" },
        { id: "taskList", label: "Checklist", icon: icons.taskList, keys: "Mod-Shift-9", run: (c) => c.toggleTaskList(), active: "taskList" },
      ],
    },
    {
      label: "Blocks",
      items: [
        { id: "blockquote", label: "Quote", icon: icons.quote, keys: "Mod-Shift-B", run: (c) => c.toggleBlockquote(), active: "blockquote" },
        { id: "codeBlock", label: "Code block", icon: icons.codeBlock, keys: "Mod-Alt-C", run: (c) => c.toggleCodeBlock(), active: "codeBlock" },
        { id: "horizontalRule", label: "Divider", icon: icons.divider, run: (c) => c.setHorizontalRule() },
        { id: "insertTable", label: "Insert table", icon: icons.table, run: (c) => c.insertTable({ rows: 3, cols: 3, withHeaderRow: true }), can: (e) => e.can().insertTable({ rows: 3, cols: 3, withHeaderRow: true }) },
      ],
    },
    {
      label: "Help",
      items: [
        { id: "shortcuts", label: "Keyboard shortcuts", icon: icons.keyboard, keys: "Mod-/", action: () => openHelp(), can: () => true },
      ],
    },
    {
      label: "Table",
      contextual: (e) => e.isActive("table"),
      items: [
        {
          id: "tableMenu",
          kind: "menu",
          label: "Table",
          icon: icons.table,
          menu: [
            { label: "Insert row above", icon: icons.rowAbove, run: (c) => c.addRowBefore() },
            { label: "Insert row below", icon: icons.rowBelow, run: (c) => c.addRowAfter() },
            { label: "Insert column left", icon: icons.colBefore, run: (c) => c.addColumnBefore() },
            { label: "Insert column right", icon: icons.colAfter, run: (c) => c.addColumnAfter() },
            { label: "Header row", icon: icons.headerRow, run: (c) => c.toggleHeaderRow(), separatorBefore: true },
            { label: "Delete row", icon: icons.deleteRow, run: (c) => c.deleteRow(), separatorBefore: true },
            { label: "Delete column", icon: icons.deleteCol, run: (c) => c.deleteColumn() },
            { label: "Delete table", icon: icons.trash, run: (c) => c.deleteTable(), danger: true },
          ],
        },
      ],
    },
  ];
}

export class Toolbar {
  constructor({ element, editor, openLinkDialog, openHelp }) {
    this.element = element;
    this.editor = editor;
    this.controls = [];
    this.groups = buildGroups({ openLinkDialog, openHelp });
    this._frame = 0;
    this._build();
    const schedule = () => {
      if (this._frame) return;
      this._frame = requestAnimationFrame(() => {
        this._frame = 0;
        this.update();
      });
    };
    editor.on("transaction", schedule);
    editor.on("focus", schedule);
    this.update();
  }

  _build() {
    const { element, editor } = this;
    element.setAttribute("role", "toolbar");
    element.setAttribute("aria-label", "Formatting");
    element.setAttribute("aria-orientation", "horizontal");
    const fragment = document.createDocumentFragment();
    this.groups.forEach((group, index) => {
      const wrapper = document.createElement("div");
      wrapper.className = "tb-group";
      wrapper.setAttribute("role", "group");
      wrapper.setAttribute("aria-label", group.label);
      if (group.contextual) wrapper.classList.add("tb-contextual");
      group.element = wrapper;
      if (index > 0) {
        const separator = document.createElement("div");
        separator.className = "tb-separator";
        separator.setAttribute("role", "separator");
        separator.setAttribute("aria-orientation", "vertical");
        if (group.contextual) separator.classList.add("tb-contextual");
        group.separator = separator;
        fragment.append(separator);
      }
      for (const item of group.items) {
        const control =
          item.kind === "select" ? this._select(item) : item.kind === "menu" ? this._menuButton(item) : this._button(item);
        wrapper.append(control.element);
        this.controls.push(control);
      }
      fragment.append(wrapper);
    });
    element.replaceChildren(fragment);
    element.addEventListener("keydown", (event) => this._onKeyDown(event));
    element.addEventListener("focusin", (event) => {
      const index = this.controls.findIndex((c) => c.element === event.target);
      if (index >= 0) this._setTabStop(index);
    });
    this._setTabStop(0);
    // Fade the edge that has more buttons behind it (the toolbar scrolls on phones).
    const edges = () => {
      const { scrollLeft, scrollWidth, clientWidth } = element;
      element.classList.toggle("fade-start", scrollLeft > 2);
      element.classList.toggle("fade-end", scrollLeft + clientWidth < scrollWidth - 2);
    };
    element.addEventListener("scroll", edges, { passive: true });
    window.addEventListener("resize", edges);
    this._edges = edges;
  }

  _button(item) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "tb-button";
    if (item.danger) button.classList.add("is-danger");
    button.innerHTML = item.icon;
    button.setAttribute("aria-label", item.label);
    button.dataset.command = item.id;
    const hint = item.keys ? `${item.label} · ${shortcutLabel(item.keys)}` : item.label;
    button.dataset.tooltip = hint;
    if (item.keys) button.setAttribute("aria-keyshortcuts", ariaShortcut(item.keys));
    if (item.active) button.setAttribute("aria-pressed", "false");
    // Keep the editor's selection when clicking with the mouse.
    button.addEventListener("mousedown", (event) => event.preventDefault());
    button.addEventListener("click", () => {
      if (button.getAttribute("aria-disabled") === "true") return;
      if (item.action) item.action();
      else item.run(this.editor.chain().focus()).run();
    });
    return { item, element: button };
  }

  _menuButton(item) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "tb-button tb-menu-button";
    button.innerHTML = `${item.icon}<span>${item.label}</span>${icons.chevronDown}`;
    button.setAttribute("aria-haspopup", "menu");
    button.setAttribute("aria-expanded", "false");
    button.dataset.command = item.id;
    button.addEventListener("mousedown", (event) => event.preventDefault());
    const open = () => {
      if (isMenuOpenFor(button)) return;
      const entries = item.menu.map((entry) => ({
        ...entry,
        disabled: !entry.run(this.editor.can().chain()).run(),
        run: () => entry.run(this.editor.chain().focus()).run(),
      }));
      showMenu(button, entries, { label: `${item.label} options` });
    };
    button.addEventListener("click", open);
    button.addEventListener("keydown", (event) => {
      if (event.key === "ArrowDown") {
        event.preventDefault();
        open();
      }
    });
    return { item, element: button };
  }

  _select() {
    const select = document.createElement("select");
    select.className = "tb-select";
    select.setAttribute("aria-label", "Text style");
    select.dataset.command = "blockType";
    for (const type of BLOCK_TYPES) select.append(new Option(type.label, type.value));
    const other = new Option("Other", "other");
    other.hidden = true;
    other.disabled = true;
    select.append(other);
    select.addEventListener("change", () => {
      const type = BLOCK_TYPES.find((t) => t.value === select.value);
      if (type) type.run(this.editor.chain().focus()).run();
    });
    return { item: { id: "blockType", kind: "select" }, element: select };
  }

  update() {
    const { editor } = this;
    const editable = editor.isEditable;
    for (const group of this.groups) {
      if (!group.contextual) continue;
      const show = editable && group.contextual(editor);
      group.element.hidden = !show;
      if (group.separator) group.separator.hidden = !show;
    }
    for (const control of this.controls) {
      const { item, element } = control;
      if (item.kind === "menu") continue;
      if (item.kind === "select") {
        const type = BLOCK_TYPES.find((t) => t.active(editor));
        element.value = type ? type.value : "other";
        element.disabled = !editable || !BLOCK_TYPES.some((t) => t.active(editor) || t.run(editor.can().chain()).run());
        continue;
      }
      if (item.active) element.setAttribute("aria-pressed", String(editor.isActive(item.active)));
      let enabled = editable;
      if (enabled) {
        try {
          enabled = item.can ? item.can(editor) : item.run(editor.can().chain()).run();
        } catch {
          enabled = false;
        }
      }
      // aria-disabled rather than disabled: the button stays focusable in the toolbar.
      element.setAttribute("aria-disabled", String(!enabled));
    }
    this._edges();
    const current = this.controls[this._tabStop];
    if (current && (current.element.hidden || current.element.closest("[hidden]"))) this._setTabStop(0);
  }

  _visibleControls() {
    return this.controls.filter((c) => !c.element.closest("[hidden]"));
  }

  _setTabStop(index) {
    this._tabStop = index;
    this.controls.forEach((control, i) => {
      control.element.tabIndex = i === index ? 0 : -1;
    });
  }

  _onKeyDown(event) {
    const keys = ["ArrowLeft", "ArrowRight", "Home", "End"];
    if (!keys.includes(event.key)) return;
    const visible = this._visibleControls();
    const position = visible.findIndex((c) => c.element === document.activeElement);
    if (position < 0) return;
    let next = position;
    if (event.key === "ArrowRight") next = (position + 1) % visible.length;
    if (event.key === "ArrowLeft") next = (position - 1 + visible.length) % visible.length;
    if (event.key === "Home") next = 0;
    if (event.key === "End") next = visible.length - 1;
    event.preventDefault();
    const target = visible[next].element;
    this._setTabStop(this.controls.findIndex((c) => c.element === target));
    target.focus();
    target.scrollIntoView({ block: "nearest", inline: "nearest" });
  }
}
