"""A page's Yjs document rendered as title, plain text, HTML and Markdown."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from pycrdt import Doc, Text, XmlFragment

from .blocks import Node
from .crdt import fragment_to_blocks
from .to_html import blocks_to_html
from .to_markdown import blocks_to_markdown
from .to_text import blocks_to_text

# The names the editor binds: Tiptap's Collaboration extension uses the fragment "default".
CONTENT_FIELD = "default"
TITLE_FIELD = "title"


@dataclass(frozen=True)
class Rendered:
    """A page rendered for search, lists, the REST API and export.

    Markdown is made on first use: the rooms re-render text and HTML every few seconds of
    editing, and Markdown costs more than both together.
    """

    title: str
    text: str
    html: str
    blocks: Sequence[Node] = field(default=(), repr=False, compare=False)

    @cached_property
    def markdown(self) -> str:
        return blocks_to_markdown(self.blocks)


def render(doc: Doc[Any]) -> Rendered:
    """Render a page's document: its Text "title" and its XmlFragment "default"."""
    with doc.transaction():  # read title and content from the same state
        title = str(doc.get(TITLE_FIELD, type=Text))
        blocks = fragment_to_blocks(doc.get(CONTENT_FIELD, type=XmlFragment))
    return render_blocks(blocks, title=title)


def render_blocks(blocks: Sequence[Node], *, title: str = "") -> Rendered:
    """Render blocks (from a document, or parsed from Markdown or HTML)."""
    return Rendered(title=title, text=blocks_to_text(blocks), html=blocks_to_html(blocks), blocks=tuple(blocks))
