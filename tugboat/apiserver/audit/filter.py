"""The audit filter (Kubernetes' WithAudit): a pure ASGI middleware that records each
request as audit.k8s.io/v1 Events at the stages the policy keeps — RequestReceived when
it arrives, ResponseStarted when a long-running response (watch, exec, logs) begins,
ResponseComplete when it ends, Panic when the handler fails — and answers every request
with its Audit-Id header, as kube-apiserver does whatever the policy says.

It must sit inside the authentication filter (it records the authenticated user, read
with `user_of`) and outside authorization, admission and the handlers, whose verdicts it
records: the authorizer adds `authorization.k8s.io/decision` and `.../reason` through
`add_annotation`. It reads the request and response bodies only when the level asks for
them, and never buffers a long-running response.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import orjson

from tugboat.apiserver.audit.event import event, micro_time
from tugboat.apiserver.audit.policy import Level, PolicyRuleEvaluator, RequestAuditConfig, Stage
from tugboat.apiserver.audit.sink import AuditSink
from tugboat.apiserver.auth import requestinfo
from tugboat.apiserver.auth.authorizer import Attributes
from tugboat.apiserver.auth.user import SCOPE_KEY, UserInfo
from tugboat.apiserver.serving import peer_certificate

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

ANNOTATIONS_KEY = "tugboat.audit.annotations"
AUDIT_ID_HEADER = b"audit-id"
# Kubernetes' BasicLongRunningRequestCheck: these responses stream for as long as the
# client stays, so they get a ResponseStarted event and are never buffered.
LONG_RUNNING_VERBS = frozenset({"watch", "proxy"})
LONG_RUNNING_SUBRESOURCES = frozenset({"attach", "exec", "proxy", "log", "portforward"})
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MAX_CAPTURED_BODY = 4 << 20  # larger bodies are passed on but not recorded
# The request headers an event records (Audit-Id, the user agent, the source IPs).
NOBODY = UserInfo("")  # a request that failed authentication: Kubernetes records no user
_HEADERS = frozenset((b"audit-id", b"user-agent", b"x-forwarded-for", b"x-real-ip"))


def add_annotation(scope: Scope, key: str, value: str) -> None:
    """Record `key: value` on this request's audit events (a no-op without auditing);
    the first value set for a key stays, as in Kubernetes."""
    annotations = scope.get(ANNOTATIONS_KEY)
    if annotations is not None:
        annotations.setdefault(key, value)


def audit_filter(app: ASGIApp, policy: PolicyRuleEvaluator, sink: AuditSink,
                 clock: Callable[[], float] = time.time) -> ASGIApp:
    async def audited(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await app(scope, receive, send)
            return
        await RequestAudit(scope, policy, sink, clock).run(app, receive, send)
    return audited


def failed_authentication_audit(app: ASGIApp, policy: PolicyRuleEvaluator, sink: AuditSink,
                                clock: Callable[[], float] = time.time) -> ASGIApp:
    """Kubernetes' WithFailedAuthenticationAudit, around the authentication filter: a
    request refused with 401 before anyone was authenticated is recorded too (stage
    ResponseStarted, no user, the credentials it tried), since the audit filter proper
    runs only for authenticated requests. A 401 from further in (a kubelet's, passed on)
    has a user and is the audit filter's to record."""
    async def audited(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await app(scope, receive, send)
            return

        async def sending(message: Message) -> None:
            if message["type"] in ("http.response.start", "websocket.http.response.start") \
                    and message["status"] == 401 and SCOPE_KEY not in scope:
                _refused(scope, message, policy, sink, clock)
            await send(message)

        await app(scope, receive, sending)
    return audited


def _refused(scope: Scope, message: Message, policy: PolicyRuleEvaluator, sink: AuditSink,
             clock: Callable[[], float]) -> None:
    nobody = {k: v for k, v in scope.items() if k != requestinfo.SCOPE_KEY}
    nobody[SCOPE_KEY] = NOBODY
    record = RequestAudit(nobody, policy, sink, clock)
    _add_header(message, AUDIT_ID_HEADER, record.audit_id.encode())
    if record.level == Level.NONE:
        return
    tried = [m for m, present in (("x509", peer_certificate(scope) is not None),
                                  ("bearer", "authorization" in _header_names(scope)))
             if present]
    record.code = 401
    record._emit(Stage.RESPONSE_STARTED, status={
        "metadata": {}, "code": 401,
        "message": "Authentication failed, attempted: " + ", ".join(tried or ["none"])})


def _header_names(scope: Scope) -> set[str]:
    return {k.decode("latin-1").lower() for k, _ in scope.get("headers", ())}


class RequestAudit:
    """One request's audit record, filled in as the request passes."""

    def __init__(self, scope: Scope, policy: PolicyRuleEvaluator, sink: AuditSink,
                 clock: Callable[[], float]):
        self.scope, self.sink, self.clock = scope, sink, clock
        self.received = clock()
        self.headers: dict[str, str] = {}
        for k, v in scope.get("headers", ()):
            k = k.lower()
            if k in _HEADERS:
                self.headers[k.decode("latin-1")] = v.decode("latin-1")
        self.audit_id = self.headers.get("audit-id") or _uuid4()
        self.websocket = scope["type"] == "websocket"
        self.attrs: Attributes = requestinfo.of_scope(scope)  # shared with authorization
        self.config: RequestAuditConfig = policy.evaluate(self.attrs)
        self.level = self.config.level
        self.long_running = (self.websocket or self.attrs.verb in LONG_RUNNING_VERBS or
                             self.attrs.subresource in LONG_RUNNING_SUBRESOURCES)
        self.annotations: dict[str, str] = {}
        scope[ANNOTATIONS_KEY] = self.annotations
        self.object_ref = _object_ref(self.attrs)
        self.request_body: list[bytes] | None = None
        self.response_body: list[bytes] | None = None
        self.code = 0
        self.content_type = ""

    async def run(self, app: ASGIApp, receive: Receive, send: Send) -> None:
        if self.level == Level.NONE:
            await app(self.scope, receive, self._send_id_only(send))
            return
        self._emit(Stage.REQUEST_RECEIVED)
        if self.attrs.resource_request and self.scope.get("method") in BODY_METHODS:
            self.request_body = []
        try:
            await app(self.scope, self._receive(receive), self._send(send))
        except asyncio.CancelledError:  # the server is stopping: the request ended there
            self._emit(Stage.RESPONSE_COMPLETE)
            raise
        except Exception as e:
            self.code = 500
            self._emit(Stage.PANIC, message=f"APIServer panic'd: {type(e).__name__}: {e}")
            raise
        self._emit(Stage.RESPONSE_COMPLETE)

    def _send_id_only(self, send: Send) -> Send:
        async def sending(message: Message) -> None:
            if message["type"] in ("http.response.start", "websocket.accept"):
                _add_header(message, AUDIT_ID_HEADER, self.audit_id.encode())
            await send(message)
        return sending

    def _receive(self, receive: Receive) -> Receive:
        async def receiving() -> Message:
            message = await receive()
            body = self.request_body
            if body is not None and message["type"] == "http.request":
                if sum(map(len, body)) + len(message.get("body", b"")) <= MAX_CAPTURED_BODY:
                    body.append(message.get("body", b""))
                else:
                    self.request_body = None
            return message
        return receiving

    def _send(self, send: Send) -> Send:
        async def sending(message: Message) -> None:
            kind = message["type"]
            if kind in ("http.response.start", "websocket.http.response.start"):
                self._started(message)
            elif kind == "http.response.body" and self.response_body is not None:
                self._capture(message.get("body", b""))
            elif kind == "websocket.accept":
                _add_header(message, AUDIT_ID_HEADER, self.audit_id.encode())
                self.code = 101
                self._emit(Stage.RESPONSE_STARTED)
            elif kind == "websocket.close" and not self.code:
                self.code = 403  # refused before the upgrade completed
            await send(message)
        return sending

    def _started(self, message: Message) -> None:
        self.code = message["status"]
        _add_header(message, AUDIT_ID_HEADER, self.audit_id.encode())
        for k, v in message.get("headers", ()):
            if k.lower() == b"content-type":
                self.content_type = v.decode("latin-1")
        if self.long_running:
            self._emit(Stage.RESPONSE_STARTED)
        elif self.code >= 400 or (self.level >= Level.REQUEST_RESPONSE and
                                  self.attrs.resource_request):
            self.response_body = []

    def _capture(self, chunk: bytes) -> None:
        assert self.response_body is not None
        if sum(map(len, self.response_body)) + len(chunk) <= MAX_CAPTURED_BODY:
            self.response_body.append(chunk)
        else:
            self.response_body = None

    def _emit(self, stage: Stage, message: str | None = None,
              status: dict[str, Any] | None = None) -> None:
        if stage in self.config.omit_stages:
            return
        request_object = response_object = None
        if stage != Stage.REQUEST_RECEIVED and status is None:
            request_object = self._request_object()
            status = {"metadata": {}, "code": self.code}
            if message:
                status.update(status="Failure", message=message, reason="InternalError")
            response = self._json(self.response_body) if stage == Stage.RESPONSE_COMPLETE \
                else None
            if isinstance(response, dict) and response.get("kind") == "Status":
                status = {k: v for k, v in response.items() if k not in ("kind", "apiVersion")}
                status.setdefault("metadata", {})
                status["code"] = self.code
            if self.level >= Level.REQUEST_RESPONSE:
                response_object = response
        line = event(
            level=self.level.wire, auditID=self.audit_id, stage=stage.value,
            requestURI=_request_uri(self.scope), verb=self.attrs.verb,
            user=self.attrs.user.wire() if self.attrs.user.name else {},
            sourceIPs=_source_ips(self.scope, self.headers),
            userAgent=self.headers.get("user-agent"), objectRef=self.object_ref,
            responseStatus=status,
            requestObject=request_object if self.level >= Level.REQUEST else None,
            responseObject=response_object,
            requestReceivedTimestamp=micro_time(self.received),
            stageTimestamp=micro_time(self.clock()),
            annotations=dict(self.annotations) or None)
        try:
            self.sink.write(line)
        except Exception:  # a full disk must not fail the request; say so loudly
            log.exception("writing audit event %s (%s) failed", self.audit_id, stage.value)

    def _request_object(self) -> Any:
        obj = self._json(self.request_body)
        if isinstance(obj, dict) and self.object_ref is not None:
            meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
            # Kubernetes' LogRequestObject: a create names its object only in the body.
            if not self.object_ref["name"] and isinstance(meta.get("name"), str):
                self.object_ref["name"] = meta["name"]
            if not self.object_ref["namespace"] and isinstance(meta.get("namespace"), str):
                self.object_ref["namespace"] = meta["namespace"]
        return obj

    @staticmethod
    def _json(chunks: list[bytes] | None) -> Any:
        if not chunks:
            return None
        try:
            return orjson.loads(b"".join(chunks))
        except orjson.JSONDecodeError:  # YAML, protobuf, a plain-text log: not recorded
            return None


def _object_ref(a: Attributes) -> dict[str, str | None] | None:
    """An ObjectReference's fields in its order; None ones are left out when written."""
    if not a.resource_request:
        return None
    return {"resource": a.resource or None, "namespace": a.namespace or None,
            "name": a.name or None, "uid": None, "apiGroup": a.api_group or None,
            "apiVersion": a.api_version or None, "resourceVersion": None,
            "subresource": a.subresource or None}


def _uuid4() -> str:
    """str(uuid.uuid4()) in a third of its time (one per audited request)."""
    b = bytearray(os.urandom(16))
    b[6] = (b[6] & 0x0F) | 0x40  # version 4
    b[8] = (b[8] & 0x3F) | 0x80  # RFC 4122 variant
    h = b.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _request_uri(scope: Scope) -> str:
    path = scope.get("raw_path") or scope["path"].encode()
    query = scope.get("query_string", b"")
    return (path + (b"?" + query if query else b"")).decode("latin-1")


def _source_ips(scope: Scope, headers: dict[str, str]) -> list[str]:
    """X-Forwarded-For, then X-Real-Ip, then the peer (Kubernetes' utilnet.SourceIPs)."""
    ips = [ip.strip() for ip in headers.get("x-forwarded-for", "").split(",") if ip.strip()]
    real = headers.get("x-real-ip", "").strip()
    if real and real not in ips:
        ips.append(real)
    peer = (scope.get("client") or ("",))[0]
    if peer and (not ips or ips[-1] != peer):
        ips.append(peer)
    return ips


def _add_header(message: Message, name: bytes, value: bytes) -> None:
    message["headers"] = [*message.get("headers", ()), (name, value)]
