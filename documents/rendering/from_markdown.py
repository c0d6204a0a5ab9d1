"""GitHub-flavoured Markdown to Blocks, for the subset the editor has.

Headings (ATX and setext), paragraphs, block quotes, bullet, ordered and task lists
(nested, with lazy continuation lines), fenced and indented code, thematic breaks and
GFM tables. Raw HTML blocks, reference links and images are read as text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .blocks import Block, Node, TextRun
from .markdown_inline import parse_inline
from .normalize import normalize_blocks

# Markdown's whitespace is spaces and tabs: a no-break space is content.
_SPACE = " \t"
# Quotes and lists nested deeper than this are read as text: the editor has no use for them, and
# the parser and the renderers recurse once per level.
MAX_NESTING = 32
_BLANK = re.compile(r"^[ \t]*$")
_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_RULE = re.compile(r"^ {0,3}(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$")
_FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,})(.*)$")
_QUOTE = re.compile(r"^ {0,3}> ?")
_ITEM = re.compile(r"^( {0,3})([-+*]|\d{1,9}[.)])(?:([ \t]+)(.*))?$")
_TASK = re.compile(r"^\[([ xX])\](?:[ \t]+|$)")
_DELIMITER_ROW = re.compile(r"^ {0,3}\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")
# In a table cell <br> separates paragraphs; <br /> is a hard break inside one.
_PARAGRAPH_BREAK = re.compile(r"<br\s*>", re.IGNORECASE)


def markdown_to_blocks(text: str) -> list[Block]:
    """Markdown as Blocks, normalised so the editor's schema accepts them."""
    lines = [_expand_indent(line) for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return normalize_blocks(_parse(lines, 0))


def _expand_indent(line: str) -> str:
    """Tabs in a line's indentation as spaces to the next multiple of 4, as CommonMark counts them."""
    indent = re.match(r"[ \t]*", line)
    assert indent is not None
    return indent.group(0).expandtabs(4) + line[indent.end() :]


def _indent(line: str) -> int:
    """The number of leading spaces."""
    return len(line) - len(line.lstrip(" "))


@dataclass
class _Item:
    """A list item's marker and its lines, with the item's indentation removed."""

    marker: str
    lines: list[str]


def _parse(lines: list[str], depth: int) -> list[Node]:
    """Parse lines (container prefixes already removed) into blocks; `depth` counts the containers around them."""
    blocks: list[Node] = []
    index = 0
    parsers: list[Callable[[list[str], int, int], tuple[list[Node], int] | None]] = [
        _fenced_code,
        _indented_code,
        _atx_heading,
        _thematic_break,
        _block_quote,
        _list,
        _table,
    ]
    while index < len(lines):
        if _BLANK.match(lines[index]):
            index += 1
            continue
        for parser in parsers:
            parsed = parser(lines, index, depth)
            if parsed is not None:
                break
        else:
            parsed = _paragraph(lines, index, depth)
        new_blocks, index = parsed
        blocks.extend(new_blocks)
    return blocks


def _interrupts_paragraph(line: str) -> bool:
    """Whether a line starts a block that ends a paragraph (CommonMark's interruption rules)."""
    if _BLANK.match(line) or _FENCE.match(line) or _ATX.match(line) or _RULE.match(line) or _QUOTE.match(line):
        return True
    item = _ITEM.match(line)
    # An empty item, or an ordered one not starting at 1, cannot interrupt a paragraph.
    return bool(item and item.group(4) and item.group(4).strip(_SPACE) and item.group(2) in ("-", "+", "*", "1.", "1)"))


def _fenced_code(lines: list[str], index: int, _depth: int = 0) -> tuple[list[Node], int] | None:
    """A fenced code block; its info string's first word is the language."""
    match = _FENCE.match(lines[index])
    if match is None or (match.group(2)[0] == "`" and "`" in match.group(3)):
        return None
    indent, fence = len(match.group(1)), match.group(2)
    language = match.group(3).strip(_SPACE).split(" ")[0] if match.group(3).strip(_SPACE) else None
    closing = re.compile(rf"^ {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
    body: list[str] = []
    index += 1
    while index < len(lines) and not closing.match(lines[index]):
        line = lines[index]
        body.append(line[min(indent, _indent(line)) :])
        index += 1
    text = "\n".join(body)
    attrs = {"language": re.sub(r"\\(.)", r"\1", language)} if language else {}
    return [Block("codeBlock", attrs, [TextRun(text)] if text else [])], index + 1


def _indented_code(lines: list[str], index: int, _depth: int = 0) -> tuple[list[Node], int] | None:
    """An indented code block: lines indented by four spaces, blank lines inside kept."""
    if _indent(lines[index]) < 4:
        return None
    body: list[str] = []
    while index < len(lines) and (_indent(lines[index]) >= 4 or _BLANK.match(lines[index])):
        body.append(lines[index][4:])
        index += 1
    while body and not body[-1].strip(_SPACE):
        body.pop()
    return [Block("codeBlock", children=[TextRun("\n".join(body))])], index


def _atx_heading(lines: list[str], index: int, _depth: int = 0) -> tuple[list[Node], int] | None:
    """A `#` heading."""
    match = _ATX.match(lines[index])
    if match is None:
        return None
    return [Block("heading", {"level": len(match.group(1))}, parse_inline(match.group(2) or ""))], index + 1


def _thematic_break(lines: list[str], index: int, _depth: int = 0) -> tuple[list[Node], int] | None:
    """A horizontal rule: three or more `-`, `*` or `_`."""
    return ([Block("horizontalRule")], index + 1) if _RULE.match(lines[index]) else None


def _block_quote(lines: list[str], index: int, depth: int) -> tuple[list[Node], int] | None:
    """A block quote: `>` lines, and lazy lines continuing a paragraph inside it."""
    if not _QUOTE.match(lines[index]) or depth >= MAX_NESTING:
        return None
    body: list[str] = []
    while index < len(lines):
        line = lines[index]
        if marker := _QUOTE.match(line):
            body.append(line[marker.end() :])
        elif body and body[-1].strip(_SPACE) and not _interrupts_paragraph(line) and not _FENCE.match(body[-1]):
            body.append(line)  # a lazy continuation line
        else:
            break
        index += 1
    return [Block("blockquote", children=_parse(body, depth + 1))], index


def _list(lines: list[str], index: int, depth: int) -> tuple[list[Node], int] | None:
    """A bullet or ordered list; consecutive task items become task lists."""
    first = _ITEM.match(lines[index])
    if first is None or depth >= MAX_NESTING:
        return None
    kind = first.group(2)[-1] if first.group(2)[-1] in ".)" else first.group(2)
    items: list[_Item] = []
    while index < len(lines):
        match = _ITEM.match(lines[index])
        if match is None or not match.group(2).endswith(kind) or _RULE.match(lines[index]):
            break
        item, index = _list_item(lines, index, match)
        items.append(item)
        # Blank lines between items keep the list going if another item follows.
        after = index
        while after < len(lines) and _BLANK.match(lines[after]):
            after += 1
        if after < len(lines) and _ITEM.match(lines[after]):
            index = after
    if kind in ".)":
        start = int(items[0].marker[:-1])
        list_items = [Block("listItem", children=_parse(item.lines, depth + 1)) for item in items]
        return [Block("orderedList", {"start": start}, list(list_items))], index
    return _bullet_lists(items, depth + 1), index


def _list_item(lines: list[str], index: int, match: re.Match[str]) -> tuple[_Item, int]:
    """One list item: its first line, lines indented under it, and lazy continuation lines."""
    spaces = len(match.group(3) or "")
    rest = match.group(4) or ""
    if not rest.strip(_SPACE) or spaces > 4:  # content starts one space after the marker
        width = len(match.group(1)) + len(match.group(2)) + 1
        rest = (match.group(3) or "")[1:] + rest if rest.strip(_SPACE) else ""
    else:
        width = len(match.group(1)) + len(match.group(2)) + spaces
    body = [rest]
    index += 1
    while index < len(lines):
        line = lines[index]
        if _BLANK.match(line):
            body.append("")
        elif _indent(line) >= width:
            body.append(line[width:])
        elif (
            body[-1].strip(_SPACE)
            and not _interrupts_paragraph(line)
            and not _ITEM.match(line)
            and not _FENCE.match(body[0])
        ):
            body.append(line.lstrip(" "))  # a lazy continuation line
        else:
            break
        index += 1
    while len(body) > 1 and not body[-1].strip(_SPACE):
        body.pop()
        index -= 1
    return _Item(match.group(2), body), index


def _bullet_lists(items: list[_Item], depth: int) -> list[Node]:
    """Bullet items as lists; a run of `[ ]` / `[x]` items becomes a task list, the rest bullet lists."""
    lists: list[Node] = []
    for item in items:
        task = _TASK.match(item.lines[0])
        list_type = "taskList" if task else "bulletList"
        if task:
            lines = [item.lines[0][task.end() :], *item.lines[1:]]
            node = Block("taskItem", {"checked": task.group(1) != " "}, _parse(lines, depth))
        else:
            node = Block("listItem", children=_parse(item.lines, depth))
        previous = lists[-1] if lists else None
        if isinstance(previous, Block) and previous.type == list_type:
            previous.children.append(node)
        else:
            lists.append(Block(list_type, children=[node]))
    return lists


def _split_row(line: str) -> list[str]:
    """A table row's cells: split on pipes that are not escaped; `\\|` becomes `|` inside cells."""
    line = line.strip(_SPACE)
    line = line.removeprefix("|")
    if line.endswith("|") and not line.endswith("\\|"):
        line = line[:-1]
    return [cell.replace("\\|", "|").strip(_SPACE) for cell in re.split(r"(?<!\\)\|", line)]


def _table(lines: list[str], index: int, _depth: int = 0) -> tuple[list[Node], int] | None:
    """A GFM table: a header row, a delimiter row with as many cells, then body rows."""
    if index + 1 >= len(lines) or "|" not in lines[index] or not _DELIMITER_ROW.match(lines[index + 1]):
        return None
    header, delimiters = _split_row(lines[index]), _split_row(lines[index + 1])
    if len(header) != len(delimiters):
        return None
    aligns = [_column_align(cell) for cell in delimiters]
    rows = []
    if any(header):  # an all-empty header row is how a table without one is written
        rows.append(_table_row(header, aligns, "tableHeader"))
    index += 2
    while index < len(lines) and not _BLANK.match(lines[index]) and not _interrupts_paragraph(lines[index]):
        cells = _split_row(lines[index])[: len(aligns)]
        rows.append(_table_row(cells + [""] * (len(aligns) - len(cells)), aligns, "tableCell"))
        index += 1
    return [Block("table", children=list(rows))], index


def _column_align(delimiter: str) -> str | None:
    """A column's alignment from its delimiter cell (`:--`, `:-:`, `--:`)."""
    if delimiter.startswith(":") and delimiter.endswith(":"):
        return "center"
    if delimiter.endswith(":"):
        return "right"
    return "left" if delimiter.startswith(":") else None


def _table_row(cells: list[str], aligns: list[str | None], cell_type: str) -> Block:
    """A table row; `<br>` in a cell separates paragraphs, `<br />` is a hard break."""
    row: list[Node] = []
    for cell, align in zip(cells, aligns, strict=True):
        paragraphs = [Block("paragraph", children=parse_inline(part)) for part in _PARAGRAPH_BREAK.split(cell)]
        row.append(Block(cell_type, {"align": align} if align else {}, list(paragraphs)))
    return Block("tableRow", children=row)


def _paragraph(lines: list[str], index: int, _depth: int = 0) -> tuple[list[Node], int]:
    """A paragraph, or a setext heading when underlined with `=` or `-`; a table may start inside it."""
    body = [lines[index]]
    index += 1
    while index < len(lines):
        line = lines[index]
        if setext := _SETEXT.match(line):
            level = 1 if setext.group(1).startswith("=") else 2
            return [Block("heading", {"level": level}, parse_inline("\n".join(body)))], index + 1
        if _interrupts_paragraph(line) or _table(lines, index) is not None:
            break
        body.append(line)
        index += 1
    return [Block("paragraph", children=parse_inline("\n".join(body)))], index
