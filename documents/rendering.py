"""Rendering a page document to plain text and HTML (minimal; replaced by the full renderer)."""

from dataclasses import dataclass
from html import escape

from pycrdt import Doc

from documents.ydoc import doc_content, doc_title


@dataclass(frozen=True)
class Rendered:
    title: str
    text: str
    html: str
    markdown: str


def render(doc: Doc) -> Rendered:
    title = str(doc_title(doc)).strip()
    fragment = doc_content(doc)
    blocks = [str(child) for child in fragment.children]
    text = "\n\n".join(b for b in blocks)
    html = "".join(f"<p>{escape(b)}</p>" for b in blocks)
    return Rendered(title=title, text=text, html=html, markdown=text)
