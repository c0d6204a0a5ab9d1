"""Real editing traces turned into Yjs updates, one per trace transaction, cached on disk.

Traces are josephg/editing-traces files (``../shared/data/editing-traces``, see the README
there): patches ``[position, deleted, inserted]`` in code points. pycrdt Text positions are
UTF-8 bytes, so non-ASCII traces are converted through a mirror of the text.
Building the automerge-paper updates takes about 10 s; the cache makes later runs instant.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from pycrdt import Doc, Text, XmlElement, XmlFragment, XmlText

from .yproto import Decoder, var_bytes

REPO = Path(__file__).resolve().parents[1]
CACHE = REPO / "bench" / "results" / "cache"
CLIENT_ID = 424242
FORMAT = 1


def traces_dir() -> Path:
    candidates = [os.environ.get("BENCH_TRACES", ""), REPO.parent / "shared", REPO.parent.parent / "shared"]
    for c in candidates:
        if c:
            d = Path(c) / "data" / "editing-traces" if Path(c).name == "shared" else Path(c)
            if d.is_dir():
                return d
    raise SystemExit("editing traces not found: set BENCH_TRACES to the editing-traces folder")


def text_root(doc: Doc, doc_type: str) -> Text | XmlText:
    """The Y.Text the trace edits: a root Text "text", or one paragraph of the XmlFragment "default"."""
    if doc_type == "xml":
        frag = doc.get("default", type=XmlFragment)
        if len(frag.children) == 0:
            para = frag.children.append(XmlElement("paragraph"))
            para.children.append(XmlText())
        return next(iter(next(iter(frag.children)).children))
    return doc.get("text", type=Text)


def digest(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


@dataclass
class TraceUpdates:
    name: str
    doc_type: str
    updates: list[bytes]
    head: bytes  # the document after all but the last `tail` updates, as one update
    tail: int
    end_len: int  # length of the final text in UTF-8 bytes
    end_digest: str

    def head_for(self, tail: int) -> bytes:
        if tail == self.tail:
            return self.head
        doc = Doc()
        with doc.transaction():
            for u in self.updates[: len(self.updates) - tail]:
                doc.apply_update(u)
        return doc.get_update()


def load(name: str = "automerge-paper", doc_type: str = "text", tail: int = 1000) -> TraceUpdates:
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"{name}-{doc_type}-{tail}.v{FORMAT}.bin"
    if path.exists():
        data = path.read_bytes()
        nl = data.index(b"\n")
        header = json.loads(data[:nl])
        dec = Decoder(data, nl + 1)
        head = dec.var_bytes()
        updates = [dec.var_bytes() for _ in range(header["count"])]
        return TraceUpdates(name, doc_type, updates, head, tail, header["end_len"], header["end_digest"])
    built = build(name, doc_type, tail)
    header = {"count": len(built.updates), "end_len": built.end_len, "end_digest": built.end_digest}
    blob = bytearray(json.dumps(header).encode() + b"\n")
    blob += var_bytes(built.head)
    for u in built.updates:
        blob += var_bytes(u)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(blob)
    tmp.replace(path)
    return built


def build(name: str, doc_type: str, tail: int) -> TraceUpdates:
    with gzip.open(traces_dir() / f"{name}.json.gz") as f:
        trace = json.load(f)
    doc = Doc(client_id=CLIENT_ID)
    updates: list[bytes] = []
    doc.observe(lambda event: updates.append(event.update))
    text = None
    mirror = trace["startContent"]
    ascii_only = trace["endContent"].isascii()
    head = b""
    cut = len(trace["txns"]) - tail
    for i, txn in enumerate(trace["txns"]):
        if i == cut:
            head = doc.get_update()
        with doc.transaction():
            if text is None:
                text = text_root(doc, doc_type)
            for pos, deleted, inserted in txn["patches"]:
                if ascii_only:
                    bpos, blen = pos, deleted
                else:
                    bpos = len(mirror[:pos].encode())
                    blen = len(mirror[pos : pos + deleted].encode())
                    mirror = mirror[:pos] + inserted + mirror[pos + deleted :]
                if blen:
                    del text[bpos : bpos + blen]
                if inserted:
                    text.insert(bpos, inserted)
    final = str(text)
    if final != trace["endContent"]:
        raise RuntimeError(f"replaying {name} did not give its endContent")
    if not head:
        head = doc.get_update()
    return TraceUpdates(name, doc_type, updates, head, tail, len(final.encode()), digest(final))
