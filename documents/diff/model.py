"""What a diff is made of: block changes, inline segments, formatting changes, the summary; and their JSON."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any, Literal, TypeAlias

from documents.rendering import Block, MarkSet, Node, TextRun, blocks_to_text, plain_text
from documents.rendering.schema import heading_level

from .tokens import count_words

ChangeOp: TypeAlias = Literal["equal", "insert", "delete", "move", "move_source", "change"]
SegmentOp: TypeAlias = Literal["equal", "insert", "delete", "format"]
MarkChangeKind: TypeAlias = Literal["added", "removed", "changed"]

_MARK_NAMES = {
    "bold": "bold",
    "italic": "italic",
    "underline": "underline",
    "strike": "strikethrough",
    "code": "code",
    "link": "link",
}
_BLOCK_NAMES = {
    "paragraph": "Paragraph",
    "codeBlock": "Code block",
    "blockquote": "Quote",
    "bulletList": "Bulleted list",
    "orderedList": "Numbered list",
    "taskList": "Checklist",
    "listItem": "List item",
    "taskItem": "Checklist item",
    "table": "Table",
    "tableRow": "Row",
    "tableCell": "Cell",
    "tableHeader": "Header cell",
    "horizontalRule": "Divider",
}
_BLOCK_NOUNS = {
    "paragraph": ("paragraph", "paragraphs"),
    "heading": ("heading", "headings"),
    "bulletList": ("list", "lists"),
    "orderedList": ("list", "lists"),
    "taskList": ("checklist", "checklists"),
    "listItem": ("list item", "list items"),
    "taskItem": ("checklist item", "checklist items"),
    "table": ("table", "tables"),
    "tableRow": ("row", "rows"),
    "tableCell": ("cell", "cells"),
    "tableHeader": ("cell", "cells"),
    "codeBlock": ("code block", "code blocks"),
    "blockquote": ("quote", "quotes"),
    "horizontalRule": ("divider", "dividers"),
}


def block_name(node: Node) -> str:
    """What a reader calls this kind of block: "Heading 2", "Bulleted list"."""
    if isinstance(node, TextRun):
        return "Text"
    if node.type == "heading":
        return f"Heading {heading_level(node.attrs)}"
    return _BLOCK_NAMES.get(node.type, node.type)


def blocks_noun(nodes: Iterable[Node], count: int) -> str:
    """ "3 paragraphs", "1 row", or "4 blocks" when they are of different kinds."""
    types = {node.type if isinstance(node, Block) else "text" for node in nodes}
    singular, plural = _BLOCK_NOUNS.get(types.pop(), ("block", "blocks")) if len(types) == 1 else ("block", "blocks")
    return f"{count} {singular if count == 1 else plural}"


def node_text(node: Node) -> str:
    """A block's plain text, as search and previews show it."""
    if isinstance(node, TextRun):
        return node.text
    if node.type == "hardBreak":
        return "\n"
    return blocks_to_text([node]) if node.type != "paragraph" else plain_text(node.children)


@dataclass(frozen=True)
class MarkChange:
    """One mark added to, removed from or changed on a stretch of unchanged text; attrs as in TextRun.marks."""

    mark: str
    change: MarkChangeKind
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None

    @property
    def label(self) -> str:
        """ "bold added", "link changed to https://…"."""
        name = _MARK_NAMES.get(self.mark, self.mark)
        if self.mark == "link" and self.change != "removed":
            href = (self.after or {}).get("href")
            verb = "added" if self.change == "added" else "changed to"
            return f"link {verb} {href}" if href else f"link {self.change}"
        return f"{name} {self.change}"

    def to_json(self) -> dict[str, Any]:
        json: dict[str, Any] = {"mark": self.mark, "change": self.change}
        if self.change == "changed":
            json["from"] = self.before
            json["to"] = self.after
        elif self.change == "added" and self.after:
            json["to"] = self.after
        return json


@dataclass(frozen=True)
class Segment:
    """A stretch of a textblock's text: kept, inserted, deleted, or kept with other marks ("format").

    `marks` are the marks the text has in the document it is shown from (the new one, the old one
    for a deletion); `old_marks` are its marks before, which differ only for "format".
    """

    op: SegmentOp
    text: str
    marks: MarkSet = field(default_factory=dict)
    old_marks: MarkSet = field(default_factory=dict)
    changes: tuple[MarkChange, ...] = ()

    @property
    def label(self) -> str:
        """For "format": what changed, "bold added, italic removed"; otherwise empty."""
        return ", ".join(change.label for change in self.changes)

    def to_json(self) -> dict[str, Any]:
        json: dict[str, Any] = {"op": self.op, "text": self.text}
        if self.marks:
            json["marks"] = self.marks
        if self.op == "format":
            json["changes"] = [change.to_json() for change in self.changes]
            json["label"] = self.label
        return json


@dataclass(frozen=True)
class AttrChange:
    """A block's own formatting changed: its type (paragraph to heading), heading level, list kind, a check."""

    attr: str
    before: Any
    after: Any
    label: str

    def to_json(self) -> dict[str, Any]:
        return {"attr": self.attr, "from": self.before, "to": self.after, "label": self.label}


@dataclass
class Change:
    """One entry of a diff at one level of the tree (the page, a list, a table, a row, a cell...).

    `old` and `new` hold the nodes concerned: the whole unchanged run for "equal", one node (or
    none) otherwise. `old_index` and `new_index` are the positions among the siblings of each side.
    """

    op: ChangeOp
    old_index: int | None = None
    new_index: int | None = None
    old: Sequence[Node] = ()
    new: Sequence[Node] = ()
    format: list[AttrChange] = field(default_factory=list)
    inline: list[Segment] | None = None
    children: list[Change] | None = None
    move_id: int | None = None
    direction: Literal["up", "down"] | None = None

    @property
    def node(self) -> Node:
        """The node this entry shows: the new one, the old one for deletions and move sources."""
        return (self.new or self.old)[0] if self.op not in ("delete", "move_source") else self.old[0]

    @property
    def edited(self) -> bool:
        """True when the block itself changed (its formatting or its text), not only blocks inside it."""
        return bool(self.format) or any(segment.op != "equal" for segment in self.inline or ())

    def to_json(self) -> dict[str, Any]:
        json: dict[str, Any] = {"op": self.op}
        if self.old_index is not None:
            json["old"] = self.old_index
        if self.new_index is not None:
            json["new"] = self.new_index
        if self.op == "equal":
            json["count"] = len(self.new)
            return json
        node = self.node
        json["type"] = node.type if isinstance(node, Block) else "text"
        if self.op in ("insert", "delete", "move", "move_source"):
            json["text"] = node_text(node)
        if self.direction:
            json["direction"] = self.direction
        if self.format:
            json["format"] = [change.to_json() for change in self.format]
        if self.inline is not None and (self.op == "change" or self.edited):
            json["inline"] = [segment.to_json() for segment in self.inline]
        if self.children is not None:
            json["children"] = [child.to_json() for child in self.children]
        return json


@dataclass(frozen=True)
class DiffSummary:
    """Counts for a one-line description of a diff: "12 words added, 3 removed, 1 formatting change"."""

    words_added: int = 0
    words_removed: int = 0
    blocks_added: int = 0
    blocks_removed: int = 0
    blocks_changed: int = 0
    blocks_moved: int = 0
    formatting_changes: int = 0

    @property
    def identical(self) -> bool:
        return not any(
            (
                self.words_added,
                self.words_removed,
                self.blocks_added,
                self.blocks_removed,
                self.blocks_changed,
                self.blocks_moved,
                self.formatting_changes,
            )
        )

    @property
    def description(self) -> str:
        """The counts in words; block counts only when no word changed, since words say more."""
        parts: list[str] = []
        if self.words_added:
            parts.append(_count(self.words_added, "word") + " added")
        if self.words_removed:
            noun = str(self.words_removed) if self.words_added else _count(self.words_removed, "word")
            parts.append(f"{noun} removed")
        if self.blocks_moved:
            parts.append(_count(self.blocks_moved, "block") + " moved")
        if self.formatting_changes:
            parts.append(_count(self.formatting_changes, "formatting change"))
        if not parts:
            if self.blocks_added:
                parts.append(_count(self.blocks_added, "block") + " added")
            if self.blocks_removed:
                parts.append(_count(self.blocks_removed, "block") + " removed")
            if self.blocks_changed:
                parts.append(_count(self.blocks_changed, "block") + " changed")
        return ", ".join(parts) if parts else "No changes"

    def to_json(self) -> dict[str, Any]:
        return {
            "words_added": self.words_added,
            "words_removed": self.words_removed,
            "blocks_added": self.blocks_added,
            "blocks_removed": self.blocks_removed,
            "blocks_changed": self.blocks_changed,
            "blocks_moved": self.blocks_moved,
            "formatting_changes": self.formatting_changes,
            "description": self.description,
        }


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def summarize(changes: Sequence[Change]) -> DiffSummary:
    """Count what a diff adds, removes, moves and reformats, at every level of the tree."""
    totals = {name: 0 for name in DiffSummary.__dataclass_fields__}
    _tally(changes, totals)
    return DiffSummary(**totals)


def _tally(changes: Sequence[Change], totals: dict[str, int]) -> None:
    for change in changes:
        if change.op == "insert":
            totals["blocks_added"] += 1
            totals["words_added"] += count_words(node_text(change.new[0]))
        elif change.op == "delete":
            totals["blocks_removed"] += 1
            totals["words_removed"] += count_words(node_text(change.old[0]))
        elif change.op in ("move", "change"):
            if change.op == "move":
                totals["blocks_moved"] += 1
            elif change.edited:
                totals["blocks_changed"] += 1
            totals["formatting_changes"] += len(change.format)
            # Consecutive segments of one kind are one stretch of text, whatever their marks.
            for op, group in groupby(change.inline or (), key=lambda segment: segment.op):
                if op == "format":
                    totals["formatting_changes"] += len({segment.label for segment in group})
                elif op in ("insert", "delete"):
                    words = count_words("".join(segment.text for segment in group))
                    totals["words_added" if op == "insert" else "words_removed"] += words
            _tally(change.children or (), totals)
