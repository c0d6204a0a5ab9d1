"""The difference between the inline content of two textblocks: words inserted and deleted, marks changed."""

from __future__ import annotations

import json
from collections.abc import Sequence
from difflib import SequenceMatcher
from typing import Any

from documents.rendering import MarkSet, Node, TextRun
from documents.rendering.schema import mark_attrs, mark_sort_key

from .model import MarkChange, Segment
from .tokens import is_word, tokens

Opcode = tuple[str, int, int, int, int]
# Stands for a hardBreak in a textblock's text: a newline, as in the page's plain text.
BREAK = "\n"


def clean_marks(marks: MarkSet) -> MarkSet:
    """Marks with their schema defaults and without null attrs, so equal marks compare equal."""
    return {
        name: {key: value for key, value in mark_attrs(name, marks[name]).items() if value is not None}
        for name in sorted(marks, key=mark_sort_key)
    }


def marks_key(marks: MarkSet) -> str:
    """A hashable identity of a set of marks."""
    return json.dumps(clean_marks(marks), sort_keys=True, default=str) if marks else ""


class _Flat:
    """A textblock's inline content as one string and the marks of each character."""

    def __init__(self, nodes: Sequence[Node]) -> None:
        parts: list[str] = []
        self.keys: list[str] = []
        self.marks: dict[str, MarkSet] = {"": {}}
        for node in nodes:
            if isinstance(node, TextRun):
                key = marks_key(node.marks)
                self.marks.setdefault(key, clean_marks(node.marks))
                parts.append(node.text)
                self.keys.extend([key] * len(node.text))
            elif node.type == "hardBreak":
                parts.append(BREAK)
                self.keys.append("")
            else:  # an inline node the schema does not know: its text
                inner = _Flat(node.children)
                parts.append(inner.text)
                self.keys.extend(inner.keys)
                self.marks.update(inner.marks)
        self.text = "".join(parts)


def diff_inline(old: Sequence[Node], new: Sequence[Node]) -> list[Segment]:
    """Segments that turn the old inline content into the new: word by word, then mark by mark."""
    before, after = _Flat(old), _Flat(new)
    old_tokens, new_tokens = tokens(before.text), tokens(after.text)
    opcodes = _merge_changes(_absorb_small_equalities(_opcodes(old_tokens, new_tokens), old_tokens, new_tokens))
    old_offsets, new_offsets = _offsets(old_tokens), _offsets(new_tokens)
    segments: list[Segment] = []
    for tag, i1, i2, j1, j2 in opcodes:
        a1, a2, b1, b2 = old_offsets[i1], old_offsets[i2], new_offsets[j1], new_offsets[j2]
        if tag == "equal":
            segments.extend(_equal_segments(before, after, a1, a2, b1))
            continue
        segments.extend(_runs("delete", before, a1, a2))
        segments.extend(_runs("insert", after, b1, b2))
    return segments


def _opcodes(old: Sequence[str], new: Sequence[str]) -> list[Opcode]:
    """SequenceMatcher's opcodes, with the common start and end set aside first (most edits are in one place)."""
    limit = min(len(old), len(new))
    prefix = 0
    while prefix < limit and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and old[-1 - suffix] == new[-1 - suffix]:
        suffix += 1
    # autojunk off: it would ignore the spaces and common words of any text over 200 tokens.
    matcher = SequenceMatcher(None, old[prefix : len(old) - suffix], new[prefix : len(new) - suffix], autojunk=False)
    opcodes: list[Opcode] = [("equal", 0, prefix, 0, prefix)] if prefix else []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        opcode = (tag, i1 + prefix, i2 + prefix, j1 + prefix, j2 + prefix)
        if opcodes and tag == "equal" and opcodes[-1][0] == "equal":
            opcodes[-1] = ("equal", opcodes[-1][1], opcode[2], opcodes[-1][3], opcode[4])
        else:
            opcodes.append(opcode)
    if suffix:
        i, j = len(old) - suffix, len(new) - suffix
        if opcodes and opcodes[-1][0] == "equal":
            opcodes[-1] = ("equal", opcodes[-1][1], len(old), opcodes[-1][3], len(new))
        else:
            opcodes.append(("equal", i, len(old), j, len(new)))
    return opcodes


def _offsets(parts: Sequence[str]) -> list[int]:
    """Where each token starts in the text, and the text's length at the end."""
    offsets = [0]
    for part in parts:
        offsets.append(offsets[-1] + len(part))
    return offsets


def _absorb_small_equalities(opcodes: list[Opcode], old: Sequence[str], new: Sequence[str]) -> list[Opcode]:
    """Turn the space or short word kept between two changes into part of them.

    "quick brown" -> "slow red" then reads as one replacement, not "quick"->"slow", " ", "brown"->"red".
    """
    result = list(opcodes)
    for index in range(1, len(result) - 1):
        tag, i1, i2, j1, j2 = result[index]
        if tag != "equal" or result[index - 1][0] == "equal" or result[index + 1][0] == "equal":
            continue
        kept = old[i1:i2]
        words = [token for token in kept if is_word(token)]
        small = not words and sum(map(len, kept)) <= 3
        short_word = len(words) == 1 and len(words[0]) <= 3 and _changed_words(result[index - 1], old, new) >= 2
        short_word = short_word and _changed_words(result[index + 1], old, new) >= 2
        if small or short_word:
            result[index] = ("replace", i1, i2, j1, j2)
    return result


def _changed_words(opcode: Opcode, old: Sequence[str], new: Sequence[str]) -> int:
    """The fewer of the words deleted and inserted by a change (0 for a pure insertion or deletion)."""
    _, i1, i2, j1, j2 = opcode
    return min(sum(map(is_word, old[i1:i2])), sum(map(is_word, new[j1:j2])))


def _merge_changes(opcodes: list[Opcode]) -> list[Opcode]:
    """Join adjacent changes into one, so their deletions come before their insertions."""
    merged: list[Opcode] = []
    for opcode in opcodes:
        if merged and opcode[0] != "equal" and merged[-1][0] != "equal":
            _, i1, _, j1, _ = merged[-1]
            merged[-1] = ("replace", i1, opcode[2], j1, opcode[4])
        else:
            merged.append(opcode)
    return merged


def _runs(op: Any, flat: _Flat, start: int, end: int) -> list[Segment]:
    """Segments for the text between start and end, one per run of equal marks."""
    segments: list[Segment] = []
    index = start
    while index < end:
        key = flat.keys[index]
        stop = index + 1
        while stop < end and flat.keys[stop] == key:
            stop += 1
        marks = flat.marks[key]
        segments.append(Segment(op, flat.text[index:stop], marks, marks))
        index = stop
    return segments


def _equal_segments(before: _Flat, after: _Flat, start: int, end: int, new_start: int) -> list[Segment]:
    """Kept text, cut where the marks change between the versions: those stretches are "format" segments."""
    segments: list[Segment] = []
    offset = 0
    length = end - start
    while offset < length:
        old_key, new_key = before.keys[start + offset], after.keys[new_start + offset]
        stop = offset + 1
        while stop < length and before.keys[start + stop] == old_key and after.keys[new_start + stop] == new_key:
            stop += 1
        text = after.text[new_start + offset : new_start + stop]
        old_marks, new_marks = before.marks[old_key], after.marks[new_key]
        if old_key == new_key:
            segments.append(Segment("equal", text, new_marks, old_marks))
        else:
            segments.append(Segment("format", text, new_marks, old_marks, mark_changes(old_marks, new_marks)))
        offset = stop
    return segments


def mark_changes(old: MarkSet, new: MarkSet) -> tuple[MarkChange, ...]:
    """What turned one set of (clean) marks into the other, in the schema's mark order."""
    changes: list[MarkChange] = []
    for name in sorted(set(old) | set(new), key=mark_sort_key):
        if name not in old:
            changes.append(MarkChange(name, "added", None, new[name]))
        elif name not in new:
            changes.append(MarkChange(name, "removed", old[name], None))
        elif old[name] != new[name]:
            changes.append(MarkChange(name, "changed", old[name], new[name]))
    return tuple(changes)
