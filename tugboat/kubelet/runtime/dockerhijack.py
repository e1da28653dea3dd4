"""Docker's hijacked exec connection, spoken directly over asyncio streams.

`POST /exec/{id}/start` with `Upgrade: tcp` turns the HTTP connection into a raw
bidirectional stream (multiplexed stdout/stderr frames out, stdin in). The Docker SDK
hands back the socket under an http.client response whose buffer may already hold the
first output bytes; reading the 101 reply ourselves keeps every byte and needs no thread
per session. Interactive exec (kubectl exec), exec probes and attach (`POST
/containers/{id}/attach`, kubectl attach and debug) all run on this. No Docker
SDK here: docker.py passes in the daemon's address."""

from __future__ import annotations

import asyncio
import socket
from dataclasses import dataclass, field
from urllib.parse import urlparse

import orjson

from tugboat.kubelet.runtime.dockerwire import demux
from tugboat.kubelet.runtime.types import RuntimeFailure, RuntimeUnavailable

DEFAULT_HOST = "unix:///var/run/docker.sock"


async def open_connection(docker_host: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    url = urlparse(docker_host or DEFAULT_HOST)
    try:
        if url.scheme in ("unix", "http+unix", ""):
            return await asyncio.open_unix_connection(url.path or "/var/run/docker.sock")
        return await asyncio.open_connection(url.hostname, url.port or 2375)
    except OSError as e:
        raise RuntimeUnavailable(f"cannot reach Docker at {docker_host}: {e}") from e


@dataclass
class HijackedExec:
    """One started exec: read demultiplexed output, write stdin, half-close stdin."""

    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    tty: bool
    _buffer: bytearray = field(default_factory=bytearray)
    _ready: list[tuple[int, bytes]] = field(default_factory=list)

    async def read(self) -> tuple[int, bytes] | None:
        """(1 stdout | 2 stderr, bytes); None at the end of output."""
        while not self._ready:
            chunk = await self.reader.read(65536)
            if not chunk:
                return None
            if self.tty:
                return 1, chunk
            self._buffer += chunk
            self._ready.extend(demux(self._buffer))
        return self._ready.pop(0)

    async def write(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()

    async def close_stdin(self) -> None:
        sock = self.writer.get_extra_info("socket")
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_WR)
            except OSError:
                pass

    async def close(self) -> None:
        self.writer.close()
        try:
            await self.writer.wait_closed()
        except OSError:
            pass


async def start_exec(docker_host: str, api_version: str, exec_id: str, tty: bool
                     ) -> HijackedExec:
    body = orjson.dumps({"Detach": False, "Tty": tty})
    return await _hijack(docker_host, f"/v{api_version}/exec/{exec_id}/start", body, tty,
                         "exec start")


async def attach_container(docker_host: str, api_version: str, container_id: str, *,
                           stdin: bool, tty: bool) -> HijackedExec:
    """POST /containers/{id}/attach: the container's own stdio from now on (kubectl
    attach), on the same hijacked connection as an exec's."""
    query = f"stream=1&stdout=1&stderr=1&stdin={int(stdin)}"
    return await _hijack(docker_host, f"/v{api_version}/containers/{container_id}/attach?"
                                      f"{query}", b"", tty, "attach")


async def _hijack(docker_host: str, path: str, body: bytes, tty: bool, what: str
                  ) -> HijackedExec:
    reader, writer = await open_connection(docker_host)
    request = (f"POST {path} HTTP/1.1\r\n"
               f"Host: docker\r\nContent-Type: application/json\r\n"
               f"Connection: Upgrade\r\nUpgrade: tcp\r\n"
               f"Content-Length: {len(body)}\r\n\r\n").encode() + body
    writer.write(request)
    await writer.drain()
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError) as e:
        writer.close()
        raise RuntimeFailure(f"{what}: bad reply from Docker: {e}") from e
    status_line = head.split(b"\r\n", 1)[0].decode(errors="replace")
    parts = status_line.split(" ", 2)
    if len(parts) < 2 or parts[1] not in ("101", "200"):
        rest = await _read_some(reader)
        writer.close()
        raise RuntimeFailure(f"{what} failed: {status_line} {rest}")
    return HijackedExec(reader, writer, tty)


async def _read_some(reader: asyncio.StreamReader) -> str:
    try:
        async with asyncio.timeout(1.0):
            return (await reader.read(4096)).decode(errors="replace")
    except (TimeoutError, OSError):
        return ""
