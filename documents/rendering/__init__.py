"""Page content as text, HTML and Markdown, and back: pure functions over a page's pycrdt document.

A page's document holds an XmlFragment "default" (the editor's ProseMirror content as
y-prosemirror writes it) and a Text "title". Content moves through a small Block tree:

    render(doc) -> Rendered(title, text, html, markdown)
    fragment_to_blocks(fragment) -> blocks            markdown_to_blocks(text) -> blocks
    insert_blocks(fragment, index, blocks, txn)       html_to_blocks(html) -> blocks
    replace_blocks(fragment, blocks, txn)             text_to_blocks(text) -> blocks
"""

from .blocks import Block, MarkSet, Node, TextRun, blocks_to_json, json_to_blocks, plain_text, text_to_blocks
from .crdt import fragment_to_blocks, insert_blocks, replace_blocks
from .from_html import html_to_blocks
from .from_markdown import markdown_to_blocks
from .normalize import normalize_blocks
from .render import CONTENT_FIELD, TITLE_FIELD, Rendered, render, render_blocks
from .schema import is_safe_href
from .to_html import blocks_to_html
from .to_markdown import blocks_to_markdown
from .to_text import blocks_to_text

__all__ = [
    "CONTENT_FIELD",
    "TITLE_FIELD",
    "Block",
    "MarkSet",
    "Node",
    "Rendered",
    "TextRun",
    "blocks_to_html",
    "blocks_to_json",
    "blocks_to_markdown",
    "blocks_to_text",
    "fragment_to_blocks",
    "html_to_blocks",
    "insert_blocks",
    "is_safe_href",
    "json_to_blocks",
    "markdown_to_blocks",
    "normalize_blocks",
    "plain_text",
    "render",
    "render_blocks",
    "replace_blocks",
    "text_to_blocks",
]
