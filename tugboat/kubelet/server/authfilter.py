"""The kubelet port's gate (the kubelet's InstallAuthFilter): every request, HTTP or
WebSocket, is authenticated and then authorized before any handler sees it. The answers
are Kubernetes' plain-text ones: 401 `Unauthorized`; 403 `Forbidden (user=..., verb=...,
resource=nodes, subresource=...)`; 500 `Authorization error (...)` when the API server
could not be asked. A WebSocket (exec) is refused before the upgrade with the same
status and text, so kubectl shows it."""

from __future__ import annotations

import logging
from typing import Any

from starlette.datastructures import Headers

from tugboat.kubelet.server.attributes import (
    authorization_error_message,
    forbidden_message,
    request_attributes,
)
from tugboat.kubelet.server.authentication import Authenticator, Unauthorized
from tugboat.kubelet.server.authorization import AuthorizationFailed, Authorizer

log = logging.getLogger(__name__)

SCOPE_USER = "tugboat.kubelet.user"


class AuthFilter:
    """ASGI middleware in front of the kubelet server's app."""

    def __init__(self, app: Any, node: str, authenticator: Authenticator,
                 authorizer: Authorizer):
        self.app, self.node = app, node
        self.authenticator, self.authorizer = authenticator, authorizer

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        refusal = await self._check(scope)
        if refusal is None:
            await self.app(scope, receive, send)
        elif scope["type"] == "http":
            await _respond(send, *refusal)
        else:
            await _refuse_websocket(scope, receive, send, *refusal)

    async def _check(self, scope: Any) -> tuple[int, str] | None:
        """None to let the request through, else the status and text to answer."""
        try:
            user = await self.authenticator.authenticate(scope, Headers(scope=scope))
        except Unauthorized as e:
            log.info("unauthenticated request to %s: %s", scope.get("path"), e)
            return 401, "Unauthorized"
        method = "GET" if scope["type"] == "websocket" else scope["method"]
        attrs = request_attributes(user, method, scope.get("path") or "/", self.node)
        try:
            allowed, reason = await self.authorizer.authorize(attrs)
        except AuthorizationFailed:
            return 500, authorization_error_message(attrs)
        if not allowed:
            log.info("%s%s", forbidden_message(attrs), f": {reason}" if reason else "")
            return 403, forbidden_message(attrs)
        scope[SCOPE_USER] = user
        return None


async def _respond(send: Any, status: int, text: str) -> None:
    body = text.encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


async def _refuse_websocket(scope: Any, receive: Any, send: Any, status: int, text: str
                            ) -> None:
    message = await receive()
    if message["type"] != "websocket.connect":
        return
    if "websocket.http.response" in (scope.get("extensions") or {}):
        body = text.encode()
        await send({"type": "websocket.http.response.start", "status": status,
                    "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "websocket.http.response.body", "body": body})
    else:  # a server without the extension can only close (uvicorn answers 403)
        await send({"type": "websocket.close", "code": 1008, "reason": text[:120]})
