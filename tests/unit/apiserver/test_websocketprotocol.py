"""uvicorn with the lenient WebSocket protocol (the API server's and the kubelet's copy)
upgrades a request offering kubectl's `SPDY/3.1+portforward.k8s.io` — which is not an
HTTP token — and hands the application the offered list; plain uvicorn answers it 400."""

from __future__ import annotations

import asyncio
import base64
import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket

from tests.support.processes import free_port, wait_until
from tugboat.apiserver.websocketprotocol import lenient_subprotocols
from tugboat.kubelet.server import websocketprotocol as kubelet_copy

OFFER = "SPDY/3.1+portforward.k8s.io, v4.channel.k8s.io"


async def first_offered(ws: WebSocket) -> None:
    await ws.accept(subprotocol=ws.scope["subprotocols"][0])
    await ws.send_text(",".join(ws.scope["subprotocols"]))
    await ws.close()


def _serve(wrap: Callable[[type], type] | None) -> Iterator[int]:
    app = Starlette(routes=[WebSocketRoute("/ws", first_offered)])
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                            lifespan="off")
    config.load()
    if wrap is not None:
        config.ws_protocol_class = wrap(config.ws_protocol_class)  # type: ignore[arg-type]
    server = uvicorn.Server(config)
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
    thread.start()
    wait_until(lambda: server.started, 10, "uvicorn")
    yield port
    server.should_exit = True
    thread.join(10)


def _handshake(port: int) -> bytes:
    key = base64.b64encode(b"0123456789abcdef").decode()
    request = (f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
               f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
               f"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: {OFFER}\r\n\r\n")
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(request.encode())
        reply = b""
        while chunk := s.recv(4096):  # a refusal closes; an upgrade ends in a close frame
            reply += chunk
            if b"\x88" in reply.partition(b"\r\n\r\n")[2]:
                break
    return reply


@pytest.mark.parametrize("wrap", [lenient_subprotocols, kubelet_copy.lenient_subprotocols])
def test_kubectls_subprotocol_is_accepted(wrap: Any) -> None:
    for port in _serve(wrap):
        reply = _handshake(port)
        head = reply.split(b"\r\n\r\n")[0].decode()
        assert head.startswith("HTTP/1.1 101")
        assert "Sec-WebSocket-Protocol: SPDY/3.1+portforward.k8s.io" in head
        assert b"SPDY/3.1+portforward.k8s.io,v4.channel.k8s.io" in reply


def test_plain_uvicorn_refuses_it() -> None:
    for port in _serve(None):
        assert _handshake(port).startswith(b"HTTP/1.1 400")
