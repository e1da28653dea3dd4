"""The authorization filter (kube-apiserver's WithAuthorization): after authentication,
before any handler, the request's attributes (requestinfo.py) go to the authorizer; a
request it does not allow ends here with Kubernetes' 403 Forbidden Status. Requests on
the loopback insecure port were never authenticated and are not authorized either."""

from __future__ import annotations

import logging
from typing import Any

import orjson

from tugboat.api.meta import Status, StatusDetails
from tugboat.apiserver.audit.filter import add_annotation
from tugboat.apiserver.auth import requestinfo
from tugboat.apiserver.auth.authorizer import Attributes, Authorizer, Decision

log = logging.getLogger(__name__)

INSECURE_KEY = "tugboat.insecure"  # set by the insecure listener (serving.py)
Scope = dict[str, Any]


DECISION_ANNOTATION = "authorization.k8s.io/decision"
REASON_ANNOTATION = "authorization.k8s.io/reason"


def forbidden_message(a: Attributes) -> str:
    """Kubernetes' forbiddenMessage."""
    if not a.resource_request:
        return f'User "{a.user.name}" cannot {a.verb} path "{a.path}"'
    resource = a.resource + (f"/{a.subresource}" if a.subresource else "")
    where = f'in the namespace "{a.namespace}"' if a.namespace else "at the cluster scope"
    return (f'User "{a.user.name}" cannot {a.verb} resource "{resource}" in API group '
            f'"{a.api_group}" {where}')


def forbidden_status(a: Attributes, reason: str) -> Status:
    """apierrors.NewForbidden for the request's group/resource and name."""
    msg = forbidden_message(a)
    if reason:
        msg = f"{msg}: {reason}"
    if not a.resource_request or not a.resource:
        message = f"forbidden: {msg}"
    else:
        qualified = f"{a.resource}.{a.api_group}" if a.api_group else a.resource
        message = f'{qualified} "{a.name}" is forbidden: {msg}' if a.name else \
            f"{qualified} is forbidden: {msg}"
    return Status(status="Failure", code=403, reason="Forbidden", message=message,
                  details=StatusDetails(name=a.name or None, group=a.api_group or None,
                                        kind=a.resource or None))


def attributes_of(scope: Scope) -> Attributes:
    return requestinfo.of_scope(scope)  # the audit filter has usually resolved them


def authorization_filter(app: Any, authorizer: Authorizer) -> Any:
    """Wrap an ASGI app so every http and websocket request is authorized first."""

    async def authorize(scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] not in ("http", "websocket") or scope.get(INSECURE_KEY) is True:
            await app(scope, receive, send)
            return
        attrs = attributes_of(scope)
        decision, reason = authorizer.authorize(attrs)
        # Kubernetes' audit annotations for the verdict (a no-op without auditing)
        add_annotation(scope, DECISION_ANNOTATION,
                       "allow" if decision is Decision.ALLOW else "forbid")
        if reason:
            add_annotation(scope, REASON_ANNOTATION, reason)
        if decision is Decision.ALLOW:
            await app(scope, receive, send)
            return
        log.debug("forbidden: %s %s for %s: %s", attrs.verb, scope["path"], attrs.user.name,
                  reason)
        body = orjson.dumps(forbidden_status(attrs, reason).wire())
        if scope["type"] == "websocket":
            await _refuse_websocket(scope, receive, send, body)
            return
        await send({"type": "http.response.start", "status": 403, "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    return authorize


async def _refuse_websocket(scope: Scope, receive: Any, send: Any, body: bytes) -> None:
    """Refuse the upgrade with a plain 403 response (the ASGI websocket denial-response
    extension), so clients see the Status; a bare close where the server lacks it."""
    await receive()  # websocket.connect
    if "websocket.http.response" in (scope.get("extensions") or {}):
        await send({"type": "websocket.http.response.start", "status": 403,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "websocket.http.response.body", "body": body})
    else:
        await send({"type": "websocket.close", "code": 1008})
