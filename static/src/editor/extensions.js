// The editor's schema and behaviour. The document is shared, so its node and mark names
// are a contract with everything else that reads or writes it (the server's renderer,
// version restore): paragraph, heading{level}, bulletList, orderedList{start,type},
// listItem, taskList, taskItem{checked}, blockquote, codeBlock{language}, horizontalRule,
// hardBreak, table, tableRow, tableHeader, tableCell{colspan,rowspan,colwidth}; marks bold,
// italic, underline, strike, code, link{href,target,rel,class}. y-prosemirror drops a node
// it cannot build with this schema, so writers must stick to it.
import { Extension } from "@tiptap/core";
import { Plugin, PluginKey } from "@tiptap/pm/state";
import StarterKit from "@tiptap/starter-kit";
import { TaskItem, TaskList } from "@tiptap/extension-list";
import { Table, TableCell, TableHeader, TableRow } from "@tiptap/extension-table";
import { Placeholder } from "@tiptap/extensions";
import Collaboration from "@tiptap/extension-collaboration";
import CollaborationCaret from "@tiptap/extension-collaboration-caret";

import { SlashCommands } from "./slash.js";

function renderCaret(user) {
  const caret = document.createElement("span");
  caret.className = "collaboration-carets__caret is-active";
  caret.style.setProperty("--caret-color", user.color);
  if (user.id !== undefined) caret.dataset.userId = user.id;
  const label = document.createElement("span");
  label.className = "collaboration-carets__label";
  label.textContent = user.name;
  caret.append(label);
  return caret;
}

function renderSelection(user) {
  if (!/^#[0-9a-fA-F]{6}$/.test(user.color || "")) return {};
  return { style: `background-color: ${user.color}2e`, class: "ProseMirror-yjs-selection" };
}

/** Shortcuts of our own: the link dialog, and up from the first line into the title. */
const EditorKeys = Extension.create({
  name: "editorKeys",
  addProseMirrorPlugins() {
    // While editing, a plain click places the caret in a link; Ctrl/Cmd-click opens it.
    return [
      new Plugin({
        key: new PluginKey("openLinkOnModClick"),
        props: {
          handleClick(view, _pos, event) {
            if (!(event.metaKey || event.ctrlKey) || !view.editable) return false;
            const link = event.target.closest && event.target.closest("a[href]");
            if (!link || !view.dom.contains(link)) return false;
            window.open(link.href, "_blank", "noopener,noreferrer");
            return true;
          },
        },
      }),
    ];
  },
  addOptions() {
    return { openLinkDialog: () => {}, openHelp: () => {}, focusTitle: () => {} };
  },
  addKeyboardShortcuts() {
    return {
      "Mod-k": () => {
        this.options.openLinkDialog();
        return true;
      },
      "Mod-/": () => {
        this.options.openHelp();
        return true;
      },
      ArrowUp: ({ editor }) => {
        const { selection } = editor.state;
        if (!selection.empty || selection.$head.depth < 1 || selection.$head.before(1) !== 0) return false;
        if (!editor.view.endOfTextblock("up")) return false;
        this.options.focusTitle();
        return true;
      },
    };
  },
});

export function buildExtensions({ ydoc, provider, user, openLinkDialog, openHelp, focusTitle }) {
  return [
    StarterKit.configure({
      // Yjs' undo manager (from Collaboration) undoes only this user's own changes.
      undoRedo: false,
      // Every client appending a trailing paragraph at once would multiply them.
      trailingNode: false,
      link: {
        openOnClick: false,
        autolink: true,
        linkOnPaste: true,
        defaultProtocol: "https",
        HTMLAttributes: { rel: "noopener noreferrer nofollow", target: "_blank" },
      },
      codeBlock: { HTMLAttributes: { spellcheck: "false" } },
      dropcursor: { color: "#2557d6", width: 2 },
    }),
    TaskList,
    TaskItem.configure({ nested: true }),
    Table.configure({ resizable: true, handleWidth: 6, cellMinWidth: 60, lastColumnResizable: true }),
    TableRow,
    TableHeader,
    TableCell,
    Placeholder.configure({
      placeholder: ({ node, editor }) => {
        if (node.type.name === "heading") return `Heading ${node.attrs.level}`;
        if (editor.isEmpty) return "Start writing, or type / for blocks…";
        return "Type / for blocks";
      },
      includeChildren: false,
    }),
    Collaboration.configure({ document: ydoc, field: "default" }),
    CollaborationCaret.configure({ provider, user, render: renderCaret, selectionRender: renderSelection }),
    EditorKeys.configure({ openLinkDialog, openHelp, focusTitle }),
    SlashCommands,
  ];
}
