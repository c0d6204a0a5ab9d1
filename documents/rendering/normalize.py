"""Fix up a Block tree so the editor's schema accepts it as it is.

y-prosemirror drops (and deletes from the shared document) any element the schema rejects,
so everything written into a page goes through here first.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from .blocks import Block, MarkSet, Node, TextRun, is_inline, plain_text
from .schema import LIST_ITEM_TYPES, TABLE_CELL_TYPES, mark_attrs, mark_sort_key, node_attrs

_ITEM_TYPE_OF_LIST = {"bulletList": "listItem", "orderedList": "listItem", "taskList": "taskItem"}
_LIST_OF_ITEM_TYPE = {"listItem": "bulletList", "taskItem": "taskList"}


def normalize_blocks(nodes: Sequence[Node]) -> list[Block]:
    """The nodes as valid doc content: stray inline content wrapped in paragraphs, required children added,
    empty lists and tables dropped, adjacent text runs with the same marks merged, defaults filled in."""
    return _block_content(nodes)


def _block_content(nodes: Iterable[Node]) -> list[Block]:
    """Children of a container of blocks (doc, blockquote, cell, list item after its first paragraph)."""
    blocks: list[Block] = []
    pending_inline: list[Node] = []
    for node in nodes:
        if is_inline(node):
            pending_inline.append(node)
            continue
        if pending_inline:
            blocks.append(_paragraph(pending_inline))
            pending_inline = []
        assert isinstance(node, Block)
        blocks.extend(_as_blocks(node))
    if pending_inline:
        blocks.append(_paragraph(pending_inline))
    return blocks


def _paragraph(children: Iterable[Node] = ()) -> Block:
    """A paragraph holding this inline content."""
    return Block("paragraph", children=_inline_content(children))


def _attrs(node_type: str, attrs: dict[str, Any]) -> dict[str, Any]:
    """The attrs y-prosemirror would store: defaults filled in, nulls left out."""
    return {key: value for key, value in node_attrs(node_type, attrs).items() if value is not None}


def _as_blocks(block: Block) -> list[Block]:
    """One node met where blocks belong, fixed up; list items, rows and cells get their parents."""
    if block.type in LIST_ITEM_TYPES:
        return _as_blocks(Block(_LIST_OF_ITEM_TYPE[block.type], children=[block]))
    if block.type == "tableRow" or block.type in TABLE_CELL_TYPES:
        return _as_blocks(Block("table", children=[block]))
    attrs = _attrs(block.type, block.attrs)
    if block.type in ("paragraph", "heading"):
        return [Block(block.type, attrs, _inline_content(block.children))]
    if block.type == "codeBlock":
        # Code holds plain text only: marks go, breaks become newlines.
        text = plain_text(block.children)
        return [Block("codeBlock", attrs, [TextRun(text)] if text else [])]
    if block.type == "horizontalRule":
        return [Block("horizontalRule", attrs)]
    if block.type == "blockquote":
        return [Block("blockquote", attrs, list(_block_content(block.children) or [_paragraph()]))]
    if block.type in _ITEM_TYPE_OF_LIST:
        items = _list_items(block.children, _ITEM_TYPE_OF_LIST[block.type])
        return [Block(block.type, attrs, list(items))] if items else []
    if block.type == "table":
        rows = _table_rows(block.children)
        return [Block("table", attrs, list(rows))] if rows else []
    # A node type this module does not know (a newer editor extension): keep it untouched.
    return [Block(block.type, dict(block.attrs), list(block.children))]


def _list_items(children: Iterable[Node], item_type: str) -> list[Block]:
    """Children of a list as items of `item_type`; a list nested directly in a list joins the item before it."""
    items: list[Block] = []
    for child in children:
        if isinstance(child, Block) and child.type in LIST_ITEM_TYPES:
            items.append(_list_item(child, item_type))
        elif isinstance(child, Block) and child.type in _ITEM_TYPE_OF_LIST and items:
            items[-1].children.extend(_as_blocks(child))
        else:
            items.append(_list_item(Block(item_type, children=[child]), item_type))
    return items


def _list_item(item: Block, item_type: str) -> Block:
    """A list or task item whose content starts with a paragraph, as the schema requires."""
    attrs = _attrs(item_type, {"checked": bool(item.attrs.get("checked"))} if item_type == "taskItem" else {})
    content = _block_content(item.children)
    if not content or content[0].type != "paragraph":
        content.insert(0, _paragraph())
    return Block(item_type, attrs, list(content))


def _table_rows(children: Iterable[Node]) -> list[Block]:
    """Children of a table as rows of cells; loose cells and content get a row of their own."""
    rows: list[Block] = []
    for child in children:
        if isinstance(child, Block) and child.type == "tableRow":
            cells = [_table_cell(cell) for cell in child.children]
            if cells:
                rows.append(Block("tableRow", _attrs("tableRow", child.attrs), list(cells)))
        else:
            rows.append(Block("tableRow", children=[_table_cell(child)]))
    return rows


def _table_cell(node: Node) -> Block:
    """A table cell or header holding at least one block."""
    if not (isinstance(node, Block) and node.type in TABLE_CELL_TYPES):
        node = Block("tableCell", children=[node])
    return Block(node.type, _attrs(node.type, node.attrs), list(_block_content(node.children) or [_paragraph()]))


def _inline_content(nodes: Iterable[Node]) -> list[Node]:
    """Inline content: empty runs dropped, runs with equal marks merged, blocks flattened to their inline content."""
    content: list[Node] = []
    for node in _flatten_inline(nodes):
        if isinstance(node, Block):
            content.append(node)
            continue
        if not node.text:
            continue
        marks = _mark_set(node.marks)
        previous = content[-1] if content else None
        if isinstance(previous, TextRun) and previous.marks == marks:
            previous.text += node.text
        else:
            content.append(TextRun(node.text, marks))
    return content


def _flatten_inline(nodes: Iterable[Node]) -> Iterable[Node]:
    """Inline nodes in order, looking through any block found among them."""
    for node in nodes:
        if isinstance(node, TextRun):
            yield node
        elif node.type == "hardBreak":
            yield Block("hardBreak")
        else:
            yield from _flatten_inline(node.children)


def _mark_set(marks: MarkSet) -> MarkSet:
    """Marks in schema order with their defaults; code excludes every other mark, as in the schema."""
    if "code" in marks:
        return {"code": {}}
    return {name: mark_attrs(name, marks[name]) for name in sorted(marks, key=mark_sort_key)}
