"""The SPDY side of port-forward, as the kubelet's httpstream handler serves it: the client
opens two streams per connection it forwards — `streamtype: error` and `streamtype: data`,
with the same `port` and `requestid` headers — and each is acknowledged with a SYN_REPLY.
Once both of a pair are open, the pod's port is dialled and bytes flow between the data
stream and that connection; a failure is written to the error stream as text (kubectl
prints it). When the pod's side ends, both streams are finished with a FIN: kubectl reads
the error stream to its end before it lets the local connection go.

A pair not complete within STREAM_CREATION_TIMEOUT of its first stream is given up (its
error stream says so), as the kubelet's stream-creation timeout does, so a client that
opens half pairs cannot make the session hold them forever.

Frames are sent under one lock (the header compressor is shared by the whole session), and
a stream's inbound queue is bounded, so a pod that does not read stalls the session instead
of growing memory — as Kubernetes' SPDY library blocks its frame reader."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from starlette.websockets import WebSocket

from tugboat.kubelet.server import spdy

log = logging.getLogger(__name__)

STREAM_TYPE, PORT, REQUEST_ID = "streamtype", "port", "requestid"
ERROR, DATA = "error", "data"
CHUNK = 32 * 1024
INBOUND_FRAMES = 64
STREAM_CREATION_TIMEOUT = 30.0  # seconds; Kubernetes' DefaultStreamCreationTimeout


class Dialer(Protocol):
    async def connect(self, port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        """A connection to the pod's port; ConnectionError with the message for kubectl."""
        ...


@dataclass
class StreamPair:
    """The two streams of one forwarded connection."""

    request_id: str
    port: int
    error_stream: int = 0
    data_stream: int = 0
    inbound: asyncio.Queue[bytes | None] = field(
        default_factory=lambda: asyncio.Queue(INBOUND_FRAMES))
    task: asyncio.Task[None] | None = None
    timer: asyncio.TimerHandle | None = None  # gives up on the pair until it is complete

    @property
    def complete(self) -> bool:
        return bool(self.error_stream and self.data_stream)


def request_id(frame: spdy.SynStream) -> str:
    """The pair a stream belongs to; clients too old to send one are paired by stream id,
    as the kubelet does (a data stream follows its error stream)."""
    given = frame.header(REQUEST_ID)
    if given:
        return given
    offset = 2 if frame.header(STREAM_TYPE) == DATA else 0
    return str(frame.stream_id - offset)


class SpdySession:
    """One tunnelled SPDY session. With no dialer, every pair is answered with `refusal`
    on its error stream (the pod cannot be reached at all)."""

    def __init__(self, ws: WebSocket, dialer: Dialer | None, refusal: str = ""):
        self.ws, self.dialer, self.refusal = ws, dialer, refusal
        self.framer = spdy.Framer()
        self.send_lock = asyncio.Lock()
        self.pairs: dict[str, StreamPair] = {}
        self.by_data_stream: dict[int, StreamPair] = {}
        self.creation_timeout = STREAM_CREATION_TIMEOUT
        self._expiries: set[asyncio.Task[None]] = set()

    async def send(self, encode: Callable[[], bytes]) -> None:
        async with self.send_lock:  # encode under the lock: the compressor is ordered
            await self.ws.send_bytes(encode())

    async def run(self) -> None:
        try:
            while True:
                message = await self.ws.receive()
                if message["type"] == "websocket.disconnect":
                    return
                data = message.get("bytes") or (message.get("text") or "").encode()
                try:
                    frames = self.framer.feed(data)
                except spdy.ProtocolError as e:
                    log.info("port-forward: %s", e)
                    await self.send(lambda: self.framer.encode_goaway(0, 1))
                    return
                for frame in frames:
                    if not await self.handle(frame):
                        return
        finally:
            await self._stop_all()

    async def handle(self, frame: spdy.Frame) -> bool:
        """False when the session is over."""
        if isinstance(frame, spdy.SynStream):
            await self._open(frame)
        elif isinstance(frame, spdy.Data):
            pair = self.by_data_stream.get(frame.stream_id)
            if pair is not None:
                if frame.data:
                    await pair.inbound.put(frame.data)
                if frame.fin:
                    await pair.inbound.put(None)
        elif isinstance(frame, spdy.RstStream):
            pair = self.by_data_stream.get(frame.stream_id)
            if pair is not None and pair.task is not None:
                pair.task.cancel()
        elif isinstance(frame, spdy.Ping):
            if frame.id % 2 == 1:  # the client's (odd) pings are echoed
                await self.send(lambda: self.framer.encode_ping(frame.id))
        elif isinstance(frame, spdy.GoAway):
            return False
        return True

    async def _open(self, frame: spdy.SynStream) -> None:
        kind = frame.header(STREAM_TYPE)
        try:
            port = int(frame.header(PORT))
            if kind not in (ERROR, DATA) or not 0 < port < 65536:
                raise ValueError(kind)
        except ValueError:
            log.info("port-forward: rejecting stream %d (%s)", frame.stream_id, frame.headers)
            await self.send(lambda: self.framer.encode_rst_stream(
                frame.stream_id, spdy.RstStatus.PROTOCOL_ERROR))
            return
        await self.send(lambda: self.framer.encode_syn_reply(frame.stream_id))
        rid = request_id(frame)
        pair = self.pairs.get(rid)
        if pair is None:
            pair = self.pairs[rid] = StreamPair(rid, port)
            pair.timer = asyncio.get_running_loop().call_later(
                self.creation_timeout, self._expire, pair)
        if kind == ERROR:
            pair.error_stream = frame.stream_id
        else:
            pair.data_stream = frame.stream_id
            self.by_data_stream[frame.stream_id] = pair
        if pair.complete and pair.task is None:
            if pair.timer is not None:
                pair.timer.cancel()
            pair.task = asyncio.create_task(self._forward(pair))

    def _expire(self, pair: StreamPair) -> None:
        """The stream-creation timeout: a pair still incomplete is forgotten and its open
        stream ended, with the reason on the error stream when that is the one open."""
        if pair.complete or self.pairs.get(pair.request_id) is not pair:
            return
        self._forget(pair)
        message = f"(request={pair.request_id}) timed out waiting for streams".encode()

        async def end() -> None:
            with contextlib.suppress(Exception):
                if pair.error_stream:
                    await self.send(lambda: self.framer.encode_data(
                        pair.error_stream, message, fin=True))
                else:
                    await self.send(lambda: self.framer.encode_data(
                        pair.data_stream, b"", fin=True))

        task = asyncio.create_task(end())
        self._expiries.add(task)
        task.add_done_callback(self._expiries.discard)

    async def _forward(self, pair: StreamPair) -> None:
        try:
            if self.dialer is None:
                raise ConnectionError(self.refusal)
            reader, writer = await self.dialer.connect(pair.port)
        except ConnectionError as e:
            message = str(e).encode()
            with contextlib.suppress(Exception):
                await self.send(lambda: self.framer.encode_data(pair.error_stream, message))
                await self._finish(pair)
            return
        upstream = asyncio.create_task(pump_to_pod(pair.inbound, writer))
        try:
            while chunk := await reader.read(CHUNK):
                await self.send(lambda c=chunk: self.framer.encode_data(pair.data_stream, c))
            await self._finish(pair)
        except (OSError, RuntimeError):
            pass  # the client or the pod went away
        finally:
            upstream.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await upstream
            writer.close()
            self._forget(pair)

    async def _finish(self, pair: StreamPair) -> None:
        await self.send(lambda: self.framer.encode_data(pair.data_stream, b"", fin=True)
                        + self.framer.encode_data(pair.error_stream, b"", fin=True))
        self._forget(pair)

    def _forget(self, pair: StreamPair) -> None:
        """Later frames of the pair are dropped, and a reader blocked on its full queue
        is let go."""
        self.pairs.pop(pair.request_id, None)
        self.by_data_stream.pop(pair.data_stream, None)
        while not pair.inbound.empty():
            pair.inbound.get_nowait()

    async def _stop_all(self) -> None:
        for pair in self.pairs.values():
            if pair.timer is not None:
                pair.timer.cancel()
        tasks = [p.task for p in list(self.pairs.values()) if p.task is not None]
        tasks += list(self._expiries)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


async def pump_to_pod(inbound: asyncio.Queue[bytes | None],
                       writer: asyncio.StreamWriter) -> None:
    while (chunk := await inbound.get()) is not None:
        writer.write(chunk)
        await writer.drain()
    if writer.can_write_eof():
        writer.write_eof()
