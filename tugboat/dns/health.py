"""tug-dns's HTTP port: CoreDNS's health plugin (`/health`, and `/healthz` as every Tugboat
daemon has it), its ready plugin (`/ready`: 200 once the caches have synced, 503 before)
and its prometheus plugin (`/metrics`), on one port. A few lines of asyncio: four GETs need
no web framework."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

log = logging.getLogger(__name__)

PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8"
_REASONS = {200: "OK", 404: "Not Found", 405: "Method Not Allowed", 503: "Service Unavailable"}


class HealthServer:
    def __init__(self, host: str, port: int, *, ready: Callable[[], bool],
                 metrics: Callable[[], bytes]):
        self.host, self.port = host, port
        self._ready, self._metrics = ready, metrics
        self._server: asyncio.Server | None = None

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._handle, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        log.info("serving /healthz, /ready and /metrics on %s:%d", self.host, self.port)
        return self.port

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2)

    def respond(self, method: str, path: str) -> tuple[int, str, bytes]:
        path = path.split("?", 1)[0]
        if method not in ("GET", "HEAD"):
            return 405, "text/plain", b"method not allowed\n"
        if path in ("/health", "/healthz", "/livez"):
            return 200, "text/plain", b"OK"
        if path in ("/ready", "/readyz"):
            if self._ready():
                return 200, "text/plain", b"OK"
            return 503, "text/plain", b"kubernetes\n"  # CoreDNS names the plugin not ready
        if path == "/metrics":
            return 200, PROMETHEUS_TEXT, self._metrics()
        return 404, "text/plain", b"404 page not found\n"

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
            method, path, _ = request.split(b"\r\n", 1)[0].decode("latin-1").split(" ", 2)
            code, ctype, body = self.respond(method, path)
            head = (f"HTTP/1.1 {code} {_REASONS[code]}\r\nContent-Type: {ctype}\r\n"
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
