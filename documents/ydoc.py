"""Building pycrdt documents from what the database stores.

A page's document is its compacted `state` plus the rows of its update log. The layout of the
document is a contract with the browser editor: Tiptap's content is the XmlFragment named
`default` and the page title is the Text named `title`.
"""

from collections.abc import Iterable

from pycrdt import Doc, Text, XmlFragment, get_update

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


def doc_holds(doc: Doc, update: bytes) -> bool:
    """Whether the document has integrated every struct of `update`.

    Yrs keeps an update whose dependencies are missing as pending: it is not in the
    document's state vector, nor in `get_update()`. The part of `update` the state vector
    does not cover then still has structs (its first varUint, the number of clients with
    structs, is not 0).
    """
    return get_update(update, doc.get_state())[:1] == b"\x00"
