"""The request head bounded while it is read (Go's net/http MaxHeaderBytes, 1 MiB in
kube-apiserver): uvicorn's httptools protocol gathers the request line and headers without
a limit — a client sending an endless URL or header grows the server's memory, and the
URL's repeated concatenation costs quadratic CPU. Counted on the raw bytes as they arrive,
before any parsing keeps them, and answered as Go does: 431 and the connection closed."""

from __future__ import annotations

import asyncio
from typing import Any

import uvicorn

MAX_HEADER_BYTES = 1 << 20
CLOSE_DELAY = 0.5  # seconds a refused client has to read the answer (Go's rstAvoidanceDelay)

RESPONSE_431 = (b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
                b"Content-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"
                b"431 Request Header Fields Too Large")


def bound_request_head(cfg: uvicorn.Config, limit: int = MAX_HEADER_BYTES) -> None:
    """Bound the heads a loaded config's HTTP protocol will read, whichever it is."""
    cfg.h11_max_incomplete_event_size = limit  # h11 has the bound built in
    base = cfg.http_protocol_class
    if getattr(base, "on_url", None) is not None:  # httptools: no bound of its own
        cfg.http_protocol_class = _bounded(base, limit)


def _bounded(base: Any, limit: int) -> Any:
    class BoundedHead(base):  # type: ignore[misc, valid-type]
        _in_head, _head_bytes = True, 0

        def data_received(self, data: bytes) -> None:
            if self._head_bytes < 0:  # refused: drop what the client still sends
                return
            if self._in_head:
                self._head_bytes += len(data)
                if self._head_bytes > limit:
                    self._refuse()
                    return
            super().data_received(data)

        def _refuse(self) -> None:
            # As Go's closeWriteAndWait: answer, half-close, and keep reading (discarding)
            # a moment before closing — closing with unread input sends a reset, which can
            # destroy the 431 before the client reads it.
            self._head_bytes = -1
            self.transport.write(RESPONSE_431)
            if self.transport.can_write_eof():
                self.transport.write_eof()
            asyncio.get_running_loop().call_later(CLOSE_DELAY, self.transport.close)

        def on_message_begin(self) -> None:
            self._in_head, self._head_bytes = True, 0
            super().on_message_begin()

        def on_headers_complete(self) -> None:
            self._in_head = False
            super().on_headers_complete()

    BoundedHead.__name__ = f"BoundedHead{base.__name__}"
    return BoundedHead
