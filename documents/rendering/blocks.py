"""The Block tree: a small copy of a page's ProseMirror content, independent of the CRDT."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from .schema import mark_attrs, mark_sort_key, node_attrs

MarkSet: TypeAlias = dict[str, dict[str, Any]]


@dataclass
class TextRun:
    """A run of text and its marks: mark name -> mark attrs (`{}` for bold, `{"href": ...}` for link)."""

    text: str
    marks: MarkSet = field(default_factory=dict)


@dataclass
class Block:
    """A ProseMirror node other than text: node type, attrs, and children (blocks, inline nodes, text runs)."""

    type: str
    attrs: dict[str, Any] = field(default_factory=dict)
    children: list[Block | TextRun] = field(default_factory=list)


Node: TypeAlias = Block | TextRun


def is_inline(node: Node) -> bool:
    """True for text runs and inline nodes such as hardBreak."""
    return isinstance(node, TextRun) or node.type == "hardBreak"


def plain_text(nodes: Iterable[Node]) -> str:
    """The text of these nodes and their descendants, hardBreak as a newline."""
    parts: list[str] = []
    for node in nodes:
        if isinstance(node, TextRun):
            parts.append(node.text)
        elif node.type == "hardBreak":
            parts.append("\n")
        else:
            parts.append(plain_text(node.children))
    return "".join(parts)


def text_to_blocks(text: str) -> list[Block]:
    """Plain text as paragraphs: a blank line separates paragraphs, a single newline is a hardBreak."""
    blocks = []
    for chunk in re.split(r"\n[ \t]*\n+", text.replace("\r\n", "\n").replace("\r", "\n").strip("\n")):
        if not chunk.strip(" \t"):
            continue
        children: list[Node] = []
        for number, line in enumerate(chunk.split("\n")):
            if number:
                children.append(Block("hardBreak"))
            if line:
                children.append(TextRun(line))
        blocks.append(Block("paragraph", children=children))
    return blocks


def blocks_to_json(blocks: Sequence[Node]) -> dict[str, Any]:
    """The ProseMirror JSON of a doc holding these blocks, as the editor's `getJSON()` gives it."""
    return _node_json(Block("doc", children=list(blocks)))


def _node_json(node: Node) -> dict[str, Any]:
    """ProseMirror's Node.toJSON: attrs when the type has any, content and marks when not empty."""
    if isinstance(node, TextRun):
        json: dict[str, Any] = {"type": "text", "text": node.text}
        if node.marks:
            json["marks"] = [_mark_json(name, node.marks[name]) for name in sorted(node.marks, key=mark_sort_key)]
        return json
    json = {"type": node.type}
    attrs = node_attrs(node.type, node.attrs)
    if attrs:
        json["attrs"] = attrs
    if node.children:
        json["content"] = [_node_json(child) for child in node.children]
    return json


def _mark_json(name: str, attrs: Mapping[str, Any]) -> dict[str, Any]:
    """ProseMirror's Mark.toJSON."""
    full = mark_attrs(name, attrs)
    return {"type": name, "attrs": full} if full else {"type": name}


def json_to_blocks(doc: Mapping[str, Any]) -> list[Node]:
    """The blocks of a ProseMirror JSON doc (Tiptap's `getJSON()`), or of one node if `doc` is not a doc."""
    node = _node_from_json(doc)
    if isinstance(node, Block) and node.type == "doc":
        return node.children
    return [node]


def _node_from_json(json: Mapping[str, Any]) -> Node:
    """One ProseMirror JSON node as a Block or TextRun."""
    if json.get("type") == "text":
        marks = {mark["type"]: dict(mark.get("attrs") or {}) for mark in json.get("marks") or ()}
        return TextRun(str(json.get("text", "")), marks)
    children = [_node_from_json(child) for child in json.get("content") or ()]
    return Block(str(json["type"]), dict(json.get("attrs") or {}), children)
