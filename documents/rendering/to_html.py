"""Blocks to HTML, the same markup Tiptap's `getHTML()` / `generateHTML()` gives for the editor's schema."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from .blocks import Block, MarkSet, Node, TextRun, is_inline
from .schema import heading_level, is_safe_href, mark_attrs, mark_sort_key, node_attrs

_LINK_ATTRS = ("href", "target", "rel", "class", "title")
_MARK_TAGS = {"bold": "strong", "italic": "em", "underline": "u", "strike": "s", "code": "code"}
# Table's cellMinWidth option: the width Tiptap assumes for a column without one.
_CELL_MIN_WIDTH = 25


def escape_text(text: str) -> str:
    """Escape text as the HTML serialiser does (& < > and no-break space)."""
    return text.replace("&", "&amp;").replace("\u00a0", "&nbsp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_attribute(value: str) -> str:
    """Escape an attribute value as the HTML serialiser does (& " < > and no-break space)."""
    return escape_text(value).replace('"', "&quot;")


def blocks_to_html(nodes: Sequence[Node]) -> str:
    """HTML for a sequence of nodes (usually the doc's blocks)."""
    parts: list[str] = []
    inline: list[Node] = []
    for node in nodes:
        if is_inline(node):
            inline.append(node)
            continue
        if inline:  # inline content where blocks belong: rendered as it is, like ProseMirror would
            parts.append(_inline_html(inline))
            inline = []
        assert isinstance(node, Block)
        parts.append(_block_html(node))
    if inline:
        parts.append(_inline_html(inline))
    return "".join(parts)


def _tag(name: str, attrs: dict[str, Any] | None = None) -> str:
    """An opening tag; attributes whose value is None are left out."""
    rendered = "".join(
        f' {key}="{escape_attribute(_js_string(value))}"' for key, value in (attrs or {}).items() if value is not None
    )
    return f"<{name}{rendered}>"


def _js_string(value: Any) -> str:
    """A value as JavaScript's String() would write it into an attribute."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list | tuple):
        return ",".join("" if item is None else _js_string(item) for item in value)
    return str(value)


def _element(name: str, content: str, attrs: dict[str, Any] | None = None) -> str:
    """An element with its content."""
    return f"{_tag(name, attrs)}{content}</{name}>"


def _block_html(block: Block) -> str:
    """HTML for one block node, as its Tiptap extension's renderHTML would give."""
    attrs = node_attrs(block.type, block.attrs)
    inner = blocks_to_html(block.children)
    match block.type:
        case "paragraph":
            return _element("p", inner)
        case "heading":
            return _element(f"h{heading_level(attrs)}", inner)
        case "blockquote":
            return _element("blockquote", inner)
        case "bulletList":
            return _element("ul", inner)
        case "orderedList":
            list_type = attrs.get("type")
            return _element(
                "ol",
                inner,
                {
                    "start": attrs.get("start") if attrs.get("start") != 1 else None,
                    "type": list_type if list_type and list_type != "1" else None,
                },
            )
        case "listItem":
            return _element("li", inner)
        case "taskList":
            return _element("ul", inner, {"data-type": "taskList"})
        case "taskItem":
            checked = bool(attrs.get("checked"))
            checkbox = _tag("input", {"type": "checkbox", "checked": "checked" if checked else None})
            label = _element("label", checkbox + "<span></span>")
            return _element("li", label + _element("div", inner), {"data-checked": checked, "data-type": "taskItem"})
        case "codeBlock":
            language = attrs.get("language")
            code = _element("code", inner, {"class": f"language-{language}" if language else None})
            return _element("pre", code)
        case "horizontalRule":
            return "<hr>"
        case "table":
            return _table_html(block, inner)
        case "tableRow":
            return _element("tr", inner)
        case "tableCell" | "tableHeader":
            return _element("td" if block.type == "tableCell" else "th", inner, _cell_attributes(attrs))
    # A node type this renderer does not know: its content, without a wrapper of made-up markup.
    return inner


def _cell_attributes(attrs: dict[str, Any]) -> dict[str, Any]:
    """A cell's HTML attributes, in the order Tiptap renders them."""
    align = attrs.get("align")
    return {
        "colspan": attrs.get("colspan"),
        "rowspan": attrs.get("rowspan"),
        "colwidth": attrs.get("colwidth"),
        "style": f"text-align: {align}" if align in ("left", "center", "right") else None,
    }


def _table_html(table: Block, inner: str) -> str:
    """A table with the colgroup and width style that Tiptap's Table renderHTML computes from the first row."""
    cols: list[str] = []
    total = 0
    fixed = True
    first_row = table.children[0] if table.children else None
    for cell in first_row.children if isinstance(first_row, Block) else ():
        if not isinstance(cell, Block):
            continue
        attrs = node_attrs(cell.type, cell.attrs)
        widths = attrs.get("colwidth") or []
        for column in range(int(attrs.get("colspan") or 1)):
            width = widths[column] if column < len(widths) else None
            total += width or _CELL_MIN_WIDTH
            if width:
                style = f"width: {_js_string(max(width, _CELL_MIN_WIDTH))}px"
            else:
                fixed = False
                style = f"min-width: {_CELL_MIN_WIDTH}px"
            cols.append(_tag("col", {"style": style}))
    table_style = f"width: {_js_string(total)}px" if fixed else f"min-width: {_js_string(total)}px"
    return _element("table", _element("colgroup", "".join(cols)) + _element("tbody", inner), {"style": table_style})


def _inline_html(nodes: Iterable[Node]) -> str:
    """Inline content with its marks, nesting and sharing mark elements across runs as ProseMirror's DOMSerializer."""
    parts: list[str] = []
    active: list[tuple[str, dict[str, Any]]] = []
    for node in nodes:
        marks = _renderable_marks(node.marks) if isinstance(node, TextRun) else []
        keep = 0
        while keep < min(len(active), len(marks)) and active[keep] == marks[keep]:
            keep += 1
        while len(active) > keep:
            parts.append(f"</{_mark_tag(active.pop()[0])}>")
        for mark in marks[keep:]:
            parts.append(_mark_open(*mark))
            active.append(mark)
        parts.append(escape_text(node.text) if isinstance(node, TextRun) else _inline_node_html(node))
    parts.extend(f"</{_mark_tag(name)}>" for name, _ in reversed(active))
    return "".join(parts)


def _renderable_marks(marks: MarkSet) -> list[tuple[str, dict[str, Any]]]:
    """The marks HTML can show, in schema order, with their full attrs."""
    names = sorted((name for name in marks if name == "link" or name in _MARK_TAGS), key=mark_sort_key)
    return [(name, mark_attrs(name, marks[name])) for name in names]


def _mark_tag(name: str) -> str:
    """The element a mark renders as."""
    return "a" if name == "link" else _MARK_TAGS[name]


def _mark_open(name: str, attrs: dict[str, Any]) -> str:
    """The opening tag of a mark; a link's unsafe href is emptied, as Tiptap's Link does."""
    if name != "link":
        return _tag(_MARK_TAGS[name])
    href = attrs.get("href")
    # Tiptap renders target and rel from its options first, then the link's known, non-null attrs.
    rendered: dict[str, Any] = {"target": "_blank", "rel": "noopener noreferrer nofollow"}
    rendered.update({key: value for key, value in attrs.items() if key in _LINK_ATTRS and value is not None})
    if href is not None and not (isinstance(href, str) and is_safe_href(href)):
        rendered["href"] = ""
    return _tag("a", rendered)


def _inline_node_html(node: Block) -> str:
    """An inline node other than text."""
    return "<br>" if node.type == "hardBreak" else blocks_to_html(node.children)
