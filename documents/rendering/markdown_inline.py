"""Markdown inline syntax to text runs: emphasis, strong, strike, code spans, links, breaks, entities.

Follows CommonMark's algorithm (delimiter runs, flanking rules, the rule of 3, a bracket
stack for links) for the subset the editor can show; GFM strikethrough; the HTML tags
<u>, <s>, <del>, <strong>, <b>, <em>, <i>, <code> and <br>. Reference links and images are
not supported: they stay as text.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from .blocks import Block, MarkSet, Node, TextRun
from .schema import is_safe_href

# Text without any character that may start syntax, scanned in one go.
_PLAIN = re.compile(r"[^\\`\[\]*_~<\n&]+")
_ASCII_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_ESCAPE_OR_ENTITY = re.compile(r"\\([!-/:-@\[-`{-~])|" + _ENTITY.pattern)
_AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.\-]{1,31}:[^\s<>]*)>")
_EMAIL_AUTOLINK = re.compile(
    r"<([A-Za-z0-9.!#$%&'*+/=?^_`{|}~\-]+@[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9\-]+)*)>"
)
_HTML_TAG = re.compile(r"<(/?)([A-Za-z]+)\s*(/?)>")
_HTML_MARKS = {"u": "underline", "ins": "underline", "s": "strike", "del": "strike", "strike": "strike"}
_HTML_MARKS |= {"strong": "bold", "b": "bold", "em": "italic", "i": "italic", "code": "code"}
_LINK_TITLE = re.compile(r'"((?:[^"\\]|\\.)*)"|\'((?:[^\'\\]|\\.)*)\'|\(((?:[^()\\]|\\.)*)\)', re.DOTALL)


@dataclass
class _Text:
    text: str


@dataclass
class _Delimiter:
    """A run of `*`, `_` or `~`, or an HTML mark tag (char is then the mark name), that may open or close a mark."""

    char: str
    count: int
    can_open: bool
    can_close: bool
    source: str
    length: int = 0  # the run's original length, for the rule of 3

    def __post_init__(self) -> None:
        self.length = self.count


@dataclass
class _Bracket:
    """An opening `[` that may become a link."""


@dataclass
class _Marked:
    name: str
    attrs: dict[str, Any]
    children: list[_Item] = field(default_factory=list)


@dataclass
class _Break:
    pass


_Item: TypeAlias = _Text | _Delimiter | _Bracket | _Marked | _Break


def parse_inline(source: str) -> list[Node]:
    """Inline Markdown as text runs and hard breaks (marks not yet merged or normalised)."""
    items = _Scanner(source.strip(" \t\n\r\f\v")).scan()
    _process_emphasis(items)
    return _flatten(items, {})


def is_space(char: str) -> bool:
    """Unicode whitespace; the edges of the text count as whitespace."""
    return char == "" or char.isspace()


def is_punctuation(char: str) -> bool:
    """CommonMark's Unicode punctuation: ASCII punctuation and the P and S categories."""
    return char in _ASCII_PUNCTUATION or (char != "" and unicodedata.category(char)[0] in "PS")


class _Scanner:
    """Turns source text into items: text, delimiter runs, brackets, resolved code spans, links and breaks."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.pos = 0
        self.items: list[_Item] = []
        # Indexes in `items` of the `[` not yet matched; those below `inactive_below` are inside
        # a link already made, and links do not nest.
        self.brackets: list[int] = []
        self.inactive_below = 0

    def scan(self) -> list[_Item]:
        """Scan the whole source."""
        handlers = {"\\": self._backslash, "`": self._backticks, "[": self._open_bracket, "]": self._close_bracket}
        handlers |= {"*": self._delimiter_run, "_": self._delimiter_run, "~": self._delimiter_run}
        handlers |= {"<": self._angle, "\n": self._newline, "&": self._entity}
        while self.pos < len(self.source):
            if plain := _PLAIN.match(self.source, self.pos):
                self._text(plain.group(0))
                self.pos = plain.end()
                continue
            handler = handlers.get(self.source[self.pos])
            if handler is None or not handler():
                self._text(self.source[self.pos])
                self.pos += 1
        return self.items

    def _text(self, text: str) -> None:
        """Append literal text, joining it to the text before."""
        if self.items and isinstance(self.items[-1], _Text):
            self.items[-1].text += text
        else:
            self.items.append(_Text(text))

    def _char(self, offset: int) -> str:
        """The character at pos + offset, or '' past either end."""
        index = self.pos + offset
        return self.source[index] if 0 <= index < len(self.source) else ""

    def _backslash(self) -> bool:
        """A backslash escape, or a hard break before a newline."""
        following = self._char(1)
        if following == "\n":
            self.items.append(_Break())
            self.pos += 2
            self._skip_spaces()
            return True
        if following in _ASCII_PUNCTUATION:
            self._text(following)
            self.pos += 2
            return True
        return False

    def _backticks(self) -> bool:
        """A code span, or a literal run of backticks when nothing closes it."""
        run = re.match(r"`+", self.source[self.pos :])
        assert run is not None
        fence = run.group(0)
        for closing in re.finditer(r"`+", self.source[self.pos + len(fence) :]):
            if closing.group(0) == fence:
                start = self.pos + len(fence)
                code = self.source[start : start + closing.start()].replace("\n", " ")
                if code.startswith(" ") and code.endswith(" ") and code.strip(" "):
                    code = code[1:-1]
                self.items.append(_Marked("code", {}, [_Text(code)]))
                self.pos = start + closing.end()
                return True
        self._text(fence)
        self.pos += len(fence)
        return True

    def _delimiter_run(self) -> bool:
        """A run of `*`, `_` or `~`, with the flanking rules deciding whether it may open or close."""
        char = self.source[self.pos]
        run = re.match(re.escape(char) + "+", self.source[self.pos :])
        assert run is not None
        count = len(run.group(0))
        before, after = self._char(-1), self._char(count)
        left = not is_space(after) and (not is_punctuation(after) or is_space(before) or is_punctuation(before))
        right = not is_space(before) and (not is_punctuation(before) or is_space(after) or is_punctuation(after))
        if char == "_":
            can_open = left and (not right or is_punctuation(before))
            can_close = right and (not left or is_punctuation(after))
        else:
            can_open, can_close = left, right
        self.items.append(_Delimiter(char, count, can_open, can_close, run.group(0)))
        self.pos += count
        return True

    def _open_bracket(self) -> bool:
        """A `[` that may start a link's text."""
        self.brackets.append(len(self.items))
        self.items.append(_Bracket())
        self.pos += 1
        return True

    def _close_bracket(self) -> bool:
        """A `]`: with an inline destination after it, the items since the last `[` become a link."""
        if not self.brackets:
            return False
        active = len(self.brackets) > self.inactive_below
        opener = self.brackets.pop()
        self.inactive_below = min(self.inactive_below, len(self.brackets))
        destination = _link_destination(self.source, self.pos + 1) if active else None
        if destination is None:
            self.items[opener] = _Text("[")
            return False
        href, title, end = destination
        inner = self.items[opener + 1 :]
        _process_emphasis(inner)
        if is_safe_href(href):
            self.items[opener:] = [_Marked("link", {"href": href, "title": title}, inner)]
            self.inactive_below = len(self.brackets)  # links do not nest
        else:  # javascript: and the like: keep the text, drop the link
            self.items[opener:] = inner
        self.pos = end
        return True

    def _angle(self) -> bool:
        """An autolink, or one of the HTML tags the editor has a mark or node for."""
        rest = self.source[self.pos :]
        if match := _AUTOLINK.match(rest):
            url = match.group(1)
            if is_safe_href(url):
                self.items.append(_Marked("link", {"href": url}, [_Text(url)]))
            else:
                self._text(url)
        elif match := _EMAIL_AUTOLINK.match(rest):
            self.items.append(_Marked("link", {"href": "mailto:" + match.group(1)}, [_Text(match.group(1))]))
        elif (match := _HTML_TAG.match(rest)) and match.group(2).lower() == "br" and not match.group(1):
            self.items.append(_Break())
        elif match and match.group(2).lower() in _HTML_MARKS and not match.group(3):
            closing = bool(match.group(1))
            name = _HTML_MARKS[match.group(2).lower()]
            self.items.append(_Delimiter("<" + name, 1, not closing, closing, match.group(0)))
        else:
            return False
        self.pos += match.end()
        return True

    def _newline(self) -> bool:
        """A line break: hard after two or more spaces, else soft, read as a space as the editor does."""
        last = self.items[-1] if self.items else None
        trailing = len(last.text) - len(last.text.rstrip(" ")) if isinstance(last, _Text) else 0
        if isinstance(last, _Text):
            last.text = last.text.rstrip(" ")
        if trailing >= 2:
            self.items.append(_Break())
        else:
            self._text(" ")
        self.pos += 1
        self._skip_spaces()
        return True

    def _skip_spaces(self) -> None:
        """Skip the spaces at the start of a continuation line."""
        while self._char(0) in (" ", "\t") and self._char(0):
            self.pos += 1

    def _entity(self) -> bool:
        """An HTML entity or numeric character reference."""
        match = _ENTITY.match(self.source, self.pos)
        if match is None or html.unescape(match.group(0)) == match.group(0):
            return False
        self._text(html.unescape(match.group(0)).replace("\x00", "\ufffd"))
        self.pos = match.end()
        return True


def _link_destination(source: str, pos: int) -> tuple[str, str | None, int] | None:
    """An inline link's `(destination "title")` at pos: (href, title, end), or None."""
    if pos >= len(source) or source[pos] != "(":
        return None
    pos = _skip_whitespace(source, pos + 1)
    if source.startswith("<", pos):
        match = re.compile(r"<((?:[^<>\n\\]|\\.)*)>").match(source, pos)
        if match is None:
            return None
        raw, pos = match.group(1), match.end()
    else:
        start, depth = pos, 0
        while pos < len(source) and not source[pos].isspace() and ord(source[pos]) >= 0x20 and depth <= 32:
            char = source[pos]
            if char == "\\" and pos + 1 < len(source) and source[pos + 1] in _ASCII_PUNCTUATION:
                pos += 2
                continue
            if char == "(":  # nesting is capped, as CommonMark allows, to keep failed links linear
                depth += 1
            elif char == ")":
                if depth == 0:
                    break
                depth -= 1
            pos += 1
        if depth:
            return None
        raw = source[start:pos]
    title = None
    after_destination = _skip_whitespace(source, pos)
    if after_destination > pos and (match := _LINK_TITLE.match(source, after_destination)):
        title = _unescape(next(group for group in match.groups() if group is not None))
        after_destination = _skip_whitespace(source, match.end())
    if after_destination >= len(source) or source[after_destination] != ")":
        return None
    return _unescape(raw), title, after_destination + 1


def _skip_whitespace(source: str, pos: int) -> int:
    """The position after any whitespace (a single line break included) at pos."""
    while pos < len(source) and source[pos] in " \t\n":
        pos += 1
    return pos


def _unescape(text: str) -> str:
    """Backslash escapes and entities resolved, as in link destinations and titles."""
    # One pass, left to right: `\&amp;` is a literal "&amp;", not an escaped entity.
    return _ESCAPE_OR_ENTITY.sub(lambda match: match.group(1) or html.unescape(match.group(0)), text)


def _can_pair(opener: _Delimiter, closer: _Delimiter) -> bool:
    """Whether a closer may close this opener: same kind; GFM strike needs equal runs; CommonMark's rule of 3."""
    if opener.char != closer.char:
        return False
    if opener.char == "~":
        return opener.count == closer.count and opener.count in (1, 2)
    if opener.char.startswith("<"):
        return True
    if (opener.can_close or closer.can_open) and (opener.length + closer.length) % 3 == 0:
        return opener.length % 3 == 0 and closer.length % 3 == 0
    return True


def _process_emphasis(items: list[_Item]) -> None:
    """Pair delimiter runs into marks, in place (CommonMark's "process emphasis").

    As in CommonMark, a closer that found no opener records how far down it looked for its
    kind (`bottoms`), so the next closer of that kind does not look there again.
    """
    bottoms: dict[tuple[str, bool, int], int] = {}
    index = 0
    while index < len(items):
        closer = items[index]
        if not (isinstance(closer, _Delimiter) and closer.can_close and closer.count):
            index += 1
            continue
        kind = (closer.char, closer.can_open, closer.length % 3)
        found = next(
            (
                j
                for j in range(index - 1, bottoms.get(kind, 0) - 1, -1)
                if isinstance(opener := items[j], _Delimiter) and opener.can_open and _can_pair(opener, closer)
            ),
            None,
        )
        if found is None:
            bottoms[kind] = index
            index += 1
            continue
        opener = items[found]
        assert isinstance(opener, _Delimiter)
        used, name = _mark_for(opener, closer)
        opener.count -= used
        closer.count -= used
        replacement: list[_Item] = [opener] if opener.count else []
        replacement.append(_Marked(name, {}, items[found + 1 : index]))
        if closer.count:
            replacement.append(closer)
        items[found : index + 1] = replacement
        index = found + len(replacement) - (1 if closer.count else 0)
        # What lay between opener and closer is now inside the mark: look from the opener again.
        bottoms = {key: min(bottom, found) for key, bottom in bottoms.items()}


def _mark_for(opener: _Delimiter, closer: _Delimiter) -> tuple[int, str]:
    """How many delimiter characters a pair uses, and the mark it makes."""
    if opener.char.startswith("<"):
        return 1, opener.char[1:]
    if opener.char == "~":
        return opener.count, "strike"
    if opener.count >= 2 and closer.count >= 2:
        return 2, "bold"
    return 1, "italic"


def _flatten(items: list[_Item], marks: MarkSet) -> list[Node]:
    """Items as text runs under `marks`; unpaired delimiters and brackets are literal text.

    Iterative, not recursive: `*a *a *a ... a* a* a*` nests as deep as the text is long.
    """
    nodes: list[Node] = []
    stack: list[tuple[Iterator[_Item], MarkSet]] = [(iter(items), marks)]
    while stack:
        pending, current = stack[-1]
        item = next(pending, None)
        if item is None:
            stack.pop()
        elif isinstance(item, _Text):
            nodes.append(TextRun(item.text, current))
        elif isinstance(item, _Delimiter):
            if item.count:
                nodes.append(TextRun(item.source if item.char.startswith("<") else item.char * item.count, current))
        elif isinstance(item, _Bracket):
            nodes.append(TextRun("[", current))
        elif isinstance(item, _Marked):
            stack.append((iter(item.children), {**current, item.name: item.attrs}))
        else:
            nodes.append(Block("hardBreak"))
    return nodes
