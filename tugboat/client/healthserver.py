"""The small HTTP port every daemon keeps beside its work — `/healthz`, `/livez`,
`/readyz` (or CoreDNS's `/ready`), `/metrics` — as kube-scheduler, kube-controller-manager,
kube-proxy and CoreDNS each serve one. A few lines of HTTP/1.1 on asyncio streams: a
handful of read-only GETs need no web framework, and the daemons that have none (scheduler,
controller manager, proxy, DNS) keep none. Each daemon supplies its routes: path → handler
returning (status, content type, body)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

log = logging.getLogger(__name__)

PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8"
Handler = Callable[[], tuple[int, str, bytes]]
_REASONS = {200: "OK", 404: "Not Found", 405: "Method Not Allowed",
            500: "Internal Server Error", 503: "Service Unavailable"}
HEAD_TIMEOUT = 10.0  # a client that never finishes its request line and headers


def ok(body: bytes = b"ok") -> Handler:
    """A handler that always answers 200 text (liveness: the loop is serving)."""
    return lambda: (200, "text/plain", body)


def readiness(ready: Callable[[], bool], not_ready: bytes) -> Handler:
    return lambda: (200, "text/plain", b"ok") if ready() else (503, "text/plain", not_ready)


def metrics(render: Callable[[], bytes]) -> Handler:
    return lambda: (200, PROMETHEUS_TEXT, render())


class HealthServer:
    def __init__(self, host: str, port: int, routes: dict[str, Handler]):
        self.host, self.port, self.routes = host, port, routes
        self._server: asyncio.Server | None = None

    async def start(self) -> int:
        """Listen; returns the bound port (useful when asked for port 0 in tests)."""
        self._server = await asyncio.start_server(self._handle, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        log.info("serving %s on %s:%d", ", ".join(sorted(self.routes)), self.host, self.port)
        return self.port

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2)

    def respond(self, method: str, path: str) -> tuple[int, str, bytes]:
        """(status, content type, body) for one request."""
        if method not in ("GET", "HEAD"):
            return 405, "text/plain", b"method not allowed\n"
        handler = self.routes.get(path.split("?", 1)[0])
        return handler() if handler else (404, "text/plain", b"404 page not found\n")

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), HEAD_TIMEOUT)
            method, path, _ = request.split(b"\r\n", 1)[0].decode("latin-1").split(" ", 2)
            code, ctype, body = self.respond(method, path)
            head = (f"HTTP/1.1 {code} {_REASONS.get(code, 'OK')}\r\nContent-Type: {ctype}\r\n"
                    f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n")
            writer.write(head.encode() + (body if method != "HEAD" else b""))
            await writer.drain()
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError,
                ValueError, ConnectionError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()
