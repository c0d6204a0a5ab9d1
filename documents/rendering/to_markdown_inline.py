"""Inline content to Markdown: escaped text, emphasis, code spans, links and hard breaks."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from .blocks import Block, MarkSet, Node, TextRun
from .markdown_inline import is_punctuation, is_space, parse_inline
from .normalize import normalize_blocks
from .schema import is_safe_href, mark_attrs, mark_sort_key

# Delimiters of the marks written around text; code is written as a code span of its own.
_DELIMITERS = {"bold": "**", "italic": "*", "strike": "~~"}
# The same marks as HTML tags, for where a delimiter would not open or close (see _fix_flanking).
_TAGS = {"bold": "strong", "italic": "em", "strike": "s", "underline": "u"}
# Emphasis only opens or closes next to non-space characters (CommonMark's flanking rules).
_FLANKED = frozenset(_DELIMITERS)
# Characters that would start markup anywhere (`|` could make a line a table row); `_` only
# where it is not inside a word; `&` only where it would read as an entity.
_ESCAPE = re.compile(r"[\\`*\[\]<~|]|(?<![^\W_])_|_(?![^\W_])|&(?=#?[0-9A-Za-z]+;)")
# Text at the start of a line that would read as a heading, quote, list item or underline.
_LINE_START = re.compile(r"^(?:([#>+=-])|(\d+)([.)])(?=\s|$))")


@dataclass(eq=False)
class _Token:
    """A piece of output; for an emphasis delimiter, the mark it opens or closes and its other half."""

    text: str
    mark: str | None = None
    opens: bool = False
    is_break: bool = False
    partner: _Token | None = None


def inline_markdown(nodes: Sequence[Node], *, in_table: bool = False) -> str:
    """Inline content as Markdown; marks shared by neighbouring runs stay open across them.

    In a table cell, hard breaks are `<br />` (a plain `<br>` separates a cell's paragraphs) and
    every `|` is escaped, in code spans and links too, since GFM splits cells before it reads
    inline syntax.
    """
    tokens = list(_tokens(_runs_for_markdown(nodes), in_table))
    ambiguous = _fix_flanking(tokens)
    text = _joined(tokens, in_table)
    if ambiguous:
        # A run that may both open and close can make CommonMark pair delimiters otherwise than
        # meant (`***a*~~a~~*\\****`). HTML tags always pair as meant: use them if the reading differs.
        for token in tokens:
            if token.mark in _DELIMITERS and token.text[:1] in "*~":
                token.text = f"<{_TAGS[token.mark]}>" if token.opens else f"</{_TAGS[token.mark]}>"
        tagged = _joined(tokens, in_table)
        if _reading(text) != _reading(tagged):
            return tagged
    return text


def _joined(tokens: list[_Token], in_table: bool) -> str:
    """The output of the tokens; a backslash break at the end, where it does nothing, written as <br>."""
    for token in reversed(tokens):
        if not token.is_break or in_table:
            break
        token.text = "<br>"
    text = "".join(token.text for token in tokens)
    return text.strip(" \t") if in_table else text.rstrip(" \t")


def _reading(markdown: str) -> list[Block]:
    """How Markdown reads this inline text, runs merged."""
    return normalize_blocks([Block("paragraph", children=parse_inline(markdown))])


def _tokens(runs: list[Node], in_table: bool) -> Iterator[_Token]:
    """Output tokens, opening and closing marks like a stack, as ProseMirror's serialisers do."""
    active: list[tuple[tuple[str, dict[str, Any]], _Token]] = []
    line_start = True
    for node in runs:
        marks = _nested_marks(node.marks) if isinstance(node, TextRun) else []
        keep = 0
        while keep < min(len(active), len(marks)) and active[keep][0] == marks[keep]:
            keep += 1
        while len(active) > keep:
            yield _close_pair(*active.pop(), in_table)
        if isinstance(node, Block):  # a hard break
            yield _Token("<br />" if in_table else "\\\n", is_break=True)
            line_start = True
            continue
        text = node.text
        for mark in marks[keep:]:
            opener = _open(*mark, in_table)
            yield opener
            active.append((mark, opener))
        if "code" in node.marks and line_start and not in_table and re.search("```", code_span(text)):
            # A line starting with three backticks would open a fenced code block.
            yield _Token("<code>" + _escape(text) + "</code>")
        elif "code" in node.marks:
            yield _Token(code_span(text, in_table))
        else:
            escaped = _escape(text)
            if line_start and not marks:
                escaped = _LINE_START.sub(_escape_line_start, escaped, count=1)
            yield _Token(escaped)
        line_start = False
    for mark, opener in reversed(active):
        yield _close_pair(mark, opener, in_table)


def _close_pair(mark: tuple[str, dict[str, Any]], opener: _Token, in_table: bool) -> _Token:
    """The closing token of a mark, paired with its opening token."""
    closer = _close(*mark, in_table)
    closer.partner, opener.partner = opener, closer
    return closer


def _escape(text: str) -> str:
    """Text with the characters that would read as markup escaped."""
    return _ESCAPE.sub(lambda match: "\\" + match.group(0), text)


def _escape_line_start(match: re.Match[str]) -> str:
    """`#` becomes `\\#`, `1.` becomes `1\\.`."""
    return "\\" + match[1] if match[1] else match[2] + "\\" + match[3]


def _fix_flanking(tokens: list[_Token]) -> bool:
    """Write as HTML tags the delimiter runs that would not open or close where they stand.

    `a**"b"**` does not make bold text in Markdown: a run of `*` opens only when left-flanking
    (CommonMark 6.2). Until nothing changes, every run of adjacent delimiters of one character
    that has an opener not left-flanking or a closer not right-flanking becomes <strong>, <em>, <s>,
    and so do the other halves of its pairs. True if a run that stays may both open and close.
    """
    changed = True
    ambiguous = False
    while changed:
        changed = False
        start = 0
        while start < len(tokens):
            end = start
            while end < len(tokens) and _is_delimiter(tokens[end], tokens[start].text[:1]):
                end += 1
            if end == start:
                start += 1
                continue
            before = next((token.text[-1] for token in reversed(tokens[:start]) if token.text), "")
            after = next((token.text[0] for token in tokens[end:] if token.text), "")
            left = not is_space(after) and (not is_punctuation(after) or is_space(before) or is_punctuation(before))
            right = not is_space(before) and (not is_punctuation(before) or is_space(after) or is_punctuation(after))
            if any((token.opens and not left) or (not token.opens and not right) for token in tokens[start:end]):
                for token in tokens[start:end]:
                    # Both halves of a pair become tags, or the other half would be left unmatched.
                    for half in (token, token.partner):
                        if half is not None and half.mark is not None:
                            half.text = f"<{_TAGS[half.mark]}>" if half.opens else f"</{_TAGS[half.mark]}>"
                changed = True
            else:
                ambiguous = ambiguous or (left and right)
            start = end
    return ambiguous


def _is_delimiter(token: _Token, char: str) -> bool:
    """Whether a token is a Markdown delimiter (not an HTML tag) made of `char`."""
    return token.mark in _DELIMITERS and token.text[:1] == char and char in "*~"


def _runs_for_markdown(nodes: Sequence[Node]) -> list[Node]:
    """Inline nodes with newlines in text as hard breaks, no spaces at line starts, and spaces at the edges of
    emphasis moved outside it."""
    flat = _strip_line_starts(list(_flatten(nodes)))
    runs: list[Node] = []
    for index, node in enumerate(flat):
        if isinstance(node, Block) or "code" in node.marks:
            runs.append(node)
            continue
        before = _marks_of(flat[index - 1]) if index else set()
        after = _marks_of(flat[index + 1]) if index + 1 < len(flat) else set()
        core = node.text.strip()
        if not core:
            runs.append(TextRun(node.text, _without(node.marks, _FLANKED - (before & after))))
            continue
        lead = node.text[: len(node.text) - len(node.text.lstrip())]
        trail = node.text[len(node.text.rstrip()) :]
        if lead:
            runs.append(TextRun(lead, _without(node.marks, _FLANKED - before)))
        runs.append(TextRun(core, node.marks))
        if trail:
            runs.append(TextRun(trail, _without(node.marks, _FLANKED - after)))
    return runs


def _strip_line_starts(nodes: list[Node]) -> list[Node]:
    """Nodes without the spaces that start a line: Markdown would drop them, or read four as code."""
    stripped: list[Node] = []
    line_start = True
    for node in nodes:
        if isinstance(node, Block):
            line_start = True
        elif line_start:
            node = TextRun(node.text.lstrip(" \t"), node.marks)
            if not node.text:
                continue
            line_start = False
        stripped.append(node)
    return stripped


def _flatten(nodes: Sequence[Node]) -> Iterator[Node]:
    """Text runs and hard breaks, a newline inside text read as a hard break."""
    for node in nodes:
        if isinstance(node, TextRun):
            for number, line in enumerate(node.text.split("\n")):
                if number:
                    yield Block("hardBreak")
                if line:
                    yield TextRun(line, node.marks)
        elif node.type == "hardBreak":
            yield node
        else:
            yield from _flatten(node.children)


def _marks_of(node: Node) -> set[str]:
    """The names of a node's marks (none for inline nodes)."""
    return set(node.marks) if isinstance(node, TextRun) else set()


def _without(marks: MarkSet, names: set[str] | frozenset[str]) -> MarkSet:
    """The marks minus those named."""
    return {name: attrs for name, attrs in marks.items() if name not in names}


def _nested_marks(marks: MarkSet) -> list[tuple[str, dict[str, Any]]]:
    """The marks written around text, outermost first; links without a safe href are left out."""
    nested = []
    for name in sorted(marks, key=mark_sort_key):
        attrs = mark_attrs(name, marks[name])
        href = attrs.get("href")
        if name in _TAGS or (name == "link" and isinstance(href, str) and href and is_safe_href(href)):
            nested.append((name, attrs))
    return nested


def _open(name: str, _attrs: dict[str, Any], _in_table: bool) -> _Token:
    """The opening delimiter of a mark."""
    if name == "link":
        return _Token("[")
    if name == "underline":  # Markdown has no underline; GitHub shows the HTML tag
        return _Token("<u>")
    return _Token(_DELIMITERS[name], name, opens=True)


def _close(name: str, attrs: dict[str, Any], in_table: bool) -> _Token:
    """The closing delimiter of a mark; a link's carries its destination and title."""
    if name == "underline":
        return _Token("</u>")
    if name != "link":
        return _Token(_DELIMITERS[name], name, opens=False)
    href = re.sub(r"[\r\n]", "", str(attrs.get("href") or ""))
    if re.search(r"[\s<>()\\]", href):
        href = "<" + re.sub(r"([\\<>])", r"\\\1", href) + ">"
    href = re.sub(r"&(?=#?[0-9A-Za-z]+;)", r"\\&", href)
    title = attrs.get("title")
    if isinstance(title, str) and title:
        href += ' "' + re.sub(r'(["\\])', r"\\\1", title) + '"'
    return _Token("](" + (href.replace("|", "\\|") if in_table else href) + ")")


def code_span(text: str, in_table: bool = False) -> str:
    """A code span whose backtick fence does not occur in the text; padded when the text would lose an edge."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    space_edges = text.startswith(" ") and text.endswith(" ") and bool(text.strip(" "))
    pad = text.startswith("`") or text.endswith("`") or space_edges
    if in_table:
        text = text.replace("|", "\\|")
    return f"{fence} {text} {fence}" if pad else f"{fence}{text}{fence}"
