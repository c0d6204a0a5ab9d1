"""Blocks to GitHub-flavoured Markdown: tables, task lists, fenced code, nested lists, escaped text."""

from __future__ import annotations

import re
from collections.abc import Sequence

from .blocks import Block, Node, is_inline, plain_text
from .schema import LIST_TYPES, TEXTBLOCK_TYPES, heading_level, node_attrs
from .to_markdown_inline import code_span, inline_markdown

_ALIGN = {"left": ":---", "center": ":---:", "right": "---:"}


def blocks_to_markdown(nodes: Sequence[Node]) -> str:
    """GitHub-flavoured Markdown for a sequence of blocks."""
    return _blocks_md(nodes)


def _blocks_md(nodes: Sequence[Node]) -> str:
    """Blocks separated by blank lines; a list right after another of its kind changes marker so they stay apart."""
    parts: list[str] = []
    previous_marker = ""
    inline: list[Node] = []
    for node in nodes:
        if is_inline(node):
            inline.append(node)
            continue
        if inline:
            parts.append(inline_markdown(inline))
            inline = []
        assert isinstance(node, Block)
        if node.type in LIST_TYPES:
            previous_marker = _next_marker(node, previous_marker)
            parts.append(_list_md(node, previous_marker))
        else:
            previous_marker = ""
            parts.append(_block_md(node))
    if inline:
        parts.append(inline_markdown(inline))
    return "\n\n".join(part for part in parts if part)


def _next_marker(block: Block, previous: str) -> str:
    """The list marker character: `-` or `.` unless the list before used it, then `*` or `)`."""
    if block.type == "orderedList":
        return ")" if previous == "." else "."
    return "*" if previous == "-" else "-"


def _block_md(block: Block) -> str:
    """Markdown for one block other than a list."""
    if block.type == "paragraph":
        return inline_markdown(block.children)
    if block.type == "heading":
        text = inline_markdown(block.children)
        # A heading's closing run of `#` would be eaten: escape a trailing one.
        text = re.sub(r"(^|\s)#(#*)$", r"\1\\#\2", text)
        return "#" * heading_level(node_attrs("heading", block.attrs)) + " " + text if text else ""
    if block.type == "blockquote":
        return _prefix_lines(_blocks_md(block.children), "> ", ">")
    if block.type == "codeBlock":
        return _code_block_md(block)
    if block.type == "horizontalRule":
        return "---"
    if block.type == "table":
        return _table_md(block)
    return _blocks_md(block.children)


def _prefix_lines(text: str, prefix: str, empty_prefix: str) -> str:
    """Every line of `text` prefixed; empty lines get `empty_prefix` so no line ends in spaces."""
    return "\n".join(prefix + line if line else empty_prefix for line in text.split("\n"))


def _code_block_md(block: Block) -> str:
    """A fenced code block, its fence longer than any run of backticks in the code."""
    text = plain_text(block.children)
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    language = re.sub(r"[`\s]", "", str(node_attrs("codeBlock", block.attrs).get("language") or ""))
    # The newline before the closing fence is the fence's: a final newline in the code survives.
    return f"{fence}{language}\n{text}\n{fence}"


def _list_md(block: Block, marker_char: str) -> str:
    """A list, one item a line, each item's further blocks indented under its text."""
    start = node_attrs(block.type, block.attrs).get("start")
    number = start if isinstance(start, int) and not isinstance(start, bool) and 0 <= start < 10**9 else 1
    lines: list[str] = []
    for item in block.children:
        if not isinstance(item, Block):
            continue
        if block.type == "orderedList":
            marker = f"{number}{marker_char} "
            number += 1
        else:
            marker = f"{marker_char} "
        checkbox = ("[x] " if item.attrs.get("checked") else "[ ] ") if block.type == "taskList" else ""
        first, _, rest = _item_body_md(item.children).partition("\n")
        text = (marker + checkbox + first).rstrip(" ")
        lines.append(text + "\n" + _prefix_lines(rest, " " * len(marker), "") if rest else text)
    return "\n".join(lines)


def _item_body_md(children: Sequence[Node]) -> str:
    """An item's blocks: a nested list follows its paragraph directly, other blocks after a blank line."""
    parts: list[str] = []
    for child in children:
        text = _blocks_md([child])
        if parts:
            # A bare marker right under a paragraph line would underline it as a heading.
            bare_marker = re.fullmatch(r"[-*]|\d+[.)]", text.split("\n", 1)[0])
            nested_list = isinstance(child, Block) and child.type in LIST_TYPES
            parts.append("\n" if nested_list and not bare_marker else "\n\n")
        parts.append(text)
    return "".join(parts)


def _table_md(table: Block) -> str:
    """A GFM table; the first row is the header when it holds only header cells, else the header is empty."""
    rows = [
        [cell for cell in row.children if isinstance(cell, Block)] for row in table.children if isinstance(row, Block)
    ]
    grid = [_row_cells_md(row) for row in rows]
    width = max((len(cells) for cells in grid), default=0)
    if not width:
        return ""
    first = rows[0]
    has_header = bool(first) and all(cell.type == "tableHeader" for cell in first)
    header = grid.pop(0) if has_header else [""] * width
    aligns = [_ALIGN.get(str(node_attrs(cell.type, cell.attrs).get("align")), "---") for cell in first]
    aligns += ["---"] * (width - len(aligns))
    lines = [_table_line(header, width), _table_line(aligns[:width], width)]
    lines.extend(_table_line(cells, width) for cells in grid)
    return "\n".join(lines)


def _row_cells_md(cells: Sequence[Block]) -> list[str]:
    """A row's cells as Markdown, a cell spanning columns followed by empty ones."""
    out: list[str] = []
    for cell in cells:
        out.append(_cell_md(cell))
        span = node_attrs(cell.type, cell.attrs).get("colspan")
        out.extend([""] * ((span if isinstance(span, int) else 1) - 1))
    return out


def _cell_md(cell: Block) -> str:
    """A cell's text blocks on one line, joined by <br>."""
    parts: list[str] = []
    for block in _textblocks(cell.children):
        if block.type == "codeBlock":
            text = plain_text(block.children)
            parts.append(code_span(text.replace("\n", " "), in_table=True) if text else "")
        else:
            parts.append(inline_markdown(block.children, in_table=True))
    return "<br>".join(parts)


def _textblocks(nodes: Sequence[Node]) -> list[Block]:
    """The paragraphs, headings and code blocks among these nodes and their descendants, in order."""
    found: list[Block] = []
    for node in nodes:
        if isinstance(node, Block):
            found.extend([node] if node.type in TEXTBLOCK_TYPES else _textblocks(node.children))
    return found


def _table_line(cells: Sequence[str], width: int) -> str:
    """One table line, padded to `width` cells."""
    padded = [*cells, *[""] * (width - len(cells))]
    return "| " + " | ".join(padded) + " |"
