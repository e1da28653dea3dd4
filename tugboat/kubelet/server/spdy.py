"""SPDY/3.1 framing, the little of it that `kubectl port-forward` needs.

kubectl 1.31+ opens port-forward as a WebSocket with the subprotocol
`SPDY/3.1+portforward.k8s.io` and tunnels a SPDY/3.1 session through it (KEP-4006):
the binary messages are a plain byte stream of SPDY frames, cut wherever the client's
writes fell. Each forwarded connection is a pair of client-opened streams (SYN_STREAM with
the headers `streamtype: error|data`, `port` and `requestid`), which the server
acknowledges with a SYN_REPLY; DATA frames carry the bytes, a FIN flag ends a direction.

There is no maintained SPDY library on PyPI (SPDY was retired for HTTP/2 in 2016, and the
old packages are unmaintained C extensions), so the framing is written here: the frame
layout of the SPDY/3 draft, and header blocks compressed with zlib primed with the draft's
dictionary, one compression context per direction for the whole session. Flow control is
left out, as Kubernetes' SPDY library (moby/spdystream) leaves it out: WINDOW_UPDATE frames
are parsed and ignored."""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, field
from enum import IntEnum

VERSION = 3
FLAG_FIN = 0x01
FLAG_UNIDIRECTIONAL = 0x02
MAX_LENGTH = (1 << 24) - 1
# A header block's size once inflated: a few KiB compress to nothing, so without a bound
# one small frame could make the kubelet inflate gigabytes (Go's net/http takes 1 MiB).
MAX_HEADER_BLOCK = 1 << 20


class FrameType(IntEnum):
    SYN_STREAM = 1
    SYN_REPLY = 2
    RST_STREAM = 3
    SETTINGS = 4
    PING = 6
    GOAWAY = 7
    HEADERS = 8
    WINDOW_UPDATE = 9


class RstStatus(IntEnum):
    PROTOCOL_ERROR = 1
    INVALID_STREAM = 2
    REFUSED_STREAM = 3
    UNSUPPORTED_VERSION = 4
    CANCEL = 5
    INTERNAL_ERROR = 6


def _dictionary() -> bytes:
    """The SPDY/3 header dictionary (draft 3, §2.6.10.1): length-prefixed header words,
    then a tail of common values. zlib checks it by its Adler-32 (0xe3c6a7c2)."""
    words = (
        "options head post put delete trace accept accept-charset accept-encoding "
        "accept-language accept-ranges age allow authorization cache-control connection "
        "content-base content-encoding content-language content-length content-location "
        "content-md5 content-range content-type date etag expect expires from host if-match "
        "if-modified-since if-none-match if-range if-unmodified-since last-modified location "
        "max-forwards pragma proxy-authenticate proxy-authorization range referer retry-after "
        "server te trailer transfer-encoding upgrade user-agent vary via warning "
        "www-authenticate method get status"
    ).split() + ["200 OK", "version", "HTTP/1.1", "url", "public", "set-cookie", "keep-alive",
                 "origin"]
    prefixed = b"".join(struct.pack(">I", len(w)) + w.encode() for w in words)
    tail = (
        "100101201202205206300302303304305306307402405406407408409410411412413414415416417"
        "502504505203 Non-Authoritative Information204 No Content301 Moved Permanently"
        "400 Bad Request401 Unauthorized403 Forbidden404 Not Found500 Internal Server Error"
        "501 Not Implemented503 Service UnavailableJan Feb Mar Apr May Jun Jul Aug Sept Oct "
        "Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMTchunked,text/html,image/png,"
        "image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,"
        "text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8"
        "charset=iso-8859-1,utf-,*,enq=0."
    )
    return prefixed + tail.encode()


DICTIONARY = _dictionary()

Headers = dict[str, list[str]]


class ProtocolError(Exception):
    """The peer sent something that is not SPDY/3: the session cannot go on."""


@dataclass
class SynStream:
    stream_id: int
    headers: Headers
    flags: int = 0
    associated_to: int = 0
    priority: int = 0

    def header(self, name: str) -> str:
        values = self.headers.get(name.lower()) or [""]
        return values[0]


@dataclass
class SynReply:
    stream_id: int
    headers: Headers = field(default_factory=dict)
    flags: int = 0


@dataclass
class HeadersFrame:
    stream_id: int
    headers: Headers
    flags: int = 0


@dataclass
class RstStream:
    stream_id: int
    status: int


@dataclass
class Settings:
    entries: list[tuple[int, int, int]]  # (flags, id, value)
    flags: int = 0


@dataclass
class Ping:
    id: int


@dataclass
class GoAway:
    last_good_stream_id: int
    status: int = 0


@dataclass
class WindowUpdate:
    stream_id: int
    delta: int


@dataclass
class Data:
    stream_id: int
    data: bytes
    flags: int = 0

    @property
    def fin(self) -> bool:
        return bool(self.flags & FLAG_FIN)


Frame = (SynStream | SynReply | HeadersFrame | RstStream | Settings | Ping | GoAway
         | WindowUpdate | Data)


class Framer:
    """One endpoint of a SPDY/3 session: `feed` takes received bytes (any cut) and returns
    the complete frames; the `encode_*` methods build frames to send. Each direction keeps
    its own zlib context for the session, so frames must be sent in the order they were
    encoded."""

    def __init__(self, max_buffer: int = 32 * 1024 * 1024):
        self._buffer = bytearray()
        self._inflate = zlib.decompressobj(zdict=DICTIONARY)
        self._deflate = zlib.compressobj(zdict=DICTIONARY)
        self._max_buffer = max_buffer

    # -- reading

    def feed(self, data: bytes) -> list[Frame]:
        self._buffer += data
        if len(self._buffer) > self._max_buffer:
            raise ProtocolError("frame larger than the session's buffer")
        frames: list[Frame] = []
        while len(self._buffer) >= 8:
            length = int.from_bytes(self._buffer[5:8], "big")
            if len(self._buffer) < 8 + length:
                break
            head, body = bytes(self._buffer[:8]), bytes(self._buffer[8:8 + length])
            del self._buffer[:8 + length]
            frame = self._parse(head, body)
            if frame is not None:
                frames.append(frame)
        return frames

    def _parse(self, head: bytes, body: bytes) -> Frame | None:
        flags = head[4]
        if not head[0] & 0x80:
            stream_id = int.from_bytes(head[:4], "big") & 0x7FFFFFFF
            if stream_id == 0:
                raise ProtocolError("a data frame on stream 0")
            return Data(stream_id, body, flags)
        version, kind = struct.unpack(">HH", head[:4])
        if version & 0x7FFF != VERSION:
            raise ProtocolError(f"unsupported SPDY version {version & 0x7FFF}")
        try:
            return self._control(kind, flags, body)
        except (struct.error, IndexError, UnicodeDecodeError, zlib.error) as e:
            raise ProtocolError(f"malformed control frame of type {kind}: {e}") from None

    def _control(self, kind: int, flags: int, body: bytes) -> Frame | None:
        if kind == FrameType.SYN_STREAM:
            sid, assoc = struct.unpack(">II", body[:8])
            return SynStream(sid & 0x7FFFFFFF, self._headers(body[10:]), flags,
                             assoc & 0x7FFFFFFF, body[8] >> 5)
        if kind == FrameType.SYN_REPLY:
            return SynReply(_stream_id(body), self._headers(body[4:]), flags)
        if kind == FrameType.HEADERS:
            return HeadersFrame(_stream_id(body), self._headers(body[4:]), flags)
        if kind == FrameType.RST_STREAM:
            return RstStream(_stream_id(body), struct.unpack(">I", body[4:8])[0])
        if kind == FrameType.SETTINGS:
            count = struct.unpack(">I", body[:4])[0]
            entries = []
            for i in range(count):
                raw, value = struct.unpack(">II", body[4 + 8 * i:12 + 8 * i])
                entries.append((raw >> 24, raw & 0xFFFFFF, value))
            return Settings(entries, flags)
        if kind == FrameType.PING:
            return Ping(struct.unpack(">I", body[:4])[0])
        if kind == FrameType.GOAWAY:
            return GoAway(_stream_id(body), struct.unpack(">I", body[4:8])[0]
                          if len(body) >= 8 else 0)
        if kind == FrameType.WINDOW_UPDATE:
            return WindowUpdate(_stream_id(body), struct.unpack(">I", body[4:8])[0]
                                & 0x7FFFFFFF)
        return None  # unknown control frames are ignored, as the draft says

    def _headers(self, block: bytes) -> Headers:
        raw = self._inflate.decompress(block, MAX_HEADER_BLOCK)
        if self._inflate.unconsumed_tail:
            raise ProtocolError(f"header block larger than {MAX_HEADER_BLOCK} bytes")
        count = struct.unpack(">I", raw[:4])[0]
        at, headers = 4, {}
        for _ in range(count):
            names: list[str] = []
            for _part in range(2):
                size = struct.unpack(">I", raw[at:at + 4])[0]
                names.append(raw[at + 4:at + 4 + size].decode())
                at += 4 + size
                if at > len(raw):
                    raise ProtocolError("truncated header block")
            name, value = names
            headers.setdefault(name.lower(), []).extend(value.split("\x00"))
        return headers

    # -- writing

    def _header_block(self, headers: Headers) -> bytes:
        raw = bytearray(struct.pack(">I", len(headers)))
        for name, values in headers.items():
            for part in (name.lower(), "\x00".join(values)):
                encoded = part.encode()
                raw += struct.pack(">I", len(encoded)) + encoded
        return self._deflate.compress(bytes(raw)) + self._deflate.flush(zlib.Z_SYNC_FLUSH)

    def encode_syn_stream(self, stream_id: int, headers: Headers, flags: int = 0) -> bytes:
        body = struct.pack(">IIBB", stream_id, 0, 0, 0) + self._header_block(headers)
        return _control(FrameType.SYN_STREAM, flags, body)

    def encode_syn_reply(self, stream_id: int, headers: Headers | None = None,
                         flags: int = 0) -> bytes:
        body = struct.pack(">I", stream_id) + self._header_block(headers or {})
        return _control(FrameType.SYN_REPLY, flags, body)

    @staticmethod
    def encode_rst_stream(stream_id: int, status: int) -> bytes:
        return _control(FrameType.RST_STREAM, 0, struct.pack(">II", stream_id, status))

    @staticmethod
    def encode_ping(ping_id: int) -> bytes:
        return _control(FrameType.PING, 0, struct.pack(">I", ping_id))

    @staticmethod
    def encode_goaway(last_good_stream_id: int, status: int = 0) -> bytes:
        return _control(FrameType.GOAWAY, 0, struct.pack(">II", last_good_stream_id, status))

    @staticmethod
    def encode_data(stream_id: int, data: bytes, fin: bool = False) -> bytes:
        """One DATA frame; data longer than a frame holds is split into several."""
        out = bytearray()
        for at in range(0, max(len(data), 1), MAX_LENGTH):
            chunk = data[at:at + MAX_LENGTH]
            last = at + MAX_LENGTH >= len(data)
            out += struct.pack(">IB", stream_id & 0x7FFFFFFF, FLAG_FIN if fin and last else 0)
            out += len(chunk).to_bytes(3, "big") + chunk
        return bytes(out)


def _stream_id(body: bytes) -> int:
    return struct.unpack(">I", body[:4])[0] & 0x7FFFFFFF


def _control(kind: int, flags: int, body: bytes) -> bytes:
    if len(body) > MAX_LENGTH:
        raise ValueError("control frame too long")
    return struct.pack(">HHB", 0x8000 | VERSION, kind, flags) + len(body).to_bytes(3, "big") \
        + body
