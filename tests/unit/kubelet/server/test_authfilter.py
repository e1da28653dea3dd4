"""The kubelet port's gate against a stub API server that answers TokenReviews and
SubjectAccessReviews: 401 without credentials or with a rejected token, 403 with
Kubernetes' message when the review denies, 500 when it cannot be asked, the handler
when it allows — for client certificates, bearer tokens and anonymous callers, over
HTTP and WebSocket — and the review caches."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket

from tests.support.clock import ManualClock
from tests.support.pki import TestPKI
from tugboat.client import ApiClient
from tugboat.kubelet.server.authentication import Authenticator
from tugboat.kubelet.server.authfilter import AuthFilter
from tugboat.kubelet.server.authorization import WebhookAuthorizer
from tugboat.kubelet.server.expiringcache import ExpiringCache
from tugboat.kubelet.server.reviews import Reviewer

NODE = "node-a"
LOGS = "/containerLogs/default/web/app"


@dataclass
class StubApi:
    """TokenReview: `tokens` maps token → username. SubjectAccessReview: allowed when
    (user, subresource) is in `grants` or the user is in system:masters."""

    tokens: dict[str, str] = field(default_factory=dict)
    grants: set[tuple[str, str]] = field(default_factory=set)
    reviews: list[dict[str, Any]] = field(default_factory=list)
    down: bool = False

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("connection refused", request=request)
        body = json.loads(request.content)
        self.reviews.append(body)
        if request.url.path == "/apis/authentication.k8s.io/v1/tokenreviews":
            name = self.tokens.get(body["spec"]["token"])
            status: dict[str, Any] = {"authenticated": name is not None}
            if name:
                status["user"] = {"username": name, "uid": f"uid-{name}",
                                  "groups": ["team"]}
            return httpx.Response(201, json={**body, "status": status})
        assert request.url.path == "/apis/authorization.k8s.io/v1/subjectaccessreviews"
        spec = body["spec"]
        allowed = (spec["user"], spec["resourceAttributes"]["subresource"]) in self.grants \
            or "system:masters" in spec.get("groups", [])
        return httpx.Response(201, json={**body, "status": {"allowed": allowed}})

    def kinds(self) -> list[str]:
        return [r["kind"] for r in self.reviews]


async def logs(_request: Any) -> PlainTextResponse:
    return PlainTextResponse("hello from the container\n")


async def summary(_request: Any) -> PlainTextResponse:
    return PlainTextResponse("{}")


async def exec_socket(ws: WebSocket) -> None:
    await ws.accept()
    await ws.send_bytes(b"\x01hi")
    await ws.close()


def with_client_certificate(app: Any, pem: str | None) -> Any:
    """What the TLS protocol puts in the scope after a verified handshake."""
    async def wrapped(scope: Any, receive: Any, send: Any) -> None:
        if pem is not None:
            scope["extensions"] = {**(scope.get("extensions") or {}),
                                   "tls": {"client_cert_chain": [pem]}}
        await app(scope, receive, send)
    return wrapped


@pytest.fixture
def api() -> StubApi:
    return StubApi(tokens={"good-token": "metrics-reader", "admin-token": "root"},
                   grants={("metrics-reader", "stats"), ("root", "proxy")})


@pytest.fixture
def ca(tmp_path: Path) -> TestPKI:
    return TestPKI(tmp_path)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


pytestmark = pytest.mark.anyio


class Kubelet:
    """Requests to the gated app: HTTP through httpx, WebSocket as raw ASGI messages."""

    def __init__(self, app: Any):
        self.app = app
        self.http = httpx.AsyncClient(transport=httpx.ASGITransport(app),
                                      base_url="http://kubelet")

    async def get(self, path: str, headers: dict[str, str] | None = None) -> httpx.Response:
        return await self.http.get(path, headers=headers)

    async def websocket(self, path: str) -> list[dict[str, Any]]:
        """What the server sends for a WebSocket handshake on `path`."""
        scope = {"type": "websocket", "path": path, "raw_path": path.encode(),
                 "query_string": b"", "headers": [], "scheme": "wss", "root_path": "",
                 "server": ("127.0.0.1", 10250), "client": ("127.0.0.1", 5000),
                 "subprotocols": [], "extensions": {"websocket.http.response": {}}}
        inbox = [{"type": "websocket.connect"}]
        sent: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            return inbox.pop(0) if inbox else {"type": "websocket.disconnect", "code": 1000}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        await self.app(scope, receive, send)
        return sent


def kubelet(api: StubApi, clock: ManualClock, *, anonymous: bool = False,
            pem: str | None = None) -> Kubelet:
    reviewer = Reviewer(ApiClient("http://api.test", transport=httpx.MockTransport(api)))
    authn = Authenticator(reviewer, anonymous=anonymous, token_ttl=120,
                          token_cache=ExpiringCache(clock=clock))
    authz = WebhookAuthorizer(reviewer, authorized_ttl=300, unauthorized_ttl=30,
                              cache=ExpiringCache(clock=clock))
    app = Starlette(routes=[Route(LOGS, logs), Route("/stats/summary", summary),
                            WebSocketRoute("/exec/default/web/app", exec_socket)])
    return Kubelet(with_client_certificate(AuthFilter(app, NODE, authn, authz), pem))


def pem_of(ca: TestPKI, user: str, groups: tuple[str, ...] = ()) -> str:
    return ca.client(user, groups).cert.read_text()


async def test_no_credentials_is_401(api: StubApi, clock: ManualClock) -> None:
    r = await kubelet(api, clock).get(LOGS)
    assert (r.status_code, r.text) == (401, "Unauthorized")
    assert api.reviews == []


async def test_anonymous_when_enabled_is_authorized_and_denied(api: StubApi,
                                                         clock: ManualClock) -> None:
    r = await kubelet(api, clock, anonymous=True).get(LOGS)
    assert (r.status_code, r.text) == (
        403, "Forbidden (user=system:anonymous, verb=get, resource=nodes, subresource=proxy)")
    assert api.reviews[0]["spec"]["groups"] == ["system:unauthenticated"]


async def test_client_certificate_of_apiserver_is_allowed(api: StubApi, clock: ManualClock,
                                                    ca: TestPKI) -> None:
    pem = pem_of(ca, "kube-apiserver-kubelet-client", ("system:masters",))
    r = await kubelet(api, clock, pem=pem).get(LOGS)
    assert (r.status_code, r.text) == (200, "hello from the container\n")
    assert api.kinds() == ["SubjectAccessReview"]  # no TokenReview for a certificate
    review = api.reviews[0]
    assert review["apiVersion"] == "authorization.k8s.io/v1"
    assert review["spec"]["user"] == "kube-apiserver-kubelet-client"
    assert review["spec"]["groups"] == ["system:masters", "system:authenticated"]
    assert review["spec"]["resourceAttributes"] == {
        "verb": "get", "version": "v1", "resource": "nodes", "subresource": "proxy",
        "name": NODE}


async def test_client_certificate_without_rights_is_403(api: StubApi, clock: ManualClock,
                                                   ca: TestPKI) -> None:
    r = await kubelet(api, clock, pem=pem_of(ca, "bob", ("dev",))).get(LOGS)
    assert (r.status_code, r.text) == (
        403, "Forbidden (user=bob, verb=get, resource=nodes, subresource=proxy)")


async def test_bearer_token_is_reviewed_and_authorized_per_subresource(
        api: StubApi, clock: ManualClock) -> None:
    client = kubelet(api, clock)
    headers = {"Authorization": "Bearer good-token"}
    assert (await client.get("/stats/summary", headers=headers)).status_code == 200
    r = await client.get(LOGS, headers=headers)
    assert (r.status_code, r.text) == (
        403, "Forbidden (user=metrics-reader, verb=get, resource=nodes, subresource=proxy)")
    token_review = api.reviews[0]
    assert (token_review["apiVersion"], token_review["spec"]) == \
        ("authentication.k8s.io/v1", {"token": "good-token"})
    assert api.reviews[1]["spec"]["uid"] == "uid-metrics-reader"
    assert api.reviews[1]["spec"]["groups"] == ["team", "system:authenticated"]


async def test_rejected_token_is_401_even_with_anonymous(api: StubApi, clock: ManualClock) -> None:
    r = await kubelet(api, clock, anonymous=True).get(LOGS, headers={"Authorization": "Bearer nope"})
    assert (r.status_code, r.text) == (401, "Unauthorized")


async def test_reviews_are_cached_until_their_ttl(api: StubApi, clock: ManualClock) -> None:
    client = kubelet(api, clock)
    headers = {"Authorization": "Bearer admin-token"}
    for _ in range(3):
        assert (await client.get(LOGS, headers=headers)).status_code == 200
    assert api.kinds() == ["TokenReview", "SubjectAccessReview"]
    clock.advance(121)  # the token answer expired, the allowed one (5m) has not
    assert (await client.get(LOGS, headers=headers)).status_code == 200
    assert api.kinds() == ["TokenReview", "SubjectAccessReview", "TokenReview"]


async def test_denials_are_cached_for_less_time(api: StubApi, clock: ManualClock,
                                          ca: TestPKI) -> None:
    client = kubelet(api, clock, pem=pem_of(ca, "bob"))
    assert (await client.get(LOGS)).status_code == 403
    api.grants.add(("bob", "proxy"))
    assert (await client.get(LOGS)).status_code == 403  # still the cached denial
    clock.advance(31)
    assert (await client.get(LOGS)).status_code == 200


async def test_unreachable_api_server(api: StubApi, clock: ManualClock, ca: TestPKI) -> None:
    api.down = True
    r = await kubelet(api, clock).get(LOGS, headers={"Authorization": "Bearer good-token"})
    assert (r.status_code, r.text) == (401, "Unauthorized")
    r = await kubelet(api, clock, pem=pem_of(ca, "bob")).get(LOGS)
    assert (r.status_code, r.text) == (
        500, "Authorization error (user=bob, verb=get, resource=nodes, subresource=proxy)")
    api.down = False  # failures were not cached
    assert (await kubelet(api, clock).get(
        LOGS, headers={"Authorization": "Bearer admin-token"})).status_code == 200


async def test_websocket_exec_is_refused_before_the_upgrade(api: StubApi, clock: ManualClock,
                                                            ca: TestPKI) -> None:
    sent = await kubelet(api, clock).websocket("/exec/default/web/app")
    assert [m["type"] for m in sent] == ["websocket.http.response.start",
                                         "websocket.http.response.body"]
    assert (sent[0]["status"], sent[1]["body"]) == (401, b"Unauthorized")
    sent = await kubelet(api, clock, pem=pem_of(ca, "bob")).websocket("/exec/default/web/app")
    assert (sent[0]["status"], sent[1]["body"]) == (
        403, b"Forbidden (user=bob, verb=get, resource=nodes, subresource=proxy)")
    sent = await kubelet(api, clock, pem=pem_of(ca, "root")).websocket("/exec/default/web/app")
    assert [m["type"] for m in sent][:2] == ["websocket.accept", "websocket.send"]
    assert sent[1]["bytes"] == b"\x01hi"
