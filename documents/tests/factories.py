"""Building page documents for tests: real Yjs updates made with pycrdt."""

from pycrdt import Doc, Text, XmlElement, XmlFragment, XmlText

from documents.selectors.content import page_document_load
from documents.services.content import NewUpdate, page_updates_append
from documents.ydoc import CONTENT, doc_from_stored


def paragraph_updates(*paragraphs: str) -> list[bytes]:
    """One update per paragraph appended to a fresh document's content, as Tiptap would write."""
    doc: Doc = Doc()
    fragment = doc.get(CONTENT, type=XmlFragment)
    updates: list[bytes] = []
    doc.observe(lambda event: updates.append(event.update))
    for text in paragraphs:
        fragment.children.append(XmlElement("paragraph", {}, [XmlText(text)]))
    return updates


def append_paragraphs(page, *paragraphs: str, user=None) -> list[int]:
    """Store paragraphs as log rows of the page, after what its stored document holds."""
    stored = page_document_load(page_id=page.id)
    doc = doc_from_stored(stored.state, (data for _, data in stored.updates))
    fragment = doc.get(CONTENT, type=XmlFragment)
    updates: list[bytes] = []
    doc.observe(lambda event: updates.append(event.update))
    for text in paragraphs:
        fragment.children.append(XmlElement("paragraph", {}, [XmlText(text)]))
    rows = [NewUpdate(page.id, update, user.pk if user else None) for update in updates]
    return page_updates_append(updates=rows)


def set_title(page, title: str) -> list[int]:
    doc: Doc = Doc()
    updates: list[bytes] = []
    doc.observe(lambda event: updates.append(event.update))
    doc.get("title", type=Text).insert(0, title)
    return page_updates_append(updates=[NewUpdate(page.id, update, None) for update in updates])


def rendered(*paragraphs: str, title: str = ""):
    """What the renderer makes of a document holding these paragraphs (and title)."""
    from documents.rendering import render

    doc = doc_from_stored(b"", paragraph_updates(*paragraphs))
    if title:
        doc.get("title", type=Text).insert(0, title)
    return render(doc)
