"""Building pycrdt documents from what the database stores.

A page's document is its compacted `state` plus the rows of its update log. The layout of the
document is a contract with the browser editor: Tiptap's content is the XmlFragment named
`default` and the page title is the Text named `title`.
"""

from collections.abc import Iterable

from pycrdt import Doc, Text, XmlFragment

from documents.rendering import CONTENT_FIELD, TITLE_FIELD


def doc_from_stored(state: bytes, updates: Iterable[bytes] = ()) -> Doc:
    """A Doc holding the stored state with the log's updates on top."""
    doc: Doc = Doc()
    with doc.transaction():
        if state:
            doc.apply_update(bytes(state))
        for update in updates:
            doc.apply_update(bytes(update))
    return doc


def doc_content(doc: Doc) -> XmlFragment:
    return doc.get(CONTENT_FIELD, type=XmlFragment)


def doc_title(doc: Doc) -> Text:
    return doc.get(TITLE_FIELD, type=Text)
