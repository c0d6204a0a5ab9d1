"""Blocks to plain text for search and previews: what a reader would type to copy the page."""

from __future__ import annotations

from collections.abc import Sequence

from .blocks import Block, Node, is_inline, plain_text
from .schema import LIST_TYPES, node_attrs


def blocks_to_text(nodes: Sequence[Node]) -> str:
    """Blocks separated by a blank line; list items one a line; table rows as tab-separated cells."""
    return _join(nodes, "\n\n")


def _join(nodes: Sequence[Node], separator: str) -> str:
    """The text of each block, empty ones left out, joined by `separator`."""
    texts: list[str] = []
    inline: list[Node] = []
    for node in nodes:
        if is_inline(node):
            inline.append(node)
            continue
        if inline:
            texts.append(plain_text(inline))
            inline = []
        assert isinstance(node, Block)
        texts.append(_block_text(node))
    if inline:
        texts.append(plain_text(inline))
    return separator.join(text for text in texts if text)


def _block_text(block: Block) -> str:
    """The text of one block."""
    if block.type in ("paragraph", "heading"):
        return plain_text(block.children)
    if block.type == "codeBlock":
        return plain_text(block.children).rstrip("\n")
    if block.type in LIST_TYPES:
        return _list_text(block)
    if block.type == "table":
        return "\n".join(_row_text(row) for row in block.children if isinstance(row, Block))
    if block.type in ("horizontalRule", "hardBreak"):
        return ""
    return _join(block.children, "\n\n")


def _list_text(block: Block) -> str:
    """One line per item with its marker; an item's further lines hang under its text."""
    start = node_attrs(block.type, block.attrs).get("start")
    number = start if isinstance(start, int) and not isinstance(start, bool) else 1
    lines: list[str] = []
    for item in block.children:
        if not isinstance(item, Block):
            continue
        if block.type == "orderedList":
            marker = f"{number}. "
            number += 1
        elif block.type == "taskList":
            marker = "[x] " if item.attrs.get("checked") else "[ ] "
        else:
            marker = "- "
        lines.append(_hang(marker, _join(item.children, "\n")))
    return "\n".join(lines)


def _hang(marker: str, text: str) -> str:
    """The text after its marker, further lines indented to line up under the first (empty ones left empty)."""
    first, *rest = text.split("\n")
    return "\n".join([marker + first, *(" " * len(marker) + line if line else line for line in rest)])


def _row_text(row: Block) -> str:
    """A table row as its cells' text, tab-separated, each cell on one line."""
    return "\t".join(" ".join(_join(cell.children, "\n").split()) for cell in row.children if isinstance(cell, Block))
