"""Read and write Blocks in a page's pycrdt XmlFragment, the way y-prosemirror (@tiptap/y-tiptap) does.

y-prosemirror's encoding: a node is an XmlElement named after the node type, whose attributes
are the node's non-null attrs (numbers, booleans, arrays as they are, not strings); the text
of a textblock between two inline nodes is one XmlText whose formatting attributes are the
marks, mark name -> the mark's full attrs object (`{}` for bold; link carries href, target,
rel, class and title, nulls included). Marks that may overlap get a `--<hash>` suffix.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Any

from pycrdt import Transaction, XmlElement, XmlFragment, XmlText

from .blocks import Block, MarkSet, Node, TextRun
from .normalize import normalize_blocks
from .schema import mark_attrs, plain_value

# y-prosemirror's yattr2markname: the hash it appends to the names of overlapping marks.
_HASHED_MARK_NAME = re.compile(r"(.*)(--[a-zA-Z0-9+/=]{8})$")

XmlParent = XmlFragment | XmlElement
# The editor never nests this deep; a document crafted to would otherwise exhaust the recursion
# of the readers and renderers, which recurse once per level.
MAX_DEPTH = 100


def fragment_to_blocks(fragment: XmlParent) -> list[Node]:
    """The content of a fragment (or element) as Blocks, attrs and marks as stored."""
    with fragment.doc.transaction():  # one transaction for the whole walk, not one per read
        return _read_children(fragment, 0)


def _read_children(parent: XmlParent, depth: int) -> list[Node]:
    """The children of an element as Blocks and TextRuns; nothing below MAX_DEPTH."""
    nodes: list[Node] = []
    if depth > MAX_DEPTH:
        return nodes
    for child in parent.children:
        if isinstance(child, XmlText):
            nodes.extend(_read_text(child))
        elif isinstance(child, XmlElement):
            # list(): pycrdt types the attributes view's __iter__ as returning an Iterable.
            pairs = list(child.attributes.__iter__())
            attrs = {key: plain_value(value) for key, value in pairs if value is not None}
            nodes.append(Block(child.tag or "", attrs, _read_children(child, depth + 1)))
    return nodes


def _read_text(text: XmlText) -> list[TextRun]:
    """The formatted runs of an XmlText; embeds, which y-prosemirror never writes, are skipped."""
    return [TextRun(chunk, _read_marks(attrs or {})) for chunk, attrs in text.diff() if isinstance(chunk, str)]


def _read_marks(attrs: dict[str, Any]) -> MarkSet:
    """Text formatting attributes as marks, hash suffixes removed."""
    marks: MarkSet = {}
    for key, value in attrs.items():
        if value is None:
            continue
        match = _HASHED_MARK_NAME.match(key)
        marks[match.group(1) if match else key] = plain_value(value) if isinstance(value, dict) else {}
    return marks


def insert_blocks(fragment: XmlParent, index: int, blocks: Sequence[Node], txn: Transaction | None = None) -> None:
    """Insert blocks (normalised first) as children `index`, `index + 1`, ... of a fragment or element."""
    with _transaction(fragment, txn):
        for offset, block in enumerate(normalize_blocks(blocks)):
            _write_element(fragment, index + offset, block)


def replace_blocks(fragment: XmlFragment, blocks: Sequence[Node], txn: Transaction | None = None) -> None:
    """Replace all of a page's content with these blocks, in one transaction (restore, REST write)."""
    content = normalize_blocks(blocks) or [Block("paragraph")]  # a doc holds at least one block
    with _transaction(fragment, txn):
        del fragment.children[0 : len(fragment.children)]
        insert_blocks(fragment, 0, content)


def _transaction(fragment: XmlParent, txn: Transaction | None) -> AbstractContextManager[Transaction]:
    """The caller's transaction if given, else the document's current or a new one."""
    return txn if txn is not None else fragment.doc.transaction()


def _write_element(parent: XmlParent, index: int, block: Block) -> None:
    """Write one block as an XmlElement at `index` of `parent`, children included."""
    element = parent.children.insert(index, XmlElement(block.type))
    for key, value in block.attrs.items():
        if value is not None:  # y-prosemirror leaves null attrs out
            element.attributes[key] = value
    _write_children(element, block.children)


def _write_children(element: XmlElement, children: Sequence[Node]) -> None:
    """Write children, each run of consecutive TextRuns as one XmlText as y-prosemirror does."""
    text: XmlText | None = None
    for child in children:
        if isinstance(child, Block):
            _write_element(element, len(element.children), child)
            text = None
            continue
        if text is None:
            text = element.children.insert(len(element.children), XmlText())
        # len() of an XmlText counts UTF-8 bytes, like every pycrdt text index: append at the end.
        text.insert(len(text), child.text, _mark_attributes(child.marks))


def _mark_attributes(marks: MarkSet) -> dict[str, Any]:
    """Marks as y-prosemirror formatting attributes: name -> full attrs object."""
    return {name: mark_attrs(name, attrs) for name, attrs in marks.items()}
