"""SPDY/3 framing: the header dictionary is the draft's (zlib knows it by its Adler-32),
frames have the draft's byte layout, header blocks survive a session-long compression
context in both directions, frames cut anywhere are reassembled, and garbage is a
ProtocolError rather than a crash."""

from __future__ import annotations

import struct
import zlib

import pytest

from tugboat.kubelet.server import spdy


def test_the_dictionary_is_spdy3s() -> None:
    assert len(spdy.DICTIONARY) == 1423
    assert zlib.adler32(spdy.DICTIONARY) == 0xE3C6A7C2
    assert spdy.DICTIONARY.startswith(b"\x00\x00\x00\x07options\x00\x00\x00\x04head")
    assert spdy.DICTIONARY.endswith(b",enq=0.")


def test_fixed_frames_have_the_drafts_layout() -> None:
    assert spdy.Framer.encode_ping(7) == bytes.fromhex("80030006 00000004 00000007")
    assert spdy.Framer.encode_rst_stream(3, spdy.RstStatus.CANCEL) == \
        bytes.fromhex("80030003 00000008 00000003 00000005")
    assert spdy.Framer.encode_goaway(5) == bytes.fromhex("80030007 00000008 00000005 00000000")
    assert spdy.Framer.encode_data(3, b"hi") == bytes.fromhex("00000003 00000002") + b"hi"
    assert spdy.Framer.encode_data(3, b"", fin=True) == bytes.fromhex("00000003 01000000")


def test_stream_headers_round_trip_across_a_session() -> None:
    client, server = spdy.Framer(), spdy.Framer()
    wire = b""
    for sid, kind in ((1, "error"), (3, "data"), (5, "error"), (7, "data")):
        wire += client.encode_syn_stream(sid, {"streamType": [kind], "port": ["8080"],
                                               "requestID": [str(sid // 4)]})
    frames = server.feed(wire)
    assert [f.stream_id for f in frames if isinstance(f, spdy.SynStream)] == [1, 3, 5, 7]
    first = frames[1]
    assert isinstance(first, spdy.SynStream)
    assert first.header("streamtype") == "data" and first.header("port") == "8080"
    assert first.headers["requestid"] == ["0"]  # names are lowercase on the wire


def test_replies_and_multi_valued_headers_are_read_back() -> None:
    server, client = spdy.Framer(), spdy.Framer()
    wire = server.encode_syn_reply(1) + server.encode_syn_reply(3, {"x": ["a", "b"]}, 1)
    frames = client.feed(wire)
    assert frames == [spdy.SynReply(1, {}, 0), spdy.SynReply(3, {"x": ["a", "b"]}, 1)]


def test_frames_cut_anywhere_are_reassembled() -> None:
    client, server = spdy.Framer(), spdy.Framer()
    wire = (client.encode_syn_stream(1, {"streamtype": ["data"]}) +
            client.encode_data(1, b"x" * 1000) + client.encode_ping(1) +
            client.encode_data(1, b"", fin=True))
    frames: list[spdy.Frame] = []
    for i in range(0, len(wire), 7):
        frames += server.feed(wire[i:i + 7])
    assert [type(f) for f in frames] == [spdy.SynStream, spdy.Data, spdy.Ping, spdy.Data]
    assert frames[1] == spdy.Data(1, b"x" * 1000, 0)
    assert isinstance(frames[3], spdy.Data) and frames[3].fin and not frames[1].fin


def test_control_frames_of_the_peer_are_parsed() -> None:
    settings = struct.pack(">HHBxxxI", 0x8003, 4, 0, 1) + struct.pack(">II", 7, 65536)
    settings = settings[:5] + (len(settings) - 8).to_bytes(3, "big") + settings[8:]
    window = bytes.fromhex("80030009 00000008 00000003 00010000")
    rst = spdy.Framer.encode_rst_stream(9, 5)
    goaway = spdy.Framer.encode_goaway(0)
    frames = spdy.Framer().feed(settings + window + rst + goaway)
    assert frames == [spdy.Settings([(0, 7, 65536)], 0), spdy.WindowUpdate(3, 65536),
                      spdy.RstStream(9, 5), spdy.GoAway(0, 0)]


def test_unknown_control_frames_are_skipped() -> None:
    unknown = bytes.fromhex("8003000a 00000002") + b"??"
    assert spdy.Framer().feed(unknown + spdy.Framer.encode_ping(1)) == [spdy.Ping(1)]


@pytest.mark.parametrize("wire", [
    bytes.fromhex("80020006 00000004 00000001"),  # SPDY/2
    bytes.fromhex("00000000 00000001") + b"x",  # data on stream 0
    bytes.fromhex("80030001 00000010") + b"\x00" * 10 + b"notzlib!",  # bad header block
])
def test_garbage_is_a_protocol_error(wire: bytes) -> None:
    with pytest.raises(spdy.ProtocolError):
        spdy.Framer().feed(wire)


def test_the_buffer_is_bounded() -> None:
    framer = spdy.Framer(max_buffer=1024)
    with pytest.raises(spdy.ProtocolError):
        framer.feed(bytes.fromhex("00000001 00ffffff") + b"x" * 2000)


def test_a_header_block_inflating_past_the_bound_is_a_protocol_error() -> None:
    # 4 MiB of one letter deflates to a few KiB: a small frame, refused before it is
    # inflated whole.
    frame = spdy.Framer().encode_syn_stream(1, {"x": ["a" * (4 << 20)]})
    assert len(frame) < 64 * 1024
    with pytest.raises(spdy.ProtocolError, match="header block larger"):
        spdy.Framer().feed(frame)
