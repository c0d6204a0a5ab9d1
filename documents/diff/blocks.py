"""The difference between two sequences of blocks, level by level: page, quote, list, item, table, row, cell.

At each level, blocks are compared by a fingerprint of their whole content (SequenceMatcher,
autojunk off so repeated blocks such as empty paragraphs still anchor the alignment). What does
not line up is then sorted out:
1. a block found unchanged somewhere else is a move;
2. within each stretch of differences, blocks of the same kind whose words mostly agree are paired
   (in order, maximising the total similarity) and diffed inside: words for textblocks, the next
   level for containers;
3. what is left and closely resembles a block elsewhere is a move with edits; the rest was
   inserted or deleted.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from difflib import SequenceMatcher
from typing import Any

from documents.rendering import Block, Node, TextRun
from documents.rendering.schema import TABLE_CELL_TYPES, TEXTBLOCK_TYPES, node_attrs

from .inline import diff_inline, marks_key
from .model import AttrChange, Change, block_name, node_text
from .tokens import words

# Blocks that may be paired as "the same block, changed": a paragraph that became a heading,
# a bulleted list that became a numbered one.
_FAMILIES = {
    "paragraph": "text",
    "heading": "text",
    "codeBlock": "text",
    "bulletList": "list",
    "orderedList": "list",
    "taskList": "list",
    "listItem": "item",
    "taskItem": "item",
    "tableCell": "cell",
    "tableHeader": "cell",
}
# Share of words two blocks must have in common to be shown as one block changed rather than
# one deleted and another inserted; higher for a block that also moved.
PAIR_SIMILARITY = 0.5
MOVE_SIMILARITY = 0.75
MOVE_MIN_WORDS = 4
# The best pairing compares every old block of a stretch with every new one; above this many
# comparisons (a find-and-replace over a long page) pairs are found walking both in step.
MAX_PAIRING_CELLS = 10_000
PAIRING_LOOKAHEAD = 8
MAX_FUZZY_MOVE_CELLS = 40_000


def _family(node: Node) -> str | None:
    if isinstance(node, TextRun):
        return None
    return _FAMILIES.get(node.type, node.type)


def holds_inline(node: Block) -> bool:
    """True for textblocks (paragraph, heading, code) and unknown blocks holding only inline content."""
    if node.type in TEXTBLOCK_TYPES:
        return True
    return bool(node.children) and all(
        isinstance(child, TextRun) or child.type == "hardBreak" for child in node.children
    )


def _attrs(block: Block) -> dict[str, Any]:
    """Attrs that matter for equality: defaults filled in, nulls out; column widths count at the table."""
    attrs = {key: value for key, value in node_attrs(block.type, block.attrs).items() if value is not None}
    if block.type in TABLE_CELL_TYPES:
        attrs.pop("colwidth", None)
    if block.type == "table":
        widths = _column_widths(block)
        if widths:
            attrs["colwidths"] = widths
    return attrs


def _column_widths(table: Block) -> list[Any] | None:
    """The widths of the columns, as the table renders them from its first row; None when none is set."""
    widths: list[Any] = []
    first = next((row for row in table.children if isinstance(row, Block)), None)
    for cell in first.children if first else ():
        if isinstance(cell, Block):
            span = cell.attrs.get("colspan") or 1
            given = cell.attrs.get("colwidth") or []
            widths.extend(given[column] if column < len(given) else None for column in range(int(span)))
    return widths if any(width is not None for width in widths) else None


class BlockDiffer:
    """Diffs block sequences, remembering each node's fingerprint and words for the run."""

    def __init__(self) -> None:
        self._ids: dict[tuple[Any, ...], int] = {}
        self._keys: dict[int, int] = {}
        self._words: dict[int, frozenset[str]] = {}
        self._texts: dict[int, str] = {}
        self._nodes: list[Node] = []  # keeps the nodes alive, so their ids stay theirs
        self._next_move = 0

    # Fingerprints and similarity

    def key(self, node: Node) -> int:
        """A number equal for two nodes exactly when their content, attrs and marks are equal."""
        memo = self._keys.get(id(node))
        if memo is not None:
            return memo
        if isinstance(node, TextRun):
            raw: tuple[Any, ...] = ("text", node.text, marks_key(node.marks))
        else:
            children: list[Any] = []
            for child in node.children:
                if isinstance(child, TextRun):
                    if not child.text:
                        continue
                    mark = marks_key(child.marks)
                    last = children[-1] if children else None
                    if isinstance(last, tuple) and last[0] == "text" and last[2] == mark:
                        children[-1] = ("text", last[1] + child.text, mark)  # runs split differently, same text
                        continue
                    children.append(("text", child.text, mark))
                else:
                    children.append(self.key(child))
            raw = (node.type, json.dumps(_attrs(node), sort_keys=True, default=str), tuple(children))
        value = self._ids.setdefault(raw, len(self._ids))
        self._keys[id(node)] = value
        self._nodes.append(node)
        return value

    def text(self, node: Node) -> str:
        memo = self._texts.get(id(node))
        if memo is None:
            memo = self._texts[id(node)] = node_text(node)
            self._nodes.append(node)
        return memo

    def words(self, node: Node) -> frozenset[str]:
        memo = self._words.get(id(node))
        if memo is None:
            memo = self._words[id(node)] = frozenset(word.casefold() for word in words(self.text(node)))
        return memo

    def similarity(self, old: Node, new: Node) -> float:
        """0 for blocks of different kinds, else the share of words they have in common (Dice)."""
        family = _family(old)
        if family is None or family != _family(new):
            return 0.0
        a, b = self.words(old), self.words(new)
        if not a and not b:
            return 1.0 if self.text(old).strip() == self.text(new).strip() else 0.5
        return 2 * len(a & b) / (len(a) + len(b))

    def movable(self, node: Node) -> bool:
        """Blocks worth showing as moved: those with words in them (an empty paragraph is not)."""
        return bool(self.words(node))

    # Diffing

    def diff_children(self, old: Sequence[Node], new: Sequence[Node], *, types_changed: bool = False) -> list[Change]:
        """The changes that turn one sequence of sibling nodes into the other, in document order."""
        old_keys = [self.key(node) for node in old]
        new_keys = [self.key(node) for node in new]
        if old_keys == new_keys:
            return [Change("equal", 0, 0, tuple(old), tuple(new))] if old else []
        if len(old) == 1 and len(new) == 1 and _family(old[0]) is not None and _family(old[0]) == _family(new[0]):
            # The common case inside list items and cells: one block, edited.
            return [self.diff_pair(old[0], new[0], 0, 0, types_changed=types_changed)]
        opcodes = SequenceMatcher(None, old_keys, new_keys, autojunk=False).get_opcodes()
        regions = [(i1, i2, j1, j2) for tag, i1, i2, j1, j2 in opcodes if tag != "equal"]

        # 1. Unchanged blocks found elsewhere: moves.
        moved_to: dict[int, int] = {}  # old index -> new index
        moved_from: dict[int, int] = {}  # new index -> old index
        unmatched: defaultdict[int, list[int]] = defaultdict(list)
        for i1, i2, _, _ in regions:
            for i in range(i1, i2):
                if self.movable(old[i]):
                    unmatched[old_keys[i]].append(i)
        for _, _, j1, j2 in regions:
            for j in range(j1, j2):
                candidates = unmatched.get(new_keys[j])
                if candidates:
                    i = candidates.pop(0)
                    moved_to[i], moved_from[j] = j, i

        # 2. Similar blocks within each stretch: changed in place.
        paired: dict[int, int] = {}  # new index -> old index
        for i1, i2, j1, j2 in regions:
            olds = [i for i in range(i1, i2) if i not in moved_to]
            news = [j for j in range(j1, j2) if j not in moved_from]
            for i, j in self._pair(old, new, olds, news):
                paired[j] = i
        paired_old = set(paired.values())

        # 3. Similar blocks in different stretches: moved and edited.
        left_old = [i for i1, i2, _, _ in regions for i in range(i1, i2) if i not in moved_to and i not in paired_old]
        left_new = [j for _, _, j1, j2 in regions for j in range(j1, j2) if j not in moved_from and j not in paired]
        edited_moves = self._fuzzy_moves(old, new, left_old, left_new)
        for i, j in edited_moves:
            moved_to[i], moved_from[j] = j, i

        move_ids: dict[int, int] = {}  # old index -> move id
        for i in sorted(moved_to):
            move_ids[i] = self._next_move
            self._next_move += 1

        changes: list[Change] = []

        def old_only(i: int) -> Change:
            if i in moved_to:
                return Change("move_source", i, moved_to[i], (old[i],), (), move_id=move_ids[i])
            return Change("delete", i, None, (old[i],), ())

        def new_only(j: int) -> Change:
            if j in moved_from:
                i = moved_from[j]
                if old_keys[i] == new_keys[j]:
                    return Change("move", i, j, (old[i],), (new[j],), move_id=move_ids[i])
                return self.diff_pair(old[i], new[j], i, j, op="move", move_id=move_ids[i])
            return Change("insert", None, j, (), (new[j],))

        for tag, i1, i2, j1, j2 in opcodes:
            if tag == "equal":
                changes.append(Change("equal", i1, j1, tuple(old[i1:i2]), tuple(new[j1:j2])))
                continue
            next_old = i1
            waiting: list[Change] = []  # insertions come after the deletions before them
            for j in range(j1, j2):
                i = paired.get(j)
                if i is None:
                    waiting.append(new_only(j))
                    continue
                changes.extend(old_only(k) for k in range(next_old, i))
                changes.extend(waiting)
                waiting = []
                changes.append(self.diff_pair(old[i], new[j], i, j, types_changed=types_changed))
                next_old = i + 1
            changes.extend(old_only(k) for k in range(next_old, i2))
            changes.extend(waiting)

        _set_move_directions(changes)
        return changes

    def diff_pair(
        self,
        old: Node,
        new: Node,
        old_index: int,
        new_index: int,
        *,
        op: Any = "change",
        move_id: int | None = None,
        types_changed: bool = False,
    ) -> Change:
        """Two versions of one block: what changed in its own formatting, then inside it."""
        change = Change(op, old_index, new_index, (old,), (new,), move_id=move_id)
        if not isinstance(old, Block) or not isinstance(new, Block):
            change.inline = diff_inline([old], [new])
            return change
        change.format = attr_changes(old, new, types_changed=types_changed)
        if holds_inline(old) and holds_inline(new):
            change.inline = diff_inline(old.children, new.children)
        else:
            # A bulleted list turned into a checklist turns each item into a checklist item:
            # say it once, at the list.
            list_changed = old.type != new.type and _family(old) == "list"
            change.children = self.diff_children(old.children, new.children, types_changed=list_changed)
        return change

    def _pair(
        self, old: Sequence[Node], new: Sequence[Node], olds: list[int], news: list[int]
    ) -> list[tuple[int, int]]:
        """Old and new blocks to show as changed in place: in order, similar enough, most similar overall."""
        if not olds or not news:
            return []
        if len(olds) == 1 and len(news) == 1:
            # One block replaced by one of the same kind: an edit, however thorough.
            i, j = olds[0], news[0]
            return [(i, j)] if _family(old[i]) is not None and _family(old[i]) == _family(new[j]) else []
        if len(olds) * len(news) > MAX_PAIRING_CELLS:
            return self._pair_in_step(old, new, olds, news)
        rows, cols = len(olds), len(news)
        # Weighted longest common subsequence over the similarity matrix.
        best = [[0.0] * (cols + 1) for _ in range(rows + 1)]
        for r in range(rows - 1, -1, -1):
            row, below = best[r], best[r + 1]
            for c in range(cols - 1, -1, -1):
                score = below[c]
                if row[c + 1] > score:
                    score = row[c + 1]
                similarity = self.similarity(old[olds[r]], new[news[c]])
                if similarity >= PAIR_SIMILARITY and below[c + 1] + similarity > score:
                    score = below[c + 1] + similarity
                row[c] = score
        pairs: list[tuple[int, int]] = []
        r = c = 0
        while r < rows and c < cols:
            similarity = self.similarity(old[olds[r]], new[news[c]])
            if similarity >= PAIR_SIMILARITY and best[r][c] == best[r + 1][c + 1] + similarity:
                pairs.append((olds[r], news[c]))
                r, c = r + 1, c + 1
            elif best[r][c] == best[r + 1][c]:
                r += 1
            else:
                c += 1
        return pairs

    def _pair_in_step(
        self, old: Sequence[Node], new: Sequence[Node], olds: list[int], news: list[int]
    ) -> list[tuple[int, int]]:
        """Linear pairing: take the next two blocks if similar, else skip to the nearest similar one ahead."""
        pairs: list[tuple[int, int]] = []
        r = c = 0
        while r < len(olds) and c < len(news):
            if self.similarity(old[olds[r]], new[news[c]]) >= PAIR_SIMILARITY:
                pairs.append((olds[r], news[c]))
                r, c = r + 1, c + 1
                continue
            for step in range(1, PAIRING_LOOKAHEAD + 1):
                if r + step < len(olds) and self.similarity(old[olds[r + step]], new[news[c]]) >= PAIR_SIMILARITY:
                    r += step
                    break
                if c + step < len(news) and self.similarity(old[olds[r]], new[news[c + step]]) >= PAIR_SIMILARITY:
                    c += step
                    break
            else:
                r, c = r + 1, c + 1
        return pairs

    def _fuzzy_moves(
        self, old: Sequence[Node], new: Sequence[Node], olds: list[int], news: list[int]
    ) -> list[tuple[int, int]]:
        """Deleted and inserted blocks that are the same text, edited: the best matches first."""
        olds = [i for i in olds if len(self.words(old[i])) >= MOVE_MIN_WORDS]
        news = [j for j in news if len(self.words(new[j])) >= MOVE_MIN_WORDS]
        if not olds or not news or len(olds) * len(news) > MAX_FUZZY_MOVE_CELLS:
            return []
        candidates = []
        for i in olds:
            for j in news:
                similarity = self.similarity(old[i], new[j])
                if similarity >= MOVE_SIMILARITY:
                    candidates.append((-similarity, i, j))
        candidates.sort()
        taken_old: set[int] = set()
        taken_new: set[int] = set()
        moves = []
        for _, i, j in candidates:
            if i not in taken_old and j not in taken_new:
                taken_old.add(i)
                taken_new.add(j)
                moves.append((i, j))
        return moves


def _set_move_directions(changes: list[Change]) -> None:
    """A move goes down when its source comes first in document order."""
    first_seen: dict[int, Change] = {}
    for change in changes:
        if change.move_id is None:
            continue
        other = first_seen.pop(change.move_id, None)
        if other is None:
            first_seen[change.move_id] = change
            continue
        direction = "down" if other.op == "move_source" else "up"
        other.direction = change.direction = direction


def attr_changes(old: Block, new: Block, *, types_changed: bool = False) -> list[AttrChange]:
    """A block's own formatting changes: its kind, heading level, numbering, language, check, alignment."""
    if old.type != new.type:
        if types_changed and _family(old) == "item":
            return []
        return [AttrChange("type", old.type, new.type, f"{block_name(old)} → {block_name(new)}")]
    before, after = _attrs(old), _attrs(new)
    if before == after:
        return []
    changes: list[AttrChange] = []
    for attr in sorted(set(before) | set(after)):
        a, b = before.get(attr), after.get(attr)
        if a == b or (attr == "colwidths" and len(a or ()) != len(b or ())):
            continue  # columns added or removed show as cells; their widths would only repeat it
        changes.append(AttrChange(attr, a, b, _attr_label(old, new, attr, a, b)))
    return changes


def _attr_label(old: Block, new: Block, attr: str, before: Any, after: Any) -> str:
    """How a reader would say this attr changed."""
    if old.type == "heading" and attr == "level":
        return f"{block_name(old)} → {block_name(new)}"
    if attr == "checked":
        return "Checked" if after else "Unchecked"
    if attr == "start":
        return f"Numbering starts at {after if after is not None else 1}"
    if attr == "type" and old.type == "orderedList":
        return "Numbering style changed"
    if attr == "language":
        return f"Code language {before or 'none'} → {after or 'none'}"
    if attr == "align":
        return f"Aligned {after}" if after else "Alignment removed"
    if attr in ("colspan", "rowspan"):
        return "Cells merged" if (after or 1) > (before or 1) else "Cells split"
    if attr == "colwidths":
        return "Column widths changed"
    return f"{block_name(new)}: {attr} changed"
