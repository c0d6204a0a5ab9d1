// The keyboard shortcuts sheet (Mod-/ or the toolbar's keyboard button).
import { shortcutLabel } from "./toolbar.js";

const SECTIONS = [
  {
    title: "Text",
    rows: [
      ["Bold", "Mod-B"],
      ["Italic", "Mod-I"],
      ["Underline", "Mod-U"],
      ["Strikethrough", "Mod-Shift-S"],
      ["Inline code", "Mod-E"],
      ["Link", "Mod-K"],
    ],
  },
  {
    title: "Blocks",
    rows: [
      ["Normal text", "Mod-Alt-0"],
      ["Heading 1, 2, 3", "Mod-Alt-1 … 3"],
      ["Bulleted list", "Mod-Shift-8"],
      ["Numbered list", "Mod-Shift-7"],
      ["Checklist", "Mod-Shift-9"],
      ["Quote", "Mod-Shift-B"],
      ["Code block", "Mod-Alt-C"],
      ["Line break", "Shift-Enter"],
      ["Indent / outdent list item", "Tab / Shift-Tab"],
    ],
  },
  {
    title: "As you type",
    rows: [
      ["Block menu", "/"],
      ["Heading 1, 2, 3", "# ## ###", true],
      ["Bulleted list", "- or *", true],
      ["Numbered list", "1.", true],
      ["Checklist", "[ ]", true],
      ["Quote", ">", true],
      ["Code block", "```", true],
      ["Divider", "---", true],
      ["Bold, italic, code", "**b** *i* `c`", true],
    ],
  },
  {
    title: "Editing",
    rows: [
      ["Undo your last change", "Mod-Z"],
      ["Redo", "Mod-Shift-Z"],
      ["Go to the toolbar", "Alt-F10"],
      ["Version history", "Mod-Alt-Shift-H"],
      ["This list", "Mod-/"],
    ],
  },
];

function keysLabel(keys, literal) {
  if (literal) return keys;
  return keys
    .split(" / ")
    .map((part) => part.split(" … ").map((k) => shortcutLabel(k)).join(" … "))
    .join(" / ");
}

let dialog = null;

export function openShortcuts(returnFocus) {
  if (!dialog) {
    dialog = document.createElement("dialog");
    dialog.className = "shortcuts-dialog";
    dialog.setAttribute("aria-labelledby", "shortcuts-title");
    const sections = SECTIONS.map(
      (section) => `
      <section>
        <h3>${section.title}</h3>
        <dl>${section.rows
          .map(([label, keys, literal]) => `<div><dt>${label}</dt><dd><kbd>${keysLabel(keys, literal).replace(/&/g, "&amp;").replace(/</g, "&lt;")}</kbd></dd></div>`)
          .join("")}</dl>
      </section>`,
    ).join("");
    dialog.innerHTML = `
      <form method="dialog">
        <h2 id="shortcuts-title">Keyboard shortcuts</h2>
        <div class="shortcuts-grid" tabindex="-1">${sections}</div>
        <div class="buttons"><button type="submit" class="primary" autofocus>Done</button></div>
      </form>`;
    document.body.append(dialog);
  }
  dialog.onclose = () => returnFocus && returnFocus();
  dialog.showModal();
}
