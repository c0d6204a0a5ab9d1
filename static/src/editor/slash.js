// The "/" menu: type a slash at the start of a line (or after a space) to turn the block
// into a heading, list, table... Filter by typing, arrows to choose, Enter to apply,
// Escape to dismiss. Opens only on your own typing, never on someone else's edit.
import { Extension } from "@tiptap/core";
import { Plugin, PluginKey } from "@tiptap/pm/state";
import { isChangeOrigin } from "@tiptap/extension-collaboration";

import { icons } from "./icons.js";

const key = new PluginKey("slashCommands");
const TRIGGER = /(?:^|\s)\/([\p{L}\p{N}-]{0,24})$/u;

export const SLASH_ITEMS = [
  { id: "paragraph", label: "Text", hint: "Plain paragraph", icon: icons.paragraph, keywords: "text paragraph normal", run: (c) => c.setParagraph() },
  { id: "h1", label: "Heading 1", hint: "Large section heading", icon: icons.h1, keywords: "title h1 heading large", run: (c) => c.setHeading({ level: 1 }) },
  { id: "h2", label: "Heading 2", hint: "Medium section heading", icon: icons.h2, keywords: "subtitle h2 heading medium", run: (c) => c.setHeading({ level: 2 }) },
  { id: "h3", label: "Heading 3", hint: "Small section heading", icon: icons.h3, keywords: "h3 heading small", run: (c) => c.setHeading({ level: 3 }) },
  { id: "bulletList", label: "Bulleted list", hint: "A simple list", icon: icons.bulletList, keywords: "bullet list unordered ul", run: (c) => c.toggleBulletList() },
  { id: "orderedList", label: "Numbered list", hint: "A list with numbers", icon: icons.orderedList, keywords: "numbered ordered list ol", run: (c) => c.toggleOrderedList() },
  { id: "taskList", label: "Checklist", hint: "Track tasks with checkboxes", icon: icons.taskList, keywords: "todo task checkbox check list", run: (c) => c.toggleTaskList() },
  { id: "blockquote", label: "Quote", hint: "Capture a quotation", icon: icons.quote, keywords: "quote blockquote citation", run: (c) => c.toggleBlockquote() },
  { id: "codeBlock", label: "Code block", hint: "Monospaced code", icon: icons.codeBlock, keywords: "code pre snippet", run: (c) => c.toggleCodeBlock() },
  { id: "table", label: "Table", hint: "3 × 3 with a header row", icon: icons.table, keywords: "table grid", run: (c) => c.insertTable({ rows: 3, cols: 3, withHeaderRow: true }) },
  { id: "divider", label: "Divider", hint: "Separate sections", icon: icons.divider, keywords: "divider hr rule line separator", run: (c) => c.setHorizontalRule() },
];

export function filterItems(query) {
  const q = query.trim().toLowerCase();
  if (!q) return SLASH_ITEMS;
  return SLASH_ITEMS.filter((item) => `${item.label} ${item.keywords}`.toLowerCase().split(/\s+/).some((word) => word.startsWith(q)));
}

function findTrigger(state) {
  const { selection } = state;
  if (!selection.empty) return null;
  const { $from } = selection;
  if (!$from.parent.isTextblock || $from.parent.type.spec.code) return null;
  const before = $from.parent.textBetween(0, $from.parentOffset, undefined, "\ufffc");
  const match = TRIGGER.exec(before);
  if (!match) return null;
  const query = match[1];
  return { from: $from.pos - query.length - 1, to: $from.pos, query };
}

export const SlashCommands = Extension.create({
  name: "slashCommands",

  addProseMirrorPlugins() {
    const editor = this.editor;
    let menu = null;

    return [
      new Plugin({
        key,
        state: {
          init: () => ({ active: false }),
          apply(tr, prev, _old, state) {
            const meta = tr.getMeta(key);
            if (meta && meta.close) return { active: false, dismissedAt: meta.at };
            const trigger = findTrigger(state);
            if (!trigger) return { active: false };
            const dismissedAt = prev.dismissedAt !== undefined ? tr.mapping.map(prev.dismissedAt) : undefined;
            if (dismissedAt === trigger.from) return { active: false, dismissedAt };
            if (prev.active) {
              const from = tr.mapping.map(prev.from);
              if (from === trigger.from) return { ...trigger, active: true, index: meta && meta.index !== undefined ? meta.index : prev.query === trigger.query ? prev.index : 0 };
            }
            // Open only right after this user typed the slash.
            if (tr.docChanged && !isChangeOrigin(tr) && trigger.query === "" && trigger.to === trigger.from + 1) {
              return { ...trigger, active: true, index: 0 };
            }
            return { active: false };
          },
        },
        props: {
          handleDOMEvents: {
            blur(view) {
              const state = key.getState(view.state);
              if (state && state.active) view.dispatch(view.state.tr.setMeta(key, { close: true, at: state.from }));
              return false;
            },
          },
          handleKeyDown(view, event) {
            const state = key.getState(view.state);
            if (!state || !state.active) return false;
            const items = filterItems(state.query);
            if (event.key === "Escape") {
              view.dispatch(view.state.tr.setMeta(key, { close: true, at: state.from }));
              return true;
            }
            if (!items.length) return false;
            if (event.key === "ArrowDown" || event.key === "ArrowUp") {
              const step = event.key === "ArrowDown" ? 1 : -1;
              const index = (state.index + step + items.length) % items.length;
              view.dispatch(view.state.tr.setMeta(key, { index }));
              return true;
            }
            if (event.key === "Enter" || event.key === "Tab") {
              choose(items[state.index] || items[0], state);
              return true;
            }
            return false;
          },
        },
        view(view) {
          menu = document.createElement("div");
          menu.className = "slash-menu";
          menu.id = "slash-menu";
          menu.setAttribute("role", "listbox");
          menu.setAttribute("aria-label", "Insert block");
          menu.hidden = true;
          menu.addEventListener("mousedown", (event) => event.preventDefault());
          const host = view.dom.parentElement;
          host.append(menu);
          const render = () => {
            const state = key.getState(view.state);
            const items = state && state.active && editor.isEditable ? filterItems(state.query) : [];
            if (!state || !state.active || !editor.isEditable) {
              menu.hidden = true;
              view.dom.removeAttribute("aria-activedescendant");
              view.dom.setAttribute("aria-expanded", "false");
              return;
            }
            menu.replaceChildren();
            if (!items.length) {
              const empty = document.createElement("div");
              empty.className = "slash-empty";
              empty.textContent = "No matching blocks";
              menu.append(empty);
            }
            items.forEach((item, i) => {
              const option = document.createElement("div");
              option.className = "slash-item";
              option.id = `slash-item-${item.id}`;
              option.setAttribute("role", "option");
              option.setAttribute("aria-selected", String(i === state.index));
              option.innerHTML = `<span class="slash-icon">${item.icon}</span><span class="slash-text"><span class="slash-label"></span><span class="slash-hint"></span></span>`;
              option.querySelector(".slash-label").textContent = item.label;
              option.querySelector(".slash-hint").textContent = item.hint;
              option.addEventListener("click", () => choose(item, key.getState(view.state)));
              option.addEventListener("mousemove", () => {
                const current = key.getState(view.state);
                if (current.active && current.index !== i) view.dispatch(view.state.tr.setMeta(key, { index: i }));
              });
              menu.append(option);
            });
            menu.hidden = false;
            view.dom.setAttribute("aria-expanded", "true");
            view.dom.setAttribute("aria-controls", "slash-menu");
            if (items[state.index]) view.dom.setAttribute("aria-activedescendant", `slash-item-${items[state.index].id}`);
            const coords = view.coordsAtPos(state.from);
            const box = host.getBoundingClientRect();
            const below = window.innerHeight - coords.bottom > 320 || coords.top < 340;
            menu.style.left = `${Math.max(0, Math.min(coords.left - box.left, box.width - menu.offsetWidth))}px`;
            menu.style.top = below ? `${coords.bottom - box.top + 6}px` : `${coords.top - box.top - menu.offsetHeight - 6}px`;
            const selected = menu.querySelector('[aria-selected="true"]');
            if (selected) selected.scrollIntoView({ block: "nearest" });
          };
          render();
          return {
            update: render,
            destroy: () => menu.remove(),
          };
        },
      }),
    ];

    function choose(item, state) {
      item.run(editor.chain().focus().deleteRange({ from: state.from, to: state.to })).run();
    }
  },
});
