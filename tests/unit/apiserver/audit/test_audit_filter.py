"""The audit filter around a small ASGI app: the Event's exact shape, what each level
records, the stages of ordinary and long-running requests, the Audit-Id header, and the
log sink's lines."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from tugboat.apiserver.audit import (
    AuditLogSink,
    PolicyRuleEvaluator,
    add_annotation,
    audit_filter,
    audit_middleware,
    parse_audit_policy,
)
from tugboat.apiserver.auth.user import SCOPE_KEY, UserInfo

pytestmark = pytest.mark.anyio

ALICE = UserInfo("alice", uid="u-1", groups=("dev", "system:authenticated"))
MICRO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


class MemorySink:
    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def write(self, event: dict[str, Any]) -> None:
        self.events.append(json.loads(json.dumps(event)))

    def close(self) -> None:
        pass


async def handler(scope, receive, send) -> None:
    """A stand-in API server: echoes created objects, 404s unknown pods, streams watches."""
    path, method = scope["path"], scope["method"]
    body = b""
    while True:
        msg = await receive()
        body += msg.get("body", b"")
        if not msg.get("more_body"):
            break
    add_annotation(scope, "authorization.k8s.io/decision", "allow")
    if path == "/boom":
        raise RuntimeError("kaboom")
    if b"watch=1" in scope["query_string"]:
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": b'{"type":"ADDED"}\n',
                    "more_body": True})
        await send({"type": "http.response.body", "body": b""})
        return
    if method == "POST":
        status, out = 201, {**json.loads(body), "metadata": {**json.loads(body)["metadata"],
                                                              "uid": "x"}}
    elif path.endswith("/missing"):
        status, out = 404, {"kind": "Status", "apiVersion": "v1", "metadata": {},
                            "status": "Failure", "message": 'pods "missing" not found',
                            "reason": "NotFound",
                            "details": {"name": "missing", "kind": "pods"}, "code": 404}
    else:
        status, out = 200, {"kind": "Pod", "metadata": {"name": path.rsplit("/", 1)[-1]}}
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": json.dumps(out).encode()})


def client_for(rules: list[dict], sink: MemorySink, omit: list[str] | None = None
               ) -> httpx.AsyncClient:
    policy = PolicyRuleEvaluator(parse_audit_policy({
        "apiVersion": "audit.k8s.io/v1", "kind": "Policy", "rules": rules,
        "omitStages": omit if omit is not None else ["RequestReceived"]}))
    audited = audit_filter(handler, policy, sink)

    async def authenticated(scope, receive, send) -> None:  # the authn filter's part
        scope[SCOPE_KEY] = ALICE
        await audited(scope, receive, send)

    return httpx.AsyncClient(transport=httpx.ASGITransport(authenticated,
                                                           raise_app_exceptions=False),
                             base_url="http://testserver", headers={"User-Agent": "tug/test"})


POD = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
       "spec": {"containers": [{"name": "c", "image": "busybox"}]}}


async def test_a_create_at_metadata_level_is_one_complete_event() -> None:
    sink = MemorySink()
    async with client_for([{"level": "Metadata"}], sink) as c:
        r = await c.post("/api/v1/namespaces/default/pods?fieldManager=tug", json=POD)
    assert r.status_code == 201
    [event] = sink.events
    assert event.pop("requestReceivedTimestamp") and MICRO.match(event.pop("stageTimestamp"))
    assert event == {
        "kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata",
        "auditID": r.headers["Audit-Id"], "stage": "ResponseComplete",
        "requestURI": "/api/v1/namespaces/default/pods?fieldManager=tug", "verb": "create",
        "user": {"username": "alice", "uid": "u-1", "groups": ["dev", "system:authenticated"]},
        "sourceIPs": ["127.0.0.1"], "userAgent": "tug/test",
        "objectRef": {"resource": "pods", "namespace": "default", "name": "web",
                      "apiVersion": "v1"},
        "responseStatus": {"metadata": {}, "code": 201},
        "annotations": {"authorization.k8s.io/decision": "allow"}}


async def test_request_response_level_records_both_bodies() -> None:
    sink = MemorySink()
    async with client_for([{"level": "RequestResponse"}], sink) as c:
        await c.post("/apis/apps/v1/namespaces/ns1/deployments", json=POD)
        await c.get("/api/v1/namespaces/default/pods/web")
    create, get = sink.events
    assert create["requestObject"] == POD
    assert create["responseObject"]["metadata"]["uid"] == "x"
    assert create["objectRef"] == {"resource": "deployments", "namespace": "ns1",
                                   "name": "web", "apiGroup": "apps", "apiVersion": "v1"}
    assert "requestObject" not in get and get["responseObject"]["metadata"]["name"] == "web"
    assert get["verb"] == "get" and get["objectRef"]["name"] == "web"


async def test_request_level_records_the_request_body_only() -> None:
    sink = MemorySink()
    async with client_for([{"level": "Request"}], sink) as c:
        await c.post("/api/v1/namespaces/default/pods", json=POD)
    assert sink.events[0]["requestObject"] == POD and "responseObject" not in sink.events[0]


async def test_an_error_response_records_its_status() -> None:
    sink = MemorySink()
    async with client_for([{"level": "Metadata"}], sink) as c:
        r = await c.get("/api/v1/namespaces/default/pods/missing")
    assert r.status_code == 404
    assert sink.events[0]["responseStatus"] == {
        "metadata": {}, "status": "Failure", "message": 'pods "missing" not found',
        "reason": "NotFound", "details": {"name": "missing", "kind": "pods"}, "code": 404}


async def test_a_watch_has_started_and_complete_stages_and_no_body() -> None:
    sink = MemorySink()
    async with client_for([{"level": "RequestResponse"}], sink, omit=[]) as c:
        await c.get("/api/v1/pods?watch=1")
    assert [(e["stage"], e["verb"], e["responseStatus"]["code"] if "responseStatus" in e
             else None) for e in sink.events] == [
        ("RequestReceived", "watch", None), ("ResponseStarted", "watch", 200),
        ("ResponseComplete", "watch", 200)]
    assert all("responseObject" not in e for e in sink.events)
    assert len({e["auditID"] for e in sink.events}) == 1
    assert sink.events[1]["objectRef"] == {"resource": "pods", "apiVersion": "v1"}


async def test_level_none_writes_nothing_but_still_answers_an_audit_id() -> None:
    sink = MemorySink()
    rules = [{"level": "None", "nonResourceURLs": ["/healthz*"]}, {"level": "Metadata"}]
    async with client_for(rules, sink) as c:
        r = await c.get("/healthz")
        assert r.headers["Audit-Id"]
        r = await c.get("/version", headers={"Audit-ID": "from-the-client"})
    assert r.headers["Audit-Id"] == "from-the-client"
    [event] = sink.events
    assert event["auditID"] == "from-the-client" and event["verb"] == "get"
    assert "objectRef" not in event and event["requestURI"] == "/version"


async def test_a_failing_handler_is_a_panic_event() -> None:
    sink = MemorySink()
    async with client_for([{"level": "Metadata"}], sink) as c:
        r = await c.get("/boom")
    assert r.status_code == 500
    [event] = sink.events
    assert event["stage"] == "Panic" and event["responseStatus"]["code"] == 500
    assert "kaboom" in event["responseStatus"]["message"]


def test_the_log_sink_appends_private_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "logs" / "audit.log"
    sink = AuditLogSink(path)
    sink.write({"kind": "Event", "n": 1})
    sink.write({"kind": "Event", "n": 2})
    sink.close()
    again = AuditLogSink(path)
    again.write({"kind": "Event", "n": 3})
    again.close()
    assert [json.loads(line)["n"] for line in path.read_text().splitlines()] == [1, 2, 3]
    assert os.stat(path).st_mode & 0o777 == 0o600


async def exec_session(accept: bool) -> tuple[MemorySink, list[dict]]:
    """An exec WebSocket driven by hand (httpx speaks no WebSocket): connect, then the
    handler accepts and closes, or refuses before the upgrade."""
    sink = MemorySink()

    async def exec_handler(scope, receive, send) -> None:
        assert (await receive())["type"] == "websocket.connect"
        if accept:
            await send({"type": "websocket.accept", "subprotocol": "v5.channel.k8s.io"})
        await send({"type": "websocket.close", "code": 1000})

    policy = PolicyRuleEvaluator(parse_audit_policy({
        "apiVersion": "audit.k8s.io/v1", "kind": "Policy", "rules": [{"level": "Metadata"}]}))
    app = audit_filter(exec_handler, policy, sink)
    scope = {"type": "websocket", "path": "/api/v1/namespaces/default/pods/web/exec",
             "raw_path": b"/api/v1/namespaces/default/pods/web/exec",
             "query_string": b"command=sh&stdin=true", "headers": [],
             "client": ("127.0.0.1", 5000), SCOPE_KEY: ALICE}
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "websocket.connect"}

    async def send(message: dict) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sink, sent


async def test_an_exec_websocket_is_a_create_of_pods_exec() -> None:
    sink, sent = await exec_session(accept=True)
    assert [(e["stage"], e["verb"], e["responseStatus"]["code"]) for e in sink.events
            if "responseStatus" in e] == [("ResponseStarted", "create", 101),
                                          ("ResponseComplete", "create", 101)]
    assert sink.events[0]["objectRef"] == {"resource": "pods", "namespace": "default",
                                           "name": "web", "apiVersion": "v1",
                                           "subresource": "exec"}
    assert (b"audit-id", sink.events[0]["auditID"].encode()) in sent[0]["headers"]
    refused, _ = await exec_session(accept=False)
    assert [e["responseStatus"]["code"] for e in refused.events
            if e["stage"] == "ResponseComplete"] == [403]


def test_auditing_is_on_only_with_both_a_policy_and_a_log_path(tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text("apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [{level: Metadata}]\n")
    assert audit_middleware(None, str(tmp_path / "audit.log")) is None
    assert audit_middleware(str(policy), None) is None
    assert callable(audit_middleware(str(policy), str(tmp_path / "audit.log")))
