"""The authentication filter: the first of kube-apiserver's request filters. It finds the
request's credentials (the verified client certificate, the bearer token — for WebSockets
also the `base64url.bearer.authorization.k8s.io.` subprotocol browsers must use), asks the
authenticator who that is, and stores the user in the scope for everything after it.
A credential nobody accepts is 401 Unauthorized; requests on the loopback insecure port
skip authentication and act as the privileged user, as Kubernetes' old insecure port did.
The credential is removed once used, so it is never proxied onwards (to a kubelet)."""

from __future__ import annotations

import base64
import binascii
import logging
from typing import Any

import orjson

from tugboat.apiserver import errors
from tugboat.apiserver.auth.authenticator import AuthRequest, Unauthenticated
from tugboat.apiserver.auth.union import Authenticator
from tugboat.apiserver.auth.user import PRIVILEGED, SCOPE_KEY
from tugboat.apiserver.serving import is_insecure, peer_certificate

log = logging.getLogger(__name__)

WEBSOCKET_TOKEN_PROTOCOL = "base64url.bearer.authorization.k8s.io."
Scope = dict[str, Any]


def bearer_token(headers: dict[str, str]) -> str | None:
    """`Authorization: Bearer <token>`, read as Kubernetes' bearertoken authenticator does
    (another scheme, or an empty token, is no bearer credential at all)."""
    parts = headers.get("authorization", "").strip().split(" ", 2)
    if len(parts) < 2 or parts[0].lower() != "bearer" or not parts[1]:
        return None
    return parts[1]


def websocket_token(scope: Scope) -> tuple[str | None, str | None]:
    """(token, the subprotocol that carried it) from a WebSocket's offered subprotocols."""
    for proto in scope.get("subprotocols") or ():
        if proto.startswith(WEBSOCKET_TOKEN_PROTOCOL):
            encoded = proto[len(WEBSOCKET_TOKEN_PROTOCOL):]
            try:
                token = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
            except (binascii.Error, UnicodeDecodeError):
                return None, proto
            return token or None, proto
    return None, None


def _without_credentials(scope: Scope, token_protocol: str | None) -> None:
    scope["headers"] = [(k, v) for k, v in scope["headers"] if k.lower() != b"authorization"]
    if token_protocol is not None:
        scope["subprotocols"] = [p for p in scope["subprotocols"] if p != token_protocol]


UNAUTHORIZED = errors.ApiError(401, "Unauthorized", "Unauthorized")


async def _refuse(scope: Scope, send: Any) -> None:
    body = orjson.dumps(UNAUTHORIZED.wire())
    headers = [(b"content-type", b"application/json"),
               (b"cache-control", b"no-cache, private"),
               (b"content-length", str(len(body)).encode())]
    if scope["type"] == "http":
        await send({"type": "http.response.start", "status": 401, "headers": headers})
        await send({"type": "http.response.body", "body": body})
    elif "websocket.http.response" in (scope.get("extensions") or {}):
        await send({"type": "websocket.http.response.start", "status": 401,
                    "headers": headers})
        await send({"type": "websocket.http.response.body", "body": body})
    else:  # the server cannot answer a refused upgrade with a body: it sends 403
        await send({"type": "websocket.close", "code": 1008})


def authentication_filter(app: Any, authenticator: Authenticator) -> Any:
    """Wrap an ASGI app (http and websocket scopes; anything else passes through)."""

    async def authentication(scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] not in ("http", "websocket"):
            await app(scope, receive, send)
            return
        if is_insecure(scope):
            scope[SCOPE_KEY] = PRIVILEGED
            await app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                   for k, v in scope["headers"]}
        token, token_protocol = bearer_token(headers), None
        if token is None and scope["type"] == "websocket":
            token, token_protocol = websocket_token(scope)
            if token_protocol is not None and token is None:
                log.info("unable to authenticate the request to %s: invalid websocket "
                         "bearer token subprotocol", scope.get("path"))
                await _refuse(scope, send)
                return
        try:
            user = authenticator.authenticate(AuthRequest(token, peer_certificate(scope),
                                                          headers))
        except Unauthenticated as e:
            log.info("unable to authenticate the request to %s: %s", scope.get("path"), e)
            await _refuse(scope, send)
            return
        scope[SCOPE_KEY] = user
        if token is not None or token_protocol is not None:
            _without_credentials(scope, token_protocol)
        await app(scope, receive, send)

    return authentication
