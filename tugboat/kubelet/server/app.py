"""The kubelet server's ASGI app and its uvicorn runner (inside the kubelet's event loop,
leaving signal handling to the kubelet)."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator
from typing import Any

import orjson
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route, WebSocketRoute
from uvicorn.protocols.websockets.auto import AutoWebSocketsProtocol

from tugboat.kubelet.server.attach import attach_socket
from tugboat.kubelet.server.context import ServerContext
from tugboat.kubelet.server.exec import exec_socket
from tugboat.kubelet.server.logs import container_logs
from tugboat.kubelet.server.portforward import portforward_socket
from tugboat.kubelet.server.websocketprotocol import lenient_subprotocols


def _json(doc: object) -> Response:
    return Response(orjson.dumps(doc), media_type="application/json")


async def healthz(_request: Request) -> Response:
    return PlainTextResponse("ok")


async def metrics(request: Request) -> Response:
    ctx: ServerContext = request.app.state.ctx
    ctx.metrics.running_pods.set(len(ctx.pods.uids()))
    return Response(ctx.metrics.render(), media_type="text/plain; version=0.0.4")


async def pods(request: Request) -> Response:
    ctx: ServerContext = request.app.state.ctx
    return _json({"kind": "PodList", "apiVersion": "v1", "metadata": {},
                  "items": [p.wire() for p in ctx.pods.pods()]})


async def stats_summary(request: Request) -> Response:
    ctx: ServerContext = request.app.state.ctx
    return _json(await ctx.stats.summary())


async def exec_over_http(_request: Request) -> Response:
    return PlainTextResponse("exec needs a WebSocket upgrade (v5.channel.k8s.io)",
                             status_code=400)


async def portforward_over_http(_request: Request) -> Response:
    return PlainTextResponse("port-forward needs a WebSocket upgrade "
                             "(SPDY/3.1+portforward.k8s.io or v4.channel.k8s.io)",
                             status_code=400)


def healthz_app() -> Starlette:
    """The kubelet's separate healthz port (--healthz-port, loopback): /healthz only,
    open, for local probes while the main port demands credentials."""
    return Starlette(routes=[Route("/healthz", healthz)])


def build_app(ctx: ServerContext) -> Starlette:
    exec_path = "/exec/{namespace}/{pod}/{container}"
    app = Starlette(routes=[
        Route("/healthz", healthz),
        Route("/metrics", metrics),
        Route("/pods", pods),
        Route("/stats/summary", stats_summary),
        Route("/containerLogs/{namespace}/{pod}/{container}", container_logs),
        WebSocketRoute(exec_path, exec_socket),
        WebSocketRoute("/attach/{namespace}/{pod}/{container}", attach_socket),
        Route(exec_path, exec_over_http, methods=["GET", "POST"]),
        WebSocketRoute("/portForward/{namespace}/{pod}", portforward_socket),
        Route("/portForward/{namespace}/{pod}", portforward_over_http, methods=["GET", "POST"]),
    ])
    app.state.ctx = ctx
    return app


class EmbeddedServer(uvicorn.Server):
    """uvicorn inside our loop: the kubelet owns SIGTERM, not the server."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def listen(host: str, port: int) -> socket.socket:
    """Bind the kubelet port now, so a port in use fails the start with a clear OSError."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def server(app: Any, host: str, port: int, **options: Any) -> EmbeddedServer:
    """`options` are more uvicorn.Config settings (TLS: see server.tls)."""
    options["ws"] = lenient_subprotocols(options.get("ws") or AutoWebSocketsProtocol)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False,
                            lifespan="off", ws_ping_interval=None, **options)
    return EmbeddedServer(config)
