"""Comparing two versions of a page: what was inserted, deleted, moved, edited and reformatted.

    diff = diff_blocks(old_blocks, new_blocks)
    diff.changes      # JSON-able list, below
    diff.summary      # DiffSummary: counts and a one-line description
    diff.to_html()    # the new version with the changes marked
    diff.to_html("side_by_side")  # (before, after): two documents whose rows line up
    diff.to_json()    # {"summary", "changes", "html", "side_by_side": {"before", "after"}}

Pure: no Django, no database; blocks come from documents.rendering (`fragment_to_blocks`,
`markdown_to_blocks`...). How blocks are matched is in blocks.py, words in inline.py.

## `changes`

The changes at the page's top level, in document order; an empty list when the versions are
the same. Each entry has an `op` and the position of its block among its siblings in the old
version (`old`) and the new one (`new`), each given when that side has the block:

    {"op": "equal", "old": 0, "new": 0, "count": 3}
        `count` blocks unchanged (only between and around other changes)
    {"op": "insert", "new": 3, "type": "paragraph", "text": "…"}
    {"op": "delete", "old": 3, "type": "table", "text": "…"}
        a block added or removed, with its plain text (blocks_to_text)
    {"op": "move", "old": 7, "new": 2, "type": "paragraph", "text": "…", "direction": "up"}
        a block now here that was elsewhere (a move down or up); when it was also edited it has
        "format" / "inline" / "children" as a change does
    {"op": "move_source", "old": 7, "new": 2, "type": "paragraph", "text": "…", "direction": "up"}
        where that block was (in old-document order among the other entries)
    {"op": "change", "old": 4, "new": 5, "type": "heading", "format": [...], "inline": [...]}
    {"op": "change", "old": 1, "new": 1, "type": "table", "children": [...]}
        the same block in both, edited. `type` is its new node type. `format` (when not empty)
        lists its own formatting changes:
            {"attr": "level", "from": 2, "to": 3, "label": "Heading 2 → Heading 3"}
            {"attr": "type", "from": "paragraph", "to": "heading", "label": "Paragraph → Heading 1"}
            {"attr": "checked", "from": false, "to": true, "label": "Checked"}
        (also list kind, numbering start, code language, cell alignment and spans, and
        "colwidths" for a table whose columns were resized). Textblocks (paragraph, heading,
        code) have `inline`, the segments of their text in order:
            {"op": "equal", "text": "The ", "marks": {"italic": {}}}     marks left out when none
            {"op": "delete", "text": "quick", "marks": {...}}   old text, with its old marks
            {"op": "insert", "text": "slow"}
            {"op": "format", "text": "fox", "marks": {"bold": {}},
             "changes": [{"mark": "bold", "change": "added"}], "label": "bold added"}
                same text, other marks: `change` is "added" (with `to`, the mark's attrs, when
                it has any, as a link does), "removed", or "changed" (with `from` and `to`:
                {"mark": "link", "change": "changed", "from": {"href": …}, "to": {"href": …}})
        A hard break is "\\n" in segment text. Containers (quote, list, list item, table, row,
        cell) have `children`: the same kind of entries for their child nodes, so a table is
        compared row by row, then cell by cell, and a list item by item.

## `summary`

    {"words_added": 12, "words_removed": 3, "blocks_added": 1, "blocks_removed": 0,
     "blocks_changed": 2, "blocks_moved": 1, "formatting_changes": 1,
     "description": "12 words added, 3 removed, 1 block moved, 1 formatting change"}

Counted at every level (a table row added is a block added). A moved block's words are not
added or removed; a block counts as changed when its own text or formatting changed.

Marks are as in documents.rendering.TextRun (`{"link": {"href": "…", "target": "_blank", …}}`),
with their schema defaults and without null attrs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal, overload

from documents.rendering import Node

from .blocks import BlockDiffer
from .html import render_inline, render_side_by_side
from .model import AttrChange, Change, DiffSummary, MarkChange, Segment, summarize

__all__ = ["AttrChange", "Change", "DiffSummary", "MarkChange", "PageDiff", "Segment", "diff_blocks"]


@dataclass(frozen=True)
class PageDiff:
    """The difference between two versions of a page's blocks."""

    entries: list[Change] = field(repr=False)

    @cached_property
    def changes(self) -> list[dict[str, Any]]:
        """The structured difference, JSON-able (shape in the module docstring)."""
        if self.identical:
            return []
        return [entry.to_json() for entry in self.entries]

    @cached_property
    def identical(self) -> bool:
        """True when the two versions have the same blocks."""
        return all(entry.op == "equal" for entry in self.entries)

    @cached_property
    def summary(self) -> DiffSummary:
        return summarize(self.entries)

    @overload
    def to_html(self, mode: Literal["inline"] = "inline", *, context: int | None = 2) -> str: ...

    @overload
    def to_html(self, mode: Literal["side_by_side"], *, context: int | None = 2) -> tuple[str, str]: ...

    def to_html(self, mode: str = "inline", *, context: int | None = 2) -> str | tuple[str, str]:
        """The diff as HTML; `context` unchanged blocks are kept around each change, None keeps them all.

        Two identical versions show the page unfolded.
        """
        if self.identical:
            context = None
        if mode == "inline":
            return render_inline(self.entries, context)
        if mode == "side_by_side":
            return render_side_by_side(self.entries, context)
        raise ValueError(f"unknown diff mode {mode!r}")

    def to_json(self) -> dict[str, Any]:
        """What the REST API returns for a diff: summary, changes and both HTML renderings."""
        before, after = self.to_html("side_by_side")
        return {
            "summary": self.summary.to_json(),
            "changes": self.changes,
            "html": self.to_html("inline"),
            "side_by_side": {"before": before, "after": after},
        }


def diff_blocks(old: Sequence[Node], new: Sequence[Node]) -> PageDiff:
    """Compare two versions of a page's blocks (old first)."""
    return PageDiff(BlockDiffer().diff_children(list(old), list(new)))
