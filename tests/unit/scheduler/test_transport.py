"""The keep-alive transport against a scripted HTTP server on a real socket: framing
(length, chunked, close), connection reuse, a dropped idle connection retried, errors
mapped to httpx's, watches handed to the streaming transport."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tugboat.client import ApiClient, ServerUnreachable
from tugboat.scheduler.transport import KeepAliveTransport

pytestmark = pytest.mark.anyio


class Server:
    """Answers each request with the next scripted reply; counts connections."""

    def __init__(self, *replies: bytes):
        self.replies = list(replies)
        self.connections = 0
        self.requests: list[bytes] = []
        self.drop_after_reply = False
        self.silent = False  # read requests, never answer

    async def __aenter__(self) -> Server:
        self.server = await asyncio.start_server(self.handle, "127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.server.close()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        if self.silent:
            await reader.read()
            writer.close()
            return
        try:
            while self.replies:
                head = await reader.readuntil(b"\r\n\r\n")
                length = [int(h.split(b":")[1]) for h in head.split(b"\r\n")
                          if h.lower().startswith(b"content-length")]
                body = await reader.readexactly(length[0]) if length else b""
                self.requests.append(head + body)
                writer.write(self.replies.pop(0))
                await writer.drain()
                if self.drop_after_reply:
                    break
        except asyncio.IncompleteReadError:
            pass
        finally:
            writer.close()


def reply(body: bytes, *headers: str, status: str = "200 OK") -> bytes:
    head = [f"HTTP/1.1 {status}", "Content-Type: application/json", *headers]
    if not any(h.lower().startswith("transfer-encoding") for h in headers):
        head.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


async def test_reuses_one_connection():
    async with Server(reply(b'{"a":1}'), reply(b'{"a":2}', status="201 Created")) as server:
        async with httpx.AsyncClient(transport=KeepAliveTransport()) as client:
            first = await client.get(f"{server.url}/x?y=1")
            second = await client.post(f"{server.url}/z", json={"k": "v"})
    assert (first.status_code, first.json()) == (200, {"a": 1})
    assert (second.status_code, second.json()) == (201, {"a": 2})
    assert server.connections == 1
    assert server.requests[0].startswith(b"GET /x?y=1 HTTP/1.1\r\n")
    assert server.requests[1].endswith(b'{"k":"v"}')
    assert b"Accept-Encoding: identity" in server.requests[0]


async def test_chunked_and_close():
    chunked = (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
               b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
    closing = reply(b"bye", "Connection: close")
    async with Server(chunked, closing, reply(b"again")) as server:
        async with httpx.AsyncClient(transport=KeepAliveTransport()) as client:
            assert (await client.get(server.url)).text == "hello world"
            assert (await client.get(server.url)).text == "bye"
            assert (await client.get(server.url)).text == "again"
    assert server.connections == 2  # the server said close: a fresh connection after


async def test_a_dropped_idle_connection_is_retried_once():
    async with Server(reply(b"1"), reply(b"2")) as server:
        server.drop_after_reply = True
        async with httpx.AsyncClient(transport=KeepAliveTransport()) as client:
            assert (await client.get(server.url)).text == "1"
            await asyncio.sleep(0.05)  # let the server's close reach us, or not: both work
            assert (await client.get(server.url)).text == "2"
    assert server.connections == 2


async def test_refused_connection_is_server_unreachable():
    async with Server() as server:
        url = server.url
    client = ApiClient(url, transport=KeepAliveTransport())
    with pytest.raises(ServerUnreachable):
        await client.get("pods", "p", "default")
    await client.aclose()


async def test_timeout():
    async with Server() as server:
        server.silent = True
        async with httpx.AsyncClient(transport=KeepAliveTransport(), timeout=0.2) as client:
            with pytest.raises(httpx.ReadTimeout):
                await client.get(server.url)


async def test_watches_go_to_the_streaming_transport():
    seen: list[str] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200, content=b"")

    transport = KeepAliveTransport(streaming=httpx.MockTransport(handler))
    async with httpx.AsyncClient(transport=transport) as client:
        await client.get("http://127.0.0.1:1/api/v1/pods?watch=true")
    assert seen == ["http://127.0.0.1:1/api/v1/pods?watch=true"]
