"""Frames framed once: byte for byte what the websockets library reads as one binary message."""

import pytest
from websockets.frames import Frame, Opcode
from websockets.streams import StreamReader

from realtime.wire import binary_frame


def parse(data: bytes) -> Frame:
    reader = StreamReader()
    reader.feed_data(data)
    parser = Frame.parse(reader.read_exact, mask=False)
    try:
        next(parser)
    except StopIteration as done:
        assert not reader.buffer, "bytes left over after the frame"
        return done.value
    raise AssertionError("incomplete frame")


@pytest.mark.parametrize("size", [0, 1, 125, 126, 127, 65535, 65536, 70000, 1 << 20])
def test_binary_frame_is_one_whole_binary_message(size):
    payload = bytes(range(256)) * (size // 256) + bytes(size % 256)
    frame = parse(binary_frame(payload))
    assert frame.opcode is Opcode.BINARY
    assert frame.fin
    assert frame.data == payload


def test_the_same_payload_is_framed_once_and_an_equal_one_anew():
    payload = b"\x00\x02" + b"x" * 40
    first = binary_frame(payload)
    assert binary_frame(payload) is first
    other = bytes(bytearray(payload))
    assert binary_frame(other) == first
    assert parse(binary_frame(b"different")).data == b"different"
