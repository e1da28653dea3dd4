"""A lean HTTP/1.1 keep-alive transport for httpx, for the scheduler's request/response
calls (bindings, events, status patches).

Measured on the 2-core bench machine, httpcore spends about 1 ms of CPU per request — its
connection pool polls every idle socket's liveness on each request — against about
0.1 ms for the same exchange on plain asyncio streams; at two requests per pod that was
most of the scheduler's CPU. This transport keeps a small pool of keep-alive
connections and writes and parses HTTP/1.1 itself; httpx above it (and so ApiClient)
is unchanged. Streaming requests — watches — go to the ordinary httpx transport.

A request that fails on a reused connection before any response byte arrives (the
server closed the idle connection) is sent once more on a fresh one. Errors surface as
httpx's own exceptions, so ApiClient maps them as usual.
"""

from __future__ import annotations

import asyncio
import ssl
from typing import Any

import httpx

Origin = tuple[str, str, int]
_BODYLESS = {204, 304}


class _Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.reader, self.writer = reader, writer
        self.reused = False  # has served a request before: the server may have dropped it
        self.answered = False  # the current request got at least a status line back

    def usable(self) -> bool:
        return not self.reader.at_eof() and not self.writer.is_closing()

    def close(self) -> None:
        self.writer.close()

    async def exchange(self, head: bytes, body: bytes, method: str
                       ) -> tuple[int, list[tuple[bytes, bytes]], bytes, bool]:
        """Send one request; (status, headers, body, keep-alive)."""
        self.answered = False
        self.writer.write(head + body)
        await self.writer.drain()
        status_line = await self.reader.readuntil(b"\r\n")
        self.answered = True
        header_block = await self.reader.readuntil(b"\r\n\r\n")
        parts = status_line.split(b" ", 2)
        if len(parts) < 2 or not parts[0].startswith(b"HTTP/1."):
            raise httpx.RemoteProtocolError(f"bad status line {status_line[:80]!r}")
        status = int(parts[1])
        headers = [tuple(h.split(b":", 1)) for h in header_block[:-4].split(b"\r\n") if h]
        fields = {k.strip().lower(): v.strip() for k, v in headers}
        content = b"" if method == "HEAD" or status in _BODYLESS or status < 200 else (
            await self._body(fields))
        keep = fields.get(b"connection", b"").lower() != b"close" and (
            b"content-length" in fields or b"transfer-encoding" in fields or not content)
        return status, [(k.strip(), v.strip()) for k, v in headers], content, keep

    async def _body(self, fields: dict[bytes, bytes]) -> bytes:
        if b"chunked" in fields.get(b"transfer-encoding", b"").lower():
            chunks = []
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                chunk = await self.reader.readexactly(size + 2)
                if size == 0:
                    return b"".join(chunks)
                chunks.append(chunk[:-2])
        if b"content-length" in fields:
            return await self.reader.readexactly(int(fields[b"content-length"]))
        return await self.reader.read()  # delimited by the server closing


class KeepAliveTransport(httpx.AsyncBaseTransport):
    def __init__(self, *, max_connections: int = 16,
                 verify: bool | str | ssl.SSLContext = True,
                 streaming: httpx.AsyncBaseTransport | None = None):
        self._max = max_connections
        self._verify = verify
        self._idle: dict[Origin, list[_Connection]] = {}
        self._slots: asyncio.Semaphore | None = None
        self._ssl: ssl.SSLContext | None = None
        self._streaming = streaming or httpx.AsyncHTTPTransport(verify=verify)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.params.get("watch") in ("true", "1"):
            return await self._streaming.handle_async_request(request)
        body = await request.aread()
        timeout = (request.extensions.get("timeout") or {}).get("read") or None
        if self._slots is None:
            self._slots = asyncio.Semaphore(self._max)
        async with self._slots:
            try:
                async with asyncio.timeout(timeout):
                    status, headers, content = await self._send(request, body)
            except TimeoutError as e:
                raise httpx.ReadTimeout(str(e) or "timed out", request=request) from e
        return httpx.Response(status, headers=headers, content=content, request=request)

    async def _send(self, request: httpx.Request, body: bytes
                    ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        origin = (request.url.scheme, request.url.host, request.url.port or (
            443 if request.url.scheme == "https" else 80))
        head = _head(request)
        while True:
            conn = self._checkout(origin) or await self._connect(origin, request)
            try:
                status, headers, content, keep = await conn.exchange(head, body, request.method)
            except (OSError, asyncio.IncompleteReadError) as e:
                conn.close()
                if conn.reused and not conn.answered:
                    continue  # the server dropped an idle connection: try a fresh one
                raise httpx.ReadError(f"{type(e).__name__}: {e}", request=request) from e
            except (ValueError, asyncio.LimitOverrunError) as e:
                conn.close()
                raise httpx.RemoteProtocolError(str(e), request=request) from e
            except BaseException:
                conn.close()
                raise
            if keep:
                conn.reused = True
                self._idle.setdefault(origin, []).append(conn)
            else:
                conn.close()
            return status, headers, content

    def _checkout(self, origin: Origin) -> _Connection | None:
        idle = self._idle.get(origin)
        while idle:
            conn = idle.pop()
            if conn.usable():
                return conn
            conn.close()
        return None

    async def _connect(self, origin: Origin, request: httpx.Request) -> _Connection:
        scheme, host, port = origin
        context = self._context() if scheme == "https" else None
        try:
            reader, writer = await asyncio.open_connection(
                host, port, ssl=context, server_hostname=host if context else None)
        except OSError as e:
            raise httpx.ConnectError(str(e), request=request) from e
        return _Connection(reader, writer)

    def _context(self) -> ssl.SSLContext:
        if self._ssl is None and isinstance(self._verify, ssl.SSLContext):
            self._ssl = self._verify  # the kubeconfig's CA and client certificate (client.tls)
        if self._ssl is None:
            verify = self._verify
            self._ssl = ssl.create_default_context(
                cafile=verify if isinstance(verify, str) else None)
            if verify is False:
                self._ssl.check_hostname = False
                self._ssl.verify_mode = ssl.CERT_NONE
        return self._ssl

    async def aclose(self) -> None:
        for conns in self._idle.values():
            for conn in conns:
                conn.close()
        self._idle.clear()
        await self._streaming.aclose()


def _head(request: httpx.Request) -> bytes:
    lines = [b"%s %s HTTP/1.1" % (request.method.encode(), request.url.raw_path)]
    lines += [b"%s: %s" % (k, v) for k, v in request.headers.raw
              if k.lower() != b"accept-encoding"]
    lines.append(b"Accept-Encoding: identity")
    return b"\r\n".join(lines) + b"\r\n\r\n"


def make_transport(verify: Any, max_connections: int = 16) -> KeepAliveTransport:
    """The scheduler's transport: lean keep-alive for calls, httpx's for watches."""
    return KeepAliveTransport(max_connections=max_connections, verify=verify,
                              streaming=httpx.AsyncHTTPTransport(verify=verify))
