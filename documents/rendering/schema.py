"""What the editor's schema says about nodes and marks (Tiptap StarterKit, task lists, tables).

The fixture tests compare these with the real schema (documents/tests/fixtures/editor_schema.mjs
builds it from the editor's extensions): keep them in step when the editor changes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

# ProseMirror fills these in when a node or mark has no value for them, and y-prosemirror
# writes every non-null attr (defaults included) when it creates an element.
NODE_ATTR_DEFAULTS: dict[str, dict[str, Any]] = {
    "heading": {"level": 1},
    "orderedList": {"start": 1, "type": None},
    "codeBlock": {"language": None},
    "taskItem": {"checked": False},
    "tableCell": {"colspan": 1, "rowspan": 1, "colwidth": None, "align": None},
    "tableHeader": {"colspan": 1, "rowspan": 1, "colwidth": None, "align": None},
}
MARK_ATTR_DEFAULTS: dict[str, dict[str, Any]] = {
    "link": {"href": None, "target": "_blank", "rel": "noopener noreferrer nofollow", "class": None, "title": None},
}

# The schema's mark rank: ProseMirror sorts a text node's marks in this order, and the
# serialisers nest them outermost first.
MARK_ORDER: tuple[str, ...] = ("link", "bold", "code", "italic", "strike", "underline")
_MARK_RANK = {name: rank for rank, name in enumerate(MARK_ORDER)}

LIST_TYPES = frozenset({"bulletList", "orderedList", "taskList"})
LIST_ITEM_TYPES = frozenset({"listItem", "taskItem"})
TABLE_CELL_TYPES = frozenset({"tableCell", "tableHeader"})
TEXTBLOCK_TYPES = frozenset({"paragraph", "heading", "codeBlock"})

ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.\-]*):")
# Browsers drop ASCII tab and newlines anywhere in a URL and trim spaces and controls, so
# "java\tscript:" is still javascript:. Remove every such character before looking.
_IGNORED_IN_URL = re.compile(r"[\x00-\x20\x7f-\x9f\u00a0\u1680\u2000-\u200b\u2028\u2029\u202f\u205f\u3000\ufeff]")


def node_attrs(node_type: str, attrs: Mapping[str, Any]) -> dict[str, Any]:
    """The node's attrs with the schema's defaults filled in."""
    return {**NODE_ATTR_DEFAULTS.get(node_type, {}), **attrs}


def mark_attrs(mark_type: str, attrs: Mapping[str, Any]) -> dict[str, Any]:
    """The mark's attrs with the schema's defaults filled in."""
    return {**MARK_ATTR_DEFAULTS.get(mark_type, {}), **attrs}


def mark_sort_key(name: str) -> tuple[int, str]:
    """Sort key putting marks in schema rank order; unknown marks last, by name."""
    return (_MARK_RANK.get(name, len(MARK_ORDER)), name)


def heading_level(attrs: Mapping[str, Any]) -> int:
    """A heading's level, 1 when it is missing or out of range (as Tiptap's Heading renders it)."""
    level = attrs.get("level")
    if isinstance(level, int | float) and not isinstance(level, bool) and level in (1, 2, 3, 4, 5, 6):
        return int(level)
    return 1


def is_safe_href(href: str) -> bool:
    """True for http, https and mailto URLs and for relative ones; False for javascript: and the like."""
    match = _SCHEME.match(_IGNORED_IN_URL.sub("", href))
    return match is None or match.group(1).lower() in ALLOWED_SCHEMES


def plain_value(value: Any) -> Any:
    """A Yjs attribute value as Python: integral floats back to int (Yjs numbers arrive as floats)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, Mapping):
        return {key: plain_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain_value(item) for item in value]
    return value
