"""HTML to Blocks, reading the markup the editor writes (Tiptap's getHTML) and common HTML besides.

Like ProseMirror's DOMParser with the editor's schema: known elements become nodes and
marks, unknown ones are looked through (block-level ones still separate paragraphs),
whitespace outside <pre> collapses, scripts and styles are dropped, and so are links
whose href is not http, https, mailto or relative.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from .blocks import Block, MarkSet, Node, TextRun, is_inline
from .normalize import normalize_blocks
from .schema import is_safe_href

MAX_DEPTH = 100
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
)
_SKIPPED = frozenset({"script", "style", "template", "head", "title", "noscript", "iframe", "object", "svg", "math"})
# Elements that end an open <p>, as the HTML parser does, and that separate paragraphs.
_BLOCK_TAGS = frozenset(
    {"address", "article", "aside", "blockquote", "details", "dialog", "dd", "div", "dl", "dt", "fieldset"}
    | {"figcaption", "figure", "footer", "form", "header", "hgroup", "hr", "li", "main", "menu", "nav", "ol"}
    | {"p", "pre", "section", "summary", "table", "ul", "body", "html", "h1", "h2", "h3", "h4", "h5", "h6"}
)
# Children of these are only structure: the whitespace text between them means nothing.
_STRUCTURE_TAGS = frozenset({"ul", "ol", "table", "thead", "tbody", "tfoot", "tr", "colgroup"})
_MARK_TAGS = {"strong": "bold", "b": "bold", "em": "italic", "i": "italic", "u": "underline", "ins": "underline"}
_MARK_TAGS |= {"s": "strike", "del": "strike", "strike": "strike", "code": "code"}
_HEADINGS = {f"h{level}": level for level in range(1, 7)}
_WHITESPACE = re.compile(r"[ \t\r\n\f]+")
_GROUP = "_group"  # a block-level element with no node of its own


@dataclass
class _Element:
    tag: str
    attrs: dict[str, str]
    children: list[_Element | str] = field(default_factory=list)


class _TreeBuilder(HTMLParser):
    """A small, forgiving HTML tree builder: void elements, implied end tags, stray end tags ignored."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Element("#root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Open an element, first closing what its start implies (an open <p>, <li>, <td>, <tr>)."""
        if tag in _BLOCK_TAGS:
            self._close_implied({"p"}, stop_at={"#root", "td", "th", "li", "blockquote", "div"})
        if tag == "li":
            self._close_implied({"li"}, stop_at={"ul", "ol"})
        if tag in ("td", "th"):
            self._close_implied({"td", "th"}, stop_at={"tr", "table"})
        if tag == "tr":
            self._close_implied({"tr"}, stop_at={"table", "tbody", "thead", "tfoot"})
        element = _Element(tag, {name: value or "" for name, value in attrs})
        self.stack[-1].children.append(element)
        # Past MAX_DEPTH an element's content goes to its parent: the conversion recurses per level.
        if tag not in _VOID and len(self.stack) <= MAX_DEPTH:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """A self-closing tag: an element without children."""
        self.handle_starttag(tag, attrs)
        if tag not in _VOID and self.stack[-1].tag == tag:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        """Close the innermost open element with this tag, and any left open inside it."""
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        """Text."""
        self.stack[-1].children.append(data)

    def _close_implied(self, tags: set[str], stop_at: set[str]) -> None:
        """Close an open element of `tags` unless an element of `stop_at` encloses the insertion point first."""
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag in tags:
                del self.stack[depth:]
                return
            if self.stack[depth].tag in stop_at:
                return


def html_to_blocks(markup: str) -> list[Block]:
    """HTML as Blocks, normalised so the editor's schema accepts them."""
    builder = _TreeBuilder()
    builder.feed(markup)
    builder.close()
    return normalize_blocks(_block_content(builder.root.children, {}))


def _block_content(children: list[_Element | str], marks: MarkSet) -> list[Node]:
    """Children of a block container: each stretch of inline content its own paragraph."""
    nodes: list[Node] = []
    inline: list[Node] = []
    for node in _convert(children, marks):
        if is_inline(node):
            inline.append(node)
            continue
        nodes.extend(_paragraphs_from(inline))
        inline = []
        assert isinstance(node, Block)
        nodes.extend(_block_content_of_group(node) if node.type == _GROUP else [node])
    nodes.extend(_paragraphs_from(inline))
    return nodes


def _block_content_of_group(group: Block) -> list[Node]:
    """A look-through block element's content, its inline stretches as paragraphs of their own."""
    nodes: list[Node] = []
    inline: list[Node] = []
    for node in group.children:
        if is_inline(node):
            inline.append(node)
            continue
        nodes.extend(_paragraphs_from(inline))
        inline = []
        assert isinstance(node, Block)
        nodes.extend(_block_content_of_group(node) if node.type == _GROUP else [node])
    nodes.extend(_paragraphs_from(inline))
    return nodes


def _paragraphs_from(inline: list[Node]) -> list[Node]:
    """A paragraph of this inline content, or nothing if it is only whitespace between blocks."""
    content = _trim_inline(inline)
    return [Block("paragraph", children=content)] if content else []


def _convert(children: list[_Element | str], marks: MarkSet, in_pre: bool = False) -> list[Node]:
    """DOM children as nodes: text runs under `marks`, blocks, and groups for look-through block elements."""
    nodes: list[Node] = []
    for child in children:
        if isinstance(child, str):
            text = child if in_pre else _WHITESPACE.sub(" ", child)
            if text:
                nodes.append(TextRun(text, marks))
        else:
            nodes.extend(_convert_element(child, marks, in_pre))
    return nodes


def _convert_element(element: _Element, marks: MarkSet, in_pre: bool) -> list[Node]:
    """One element as nodes."""
    tag = element.tag
    if tag in _SKIPPED or (tag in ("input", "label") and _is_task_item_part(element)):
        return []
    if tag == "br":
        return [TextRun("\n", marks)] if in_pre else [Block("hardBreak")]
    if tag == "hr":
        return [Block("horizontalRule")]
    marks = _marks_from_style(element, _marks_from_tag(element, marks))
    children = [child for child in element.children if not (tag in _STRUCTURE_TAGS and _is_blank(child))]
    if in_pre:
        return _convert(children, marks, in_pre=True)
    if tag == "p":
        return [Block("paragraph", children=_trim_inline(_convert(children, marks)))]
    if tag in _HEADINGS:
        return [Block("heading", {"level": _HEADINGS[tag]}, _trim_inline(_convert(children, marks)))]
    if tag == "pre":
        return [_code_block(element)]
    if tag == "blockquote":
        return [Block("blockquote", children=_block_content(children, marks))]
    if tag in ("ul", "ol"):
        return [_list(element, children, marks)]
    if tag == "li":
        return [_list_item(element, children, marks)]
    if tag == "table":
        return [Block("table", children=_convert(children, marks))]
    if tag == "tr":
        return [Block("tableRow", children=_convert(children, marks))]
    if tag in ("td", "th"):
        return [_table_cell(element, children, marks)]
    if tag in ("colgroup", "caption"):
        return []
    converted = _convert(children, marks)
    return [Block(_GROUP, children=converted)] if tag in _BLOCK_TAGS else converted


def _is_blank(child: _Element | str) -> bool:
    """Whitespace-only text."""
    return isinstance(child, str) and not child.strip(" \t\n\r\f")


def _is_task_item_part(element: _Element) -> bool:
    """A checkbox, or the label around it, which a task item shows by itself."""
    if element.tag == "input":
        return True
    return any(isinstance(child, _Element) and child.tag == "input" for child in element.children)


def _marks_from_tag(element: _Element, marks: MarkSet) -> MarkSet:
    """The marks inside an element: its own mark added (a link only with a safe href)."""
    if element.tag in _MARK_TAGS:
        return {**marks, _MARK_TAGS[element.tag]: {}}
    # Like Tiptap's Link: no link without a non-empty, allowed href.
    if element.tag == "a" and element.attrs.get("href") and is_safe_href(element.attrs["href"]):
        return {**marks, "link": {"href": element.attrs["href"], "title": element.attrs.get("title") or None}}
    return marks


def _marks_from_style(element: _Element, marks: MarkSet) -> MarkSet:
    """Marks set or cleared by inline style, as Tiptap's marks read it (Google Docs wraps all in a non-bold <b>)."""
    style = _style(element)
    marks = dict(marks)
    weight = style.get("font-weight", "")
    if re.fullmatch(r"bold(er)?|[5-9]\d{2,}", weight):
        marks["bold"] = {}
    elif weight in ("normal", "400"):
        marks.pop("bold", None)
    if style.get("font-style") == "italic":
        marks["italic"] = {}
    elif style.get("font-style") == "normal":
        marks.pop("italic", None)
    decoration = style.get("text-decoration", "") + " " + style.get("text-decoration-line", "")
    if "underline" in decoration:
        marks["underline"] = {}
    if "line-through" in decoration:
        marks["strike"] = {}
    return marks


def _style(element: _Element) -> dict[str, str]:
    """An element's inline style declarations, names and values lower-cased."""
    declarations = (part.split(":", 1) for part in element.attrs.get("style", "").split(";") if ":" in part)
    return {name.strip().lower(): value.strip().lower() for name, value in declarations}


def _code_block(pre: _Element) -> Block:
    """A <pre> as a code block, the language read from a `language-` class on it or its <code>."""
    code = next((child for child in pre.children if isinstance(child, _Element) and child.tag == "code"), None)
    language = None
    for element in (code, pre):
        classes = element.attrs.get("class", "").split() if element else []
        language = language or next((name[9:] for name in classes if name.startswith("language-")), None)
    text = "".join(node.text for node in _convert(pre.children, {}, in_pre=True) if isinstance(node, TextRun))
    # The HTML parser drops a newline that comes right after <pre>.
    text = text.removeprefix("\n")
    return Block("codeBlock", {"language": language} if language else {}, [TextRun(text)] if text else [])


def _list(element: _Element, children: list[_Element | str], marks: MarkSet) -> Block:
    """A list; a <ul> whose items are all task items is a task list."""
    items = _convert(children, marks)
    if element.tag == "ol":
        start = element.attrs.get("start", "1").strip()
        attrs: dict[str, object] = {"start": int(start) if re.fullmatch(r"-?\d{1,9}", start) else 1}
        if element.attrs.get("type"):
            attrs["type"] = element.attrs["type"]
        return Block("orderedList", attrs, items)
    is_task_list = element.attrs.get("data-type") == "taskList" or (
        bool(items) and all(isinstance(item, Block) and item.type == "taskItem" for item in items)
    )
    return Block("taskList" if is_task_list else "bulletList", children=items)


def _list_item(element: _Element, children: list[_Element | str], marks: MarkSet) -> Block:
    """A list item; with a checkbox (Tiptap's data-checked, or an <input type=checkbox>) a task item."""
    checkbox = _find_checkbox(element)
    content = _block_content(children, marks)
    if element.attrs.get("data-type") == "taskItem":
        return Block("taskItem", {"checked": element.attrs.get("data-checked") == "true"}, content)
    if checkbox is not None:
        return Block("taskItem", {"checked": "checked" in checkbox.attrs}, content)
    return Block("listItem", children=content)


def _find_checkbox(element: _Element, depth: int = 0) -> _Element | None:
    """A checkbox among an item's first elements (GitHub writes <li><input type=checkbox> text</li>)."""
    for child in element.children:
        if isinstance(child, _Element):
            if child.tag == "input" and child.attrs.get("type", "").lower() == "checkbox":
                return child
            if depth < 2 and child.tag in ("label", "p", "span") and (found := _find_checkbox(child, depth + 1)):
                return found
    return None


def _table_cell(element: _Element, children: list[_Element | str], marks: MarkSet) -> Block:
    """A table cell or header with its span, column widths and alignment."""
    attrs: dict[str, object] = {
        "colspan": _positive_int(element.attrs.get("colspan")),
        "rowspan": _positive_int(element.attrs.get("rowspan")),
    }
    widths = element.attrs.get("colwidth", "").split(",")
    if all(re.fullmatch(r"\d{1,6}", width.strip()) for width in widths):
        attrs["colwidth"] = [int(width) for width in widths]
    align = _style(element).get("text-align") or element.attrs.get("align", "").lower()
    if align in ("left", "center", "right"):
        attrs["align"] = align
    cell_type = "tableHeader" if element.tag == "th" else "tableCell"
    return Block(cell_type, attrs, _block_content(children, marks))


def _positive_int(value: str | None) -> int:
    """A span attribute: a positive integer, 1 when missing or invalid."""
    return int(value) if value and re.fullmatch(r"\d{1,4}", value.strip()) and int(value) > 0 else 1


def _trim_inline(nodes: list[Node]) -> list[Node]:
    """Inline content with collapsed whitespace trimmed at line edges, groups looked through."""
    flat: list[Node] = []
    for node in nodes:
        if isinstance(node, Block) and node.type not in ("hardBreak",):
            flat.extend(_trim_inline(node.children) if node.type == _GROUP else [node])
        else:
            flat.append(node)
    trimmed: list[Node] = []
    at_line_start = True
    for node in flat:
        if isinstance(node, Block):
            trimmed.append(node)
            at_line_start = node.type == "hardBreak"
            continue
        text = node.text.lstrip(" ") if at_line_start else node.text
        if text.startswith(" ") and trimmed and isinstance(trimmed[-1], TextRun) and trimmed[-1].text.endswith(" "):
            text = text[1:]
        if text:
            trimmed.append(TextRun(text, node.marks))
            at_line_start = False
    return _strip_line_ends(trimmed)


def _strip_line_ends(nodes: list[Node]) -> list[Node]:
    """Remove the spaces before a hard break and at the end."""
    result: list[Node] = []
    for index, node in enumerate(nodes):
        following = nodes[index + 1] if index + 1 < len(nodes) else None
        ends_line = following is None or (isinstance(following, Block) and following.type == "hardBreak")
        if isinstance(node, TextRun) and ends_line:
            node = TextRun(node.text.rstrip(" "), node.marks)
            if not node.text:
                continue
        result.append(node)
    return result
