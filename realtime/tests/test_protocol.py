"""The wire protocol against frames built by the JavaScript libraries (yjs, y-protocols, lib0)."""

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pycrdt import Doc, Text, XmlFragment

from realtime.protocol import (
    KEEPALIVE,
    AuthDenied,
    Awareness,
    AwarenessEntry,
    ProtocolError,
    QueryAwareness,
    SyncStep1,
    SyncStep2,
    SyncUpdate,
    decode_awareness,
    decode_message,
    encode_awareness,
    encode_message,
    write_var_string,
)

VECTORS = {
    v["name"]: bytes.fromhex(v["hex"])
    for v in json.loads((Path(__file__).parent / "data/y-websocket.json").read_text())["vectors"]
}


def test_sync_step1_of_an_empty_doc():
    """A new client's step 1 carries the empty state vector."""
    message = decode_message(VECTORS["sync_step1_empty_doc"])
    assert message == SyncStep1(b"\x00")


def test_update_with_non_ascii_text_applies_to_pycrdt():
    """An update frame decodes to a Yjs update that pycrdt applies."""
    message = decode_message(VECTORS["update_text_insert_non_ascii"])
    assert isinstance(message, SyncUpdate)
    doc = Doc()
    doc.apply_update(message.update)
    assert str(doc.get("t", type=Text)) == "héllo wörld ✓"


def test_step2_and_step1_after_insert():
    """Step 2 holds the whole state; step 1 after the insert holds {42: 13}."""
    step2 = decode_message(VECTORS["sync_step2_full_state_to_empty"])
    assert isinstance(step2, SyncStep2)
    doc = Doc()
    doc.apply_update(step2.update)
    assert decode_message(VECTORS["sync_step1_after_insert"]) == SyncStep1(doc.get_state())


def test_delete_update():
    """A deletion applies on top of the insert."""
    doc = Doc()
    doc.apply_update(decode_message(VECTORS["update_text_insert_non_ascii"]).update)
    doc.apply_update(decode_message(VECTORS["update_text_delete"]).update)
    assert str(doc.get("t", type=Text)) == "éllo wörld ✓"


def test_empty_update_is_recognised():
    """The empty update decodes to the 00 00 payload the server ignores."""
    assert decode_message(VECTORS["update_empty"]) == SyncUpdate(b"\x00\x00")


def test_prosemirror_fragment():
    """Tiptap's XmlFragment 'default' applies and reads back as its elements."""
    doc = Doc()
    doc.apply_update(decode_message(VECTORS["update_prosemirror_fragment"]).update)
    fragment = doc.get("default", type=XmlFragment)
    assert [child.tag for child in fragment.children] == ["heading", "paragraph"]
    assert "Title" in str(fragment)


def test_awareness_with_non_ascii_name():
    """Awareness strings are UTF-8 byte lengths: 'Zoë 🚀' decodes intact."""
    message = decode_message(VECTORS["awareness_non_ascii_name"])
    assert isinstance(message, Awareness)
    [entry] = decode_awareness(message.update)
    assert (entry.client_id, entry.clock) == (99, 1)
    assert json.loads(entry.state)["user"]["name"] == "Zoë 🚀"
    assert encode_awareness([entry]) == message.update


def test_awareness_removal():
    """A removal is clock 2 with the JSON state null."""
    [entry] = decode_awareness(decode_message(VECTORS["awareness_removed"]).update)
    assert entry == AwarenessEntry(99, 2, "null")
    assert entry.removed


def test_auth_permission_denied_with_non_ascii_reason():
    """The auth message's reason is a UTF-8 var string."""
    assert decode_message(VECTORS["auth_permission_denied"]) == AuthDenied("lecture seule: accès refusé")


def test_query_awareness():
    assert decode_message(VECTORS["query_awareness"]) == QueryAwareness()


def test_truncated_update_is_malformed():
    """A frame cut short raises ProtocolError (the server closes with 4400)."""
    with pytest.raises(ProtocolError):
        decode_message(VECTORS["truncated_update"])


@pytest.mark.parametrize("name", sorted(VECTORS))
def test_every_vector_round_trips(name):
    """Encoding a decoded well-formed frame gives the library's bytes back."""
    if name == "truncated_update":
        pytest.skip("malformed on purpose")
    frame = VECTORS[name]
    assert encode_message(decode_message(frame)) == frame


def test_var_string_counts_bytes_not_characters():
    """pycrdt's encoder writes the character count; ours writes the byte count."""
    assert write_var_string("é")[0] == 2
    assert write_var_string("🚀")[0] == 4


def test_keepalive_is_an_empty_awareness_update():
    assert decode_message(KEEPALIVE) == Awareness(b"\x00")
    assert decode_awareness(b"\x00") == []


@pytest.mark.parametrize(
    "frame",
    [b"", b"\x00", b"\x00\x05", b"\x00\x00\x05ab", b"\x07", b"\x02\x01", b"\x01\xff", b"\xff" * 12],
)
def test_garbage_raises_protocol_error(frame):
    """Unknown types, bad sub-types and truncation are ProtocolErrors, never other exceptions."""
    with pytest.raises(ProtocolError):
        decode_message(frame)


def test_awareness_state_must_be_json():
    entry = b"\x01" + b"\x05" + b"\x01" + write_var_string("{nope")
    with pytest.raises(ProtocolError):
        decode_awareness(entry)


@given(st.binary(max_size=64))
def test_random_bytes_decode_or_raise_protocol_error(frame):
    """Any byte string either decodes or raises ProtocolError."""
    try:
        message = decode_message(frame)
    except ProtocolError:
        return
    if isinstance(message, Awareness):
        try:
            decode_awareness(message.update)
        except ProtocolError:
            pass


messages = st.one_of(
    st.binary(max_size=40).map(SyncStep1),
    st.binary(max_size=40).map(SyncStep2),
    st.binary(max_size=40).map(SyncUpdate),
    st.binary(max_size=40).map(Awareness),
    st.text(max_size=20).map(AuthDenied),
    st.just(QueryAwareness()),
)


@given(messages)
def test_messages_round_trip(message):
    """decode(encode(m)) == m for every message type, any payload, any Unicode reason."""
    assert decode_message(encode_message(message)) == message


@given(
    st.lists(
        st.builds(
            AwarenessEntry,
            st.integers(0, 2**53 - 1),
            st.integers(0, 2**32),
            st.one_of(st.just("null"), st.dictionaries(st.text(max_size=5), st.text(max_size=8)).map(json.dumps)),
        ),
        max_size=5,
    )
)
def test_awareness_round_trip(entries):
    assert decode_awareness(encode_awareness(entries)) == entries
