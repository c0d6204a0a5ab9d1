"""A diff as HTML: one document with the changes marked (inline), or two whose rows line up (side by side).

The blocks are the page's own markup (documents.rendering.blocks_to_html: same escaping, same
link-safety rules), with these marks added:

- `<ins>` / `<del>` around inserted and deleted text;
- `<span class="diff-format" title="bold added">` around text whose formatting changed;
- on a block element, class `diff-block-ins`, `diff-block-del`, `diff-block-moved` (its new place),
  `diff-block-moved-away` (where it was) or `diff-block-format` (its own formatting changed, e.g. a
  heading level), with `data-diff-label` and `title` saying what happened, and `data-move` pairing
  the two places of a move;
- at the top level, `data-change="N"` on the first element of each change, for "next change";
- long runs of unchanged blocks in `<details class="diff-unchanged">`, `context` blocks kept
  around each change.

Side by side, each document is a list of `<div class="diff-row" data-row="N" data-op="...">`:
row N of "before" and row N of "after" show the same stretch of the page, one of them a
`<div class="diff-placeholder">` where that side has nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from functools import lru_cache
from itertools import groupby
from typing import Literal

from documents.rendering import Block, Node, TextRun, blocks_to_html
from documents.rendering.to_html import escape_attribute

from .blocks import holds_inline
from .inline import BREAK
from .model import Change, Segment, blocks_noun

Side = Literal["before", "after", "both"]
_SENTINEL = "\x00"
_OPEN_TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9]*)")
# How far above a change's context to look for the heading it sits under.
HEADING_REACH = 3
PLACEHOLDER = '<div class="diff-placeholder" aria-hidden="true"></div>'


def _attributes(classes: Sequence[str], attrs: dict[str, str]) -> str:
    rendered = f' class="{" ".join(classes)}"' if classes else ""
    return rendered + "".join(f' {name}="{escape_attribute(value)}"' for name, value in attrs.items())


@lru_cache(maxsize=512)
def _bare_shell(node_type: str, attrs_json: str) -> tuple[str, str]:
    """The markup around a block's content (a page has many blocks, of few kinds: remembered)."""
    html = blocks_to_html([Block(node_type, json.loads(attrs_json), [TextRun(_SENTINEL)])])
    opening, _, closing = html.partition(_SENTINEL)
    return opening, closing


def _shell(node: Block, classes: Sequence[str] = (), attrs: dict[str, str] | None = None) -> tuple[str, str]:
    """The markup a block's content goes between, with these classes and attributes on its element."""
    if node.type != "table":
        opening, closing = _bare_shell(node.type, json.dumps(node.attrs, sort_keys=True, default=str))
    else:
        # The colgroup comes from the first row: render with it, then cut it out.
        first = [child for child in node.children if isinstance(child, Block)][:1]
        first_html = blocks_to_html(first)
        opening, closing = blocks_to_html([Block("table", node.attrs, [*first, TextRun(_SENTINEL)])]).split(_SENTINEL)
        opening = opening[: len(opening) - len(first_html)]
    extra = _attributes(classes, attrs or {})
    if not extra:
        return opening, closing
    if not opening.startswith("<"):  # a node type the renderer does not know renders bare
        return f"<div{extra}>{opening}", f"{closing}</div>"
    return _OPEN_TAG.sub(lambda match: match.group(0) + extra, opening, count=1), closing


def _marker(kind: str, label: str = "", move: int | None = None) -> tuple[list[str], dict[str, str]]:
    """Class and attributes that mark a block as inserted, deleted, moved or reformatted."""
    attrs: dict[str, str] = {}
    if label:
        attrs["data-diff-label"] = label
        attrs["title"] = label
    if move is not None:
        attrs["data-move"] = str(move)
    return [f"diff-block-{kind}"], attrs


def _inline_nodes(text: str, marks: dict[str, dict[str, object]], in_code: bool) -> Iterator[Node]:
    """A segment's text as text runs, its newlines as hard breaks outside code."""
    if in_code:
        yield TextRun(text, marks)
        return
    for index, line in enumerate(text.split(BREAK)):
        if index:
            yield Block("hardBreak")
        if line:
            yield TextRun(line, marks)


def _segments_html(segments: Sequence[Segment], side: Side, in_code: bool) -> str:
    """Inline content with insertions, deletions and format changes marked; one side's only, or both."""
    parts: list[str] = []
    for (op, label), group in groupby(segments, key=lambda segment: (segment.op, segment.label)):
        if (side == "before" and op == "insert") or (side == "after" and op == "delete"):
            continue
        nodes = [
            node
            for segment in group
            for node in _inline_nodes(segment.text, segment.old_marks if side == "before" else segment.marks, in_code)
        ]
        inner = blocks_to_html(nodes)
        if op == "insert":
            parts.append(f'<ins class="diff-ins">{inner}</ins>')
        elif op == "delete":
            parts.append(f'<del class="diff-del">{inner}</del>')
        elif op == "format":
            parts.append(f'<span class="diff-format" title="{escape_attribute(label)}">{inner}</span>')
        else:
            parts.append(inner)
    return "".join(parts)


def _whole(node: Node, wrap: str | None, classes: Sequence[str] = (), attrs: dict[str, str] | None = None) -> str:
    """A block shown whole, its text wrapped in <ins> or <del> (or not, for moves)."""
    if isinstance(node, TextRun) or node.type == "hardBreak":
        inner = blocks_to_html([node])
        return f'<{wrap} class="diff-{wrap}">{inner}</{wrap}>' if wrap and inner else inner
    opening, closing = _shell(node, classes, attrs)
    if holds_inline(node):
        inner = blocks_to_html(node.children)
        if wrap and inner:
            inner = f'<{wrap} class="diff-{wrap}">{inner}</{wrap}>'
        return opening + inner + closing
    return opening + "".join(_whole(child, wrap) for child in node.children) + closing


def _edited(change: Change, side: Side, classes: list[str], attrs: dict[str, str]) -> str:
    """A block changed in place (or moved and edited): its own formatting marked, then its content."""
    node = change.old[0] if side == "before" else change.new[0]
    if isinstance(node, TextRun):
        return _segments_html(change.inline or [], side, in_code=False)
    if change.format:
        label = "; ".join(item.label for item in change.format)
        more_classes, more_attrs = _marker("format", label)
        classes = classes + more_classes
        attrs = {**more_attrs, **attrs} if "data-diff-label" not in attrs else attrs
    opening, closing = _shell(node, classes, attrs)
    if change.inline is not None:
        inner = _segments_html(change.inline, side, in_code=node.type == "codeBlock")
    else:
        inner = _changes_html(change.children or [], side)
    return opening + inner + closing


def _move_label(change: Change) -> str:
    if change.op == "move":
        return "Moved here from above" if change.direction == "down" else "Moved here from below"
    return "Moved down from here" if change.direction == "down" else "Moved up from here"


def change_html(change: Change, side: Side, extra: dict[str, str] | None = None) -> str:
    """One entry that is not "equal", as one side shows it ("" when that side has nothing there)."""
    extra = extra or {}
    if change.op == "insert":
        if side == "before":
            return ""
        classes, attrs = _marker("ins", "Added")
        return _whole(change.new[0], "ins", classes, {**attrs, **extra})
    if change.op == "delete":
        if side == "after":
            return ""
        classes, attrs = _marker("del", "Deleted")
        return _whole(change.old[0], "del", classes, {**attrs, **extra})
    if change.op == "move_source":
        if side == "after":
            return ""
        classes, attrs = _marker("moved-away", _move_label(change), change.move_id)
        return _whole(change.old[0], None, classes, {**attrs, **extra})
    if change.op == "move":
        if side == "before":
            return ""
        classes, attrs = _marker("moved", _move_label(change), change.move_id)
        if change.inline is None and change.children is None:
            return _whole(change.new[0], None, classes, {**attrs, **extra})
        return _edited(change, side, classes, {**attrs, **extra})
    return _edited(change, side, [], dict(extra))


def _changes_html(changes: Sequence[Change], side: Side) -> str:
    """The entries of one level below the page, unchanged blocks shown in full."""
    parts: list[str] = []
    for change in changes:
        if change.op == "equal":
            parts.append(blocks_to_html(change.old if side == "before" else change.new))
        else:
            parts.append(change_html(change, side))
    return "".join(parts)


def _split_unchanged(change: Change, position: int, total: int, context: int | None) -> tuple[int, int]:
    """How many blocks of an unchanged run to show before and after the part folded away."""
    count = len(change.new)
    if context is None:
        return count, 0
    head = context if position > 0 else 0
    tail = context if position < total - 1 else 0
    if tail:
        # Keep the heading the change sits under, when it is close: it says where the change is.
        for extra in range(1, HEADING_REACH + 1):
            index = count - tail - extra
            if index < head:
                break
            node = change.new[index]
            if isinstance(node, Block) and node.type == "heading":
                tail += extra
                break
    if count - head - tail < 2:  # folding one block saves nothing
        return count, 0
    return head, tail


def _unchanged_html(nodes: Sequence[Node], row: int | None = None) -> str:
    """A folded run of unchanged blocks."""
    data = f' data-row="{row}"' if row is not None else ""
    summary = f"{blocks_noun(nodes, len(nodes))} unchanged"
    return (
        f'<details class="diff-unchanged"{data}><summary>{summary}</summary>'
        f'<div class="diff-unchanged-body">{blocks_to_html(nodes)}</div></details>'
    )


def render_inline(changes: Sequence[Change], context: int | None = 2) -> str:
    """The new document with what changed since the old one marked, unchanged stretches folded."""
    parts: list[str] = []
    number = 0
    for position, change in enumerate(changes):
        if change.op == "equal":
            nodes = change.new
            head, tail = _split_unchanged(change, position, len(changes), context)
            parts.append(blocks_to_html(nodes[:head]))
            if head + tail < len(nodes):
                parts.append(_unchanged_html(nodes[head : len(nodes) - tail]))
                parts.append(blocks_to_html(nodes[len(nodes) - tail :]))
            continue
        parts.append(change_html(change, "both", {"data-change": str(number)}))
        number += 1
    return "".join(parts)


def render_side_by_side(changes: Sequence[Change], context: int | None = 2) -> tuple[str, str]:
    """The old and the new document as rows that line up, deletions marked in one, insertions in the other."""
    before: list[str] = []
    after: list[str] = []
    number = 0

    def row(op: str, old_html: str, new_html: str) -> None:
        index = len(before)
        before.append(f'<div class="diff-row" data-row="{index}" data-op="{op}">{old_html or PLACEHOLDER}</div>')
        after.append(f'<div class="diff-row" data-row="{index}" data-op="{op}">{new_html or PLACEHOLDER}</div>')

    for position, change in enumerate(changes):
        if change.op == "equal":
            old, new = change.old, change.new
            head, tail = _split_unchanged(change, position, len(changes), context)
            if head:
                row("equal", blocks_to_html(old[:head]), blocks_to_html(new[:head]))
            if head + tail < len(new):
                index = len(before)
                folded_old, folded_new = old[head : len(old) - tail], new[head : len(new) - tail]
                row("unchanged", _unchanged_html(folded_old, index), _unchanged_html(folded_new, index))
                if tail:
                    row("equal", blocks_to_html(old[len(old) - tail :]), blocks_to_html(new[len(new) - tail :]))
            continue
        extra = {"data-change": str(number)}
        number += 1
        row(change.op, change_html(change, "before", extra), change_html(change, "after", extra))
    return "".join(before), "".join(after)
