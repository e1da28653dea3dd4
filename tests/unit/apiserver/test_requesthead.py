"""The request head is bounded while it is read: an endless URL or header gets Go's 431
and a closed connection once it passes the limit, and heads within it are served."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn

from tests.support.processes import free_port, wait_until
from tugboat.apiserver.requesthead import bound_request_head

LIMIT = 64 * 1024


async def app(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


@pytest.fixture(params=["httptools", "h11"])
def server(request: pytest.FixtureRequest) -> Iterator[tuple[int, str]]:
    port = free_port()
    cfg = uvicorn.Config(app, host="127.0.0.1", port=port, http=request.param,
                         lifespan="off", log_level="error")
    cfg.load()
    bound_request_head(cfg, LIMIT)
    srv = uvicorn.Server(cfg)
    thread = threading.Thread(target=lambda: asyncio.run(srv.serve()), daemon=True)
    thread.start()
    wait_until(lambda: srv.started, 10, "uvicorn")
    yield port, request.param
    srv.should_exit = True
    thread.join(10)


def exchange(port: int, head: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        try:
            s.sendall(head)
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused mid-send: the answer may still be readable
        answer = b""
        try:
            while chunk := s.recv(65536):
                answer += chunk
        except ConnectionResetError:
            pass
        return answer


def test_a_head_within_the_limit_is_served(server: tuple[int, str]) -> None:
    head = b"GET /?" + b"a" * (LIMIT // 2) + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    assert exchange(server[0], head).startswith(b"HTTP/1.1 200")


@pytest.mark.parametrize("head", [
    b"GET /?" + b"a" * (4 * LIMIT) + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * (4 * LIMIT) + b"\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\n" + b"X-Many: v\r\n" * (LIMIT // 4) + b"\r\n",
], ids=["url", "one-header", "many-headers"])
def test_a_head_past_the_limit_is_refused(server: tuple[int, str], head: bytes) -> None:
    port, impl = server
    answer = exchange(port, head)
    # Go's answer from our bound on httptools; h11's own bound answers 400
    assert answer.startswith(b"HTTP/1.1 431" if impl == "httptools" else b"HTTP/1.1 400"), \
        answer[:100]
