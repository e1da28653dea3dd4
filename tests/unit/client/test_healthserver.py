"""The daemons' healthz/metrics server answers plain HTTP GETs on a real socket, with the
routes each daemon gives it (here the scheduler's)."""

from __future__ import annotations

import asyncio

import pytest

from tugboat.client.healthserver import HealthServer
from tugboat.scheduler.serving import health_routes

pytestmark = pytest.mark.anyio


async def get(port: int, path: str, method: str = "GET") -> tuple[int, bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"{method} {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    await writer.drain()
    response = await reader.read()
    writer.close()
    head, _, body = response.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


async def test_endpoints():
    ready = [False]
    server = HealthServer("127.0.0.1", 0, health_routes(lambda: ready[0],
                                                        lambda: b"scheduler_up 1\n"))
    port = await server.start()
    try:
        assert await get(port, "/healthz") == (200, b"ok")
        assert await get(port, "/livez") == (200, b"ok")
        assert (await get(port, "/readyz"))[0] == 503
        ready[0] = True
        assert await get(port, "/readyz?verbose") == (200, b"ok")
        assert await get(port, "/metrics") == (200, b"scheduler_up 1\n")
        assert (await get(port, "/nope"))[0] == 404
        assert (await get(port, "/healthz", "POST"))[0] == 405
    finally:
        await server.stop()
