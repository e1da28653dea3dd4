"""The authorization filter in front of an ASGI app: allowed requests pass, refused ones
get Kubernetes' 403 Status, and the insecure port is never asked about."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tugboat.apiserver.auth.authorizer import Attributes, Decision
from tugboat.apiserver.auth.filters import authorization_filter
from tugboat.apiserver.auth.user import SCOPE_KEY, UserInfo

pytestmark = pytest.mark.anyio
BOB = UserInfo("bob", groups=("system:authenticated",))


class OnlyGetPods:
    """Allows `get pods`; refuses the rest with a reason for secrets."""

    def __init__(self) -> None:
        self.asked: list[Attributes] = []

    def authorize(self, a: Attributes) -> tuple[Decision, str]:
        self.asked.append(a)
        if a.verb == "get" and a.resource == "pods" and not a.subresource:
            return Decision.ALLOW, ""
        return Decision.NO_OPINION, "no secrets for you" if a.resource == "secrets" else ""

    def rules_for(self, user: UserInfo, namespace: str) -> Any:
        return [], [], False


async def ok_app(scope: dict, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


def as_user(app: Any, user: UserInfo, insecure: bool = False) -> Any:
    async def wrapped(scope: dict, receive: Any, send: Any) -> None:
        scope[SCOPE_KEY] = user
        if insecure:
            scope["tugboat.insecure"] = True
        await app(scope, receive, send)
    return wrapped


def client(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


@pytest.mark.parametrize("method,path,message,details", [
    ("GET", "/api/v1/namespaces/default/pods",
     'pods is forbidden: User "bob" cannot list resource "pods" in API group "" in the '
     'namespace "default"', {"kind": "pods"}),
    ("GET", "/apis/apps/v1/deployments",
     'deployments.apps is forbidden: User "bob" cannot list resource "deployments" in API '
     'group "apps" at the cluster scope', {"kind": "deployments", "group": "apps"}),
    ("DELETE", "/api/v1/namespaces/default/pods/web",
     'pods "web" is forbidden: User "bob" cannot delete resource "pods" in API group "" in '
     'the namespace "default"', {"kind": "pods", "name": "web"}),
    ("GET", "/api/v1/namespaces/default/pods/web/log",
     'pods "web" is forbidden: User "bob" cannot get resource "pods/log" in API group "" in '
     'the namespace "default"', {"kind": "pods", "name": "web"}),
    ("GET", "/api/v1/namespaces/default/secrets/s",
     'secrets "s" is forbidden: User "bob" cannot get resource "secrets" in API group "" in '
     'the namespace "default": no secrets for you', {"kind": "secrets", "name": "s"}),
    ("GET", "/foo", 'forbidden: User "bob" cannot get path "/foo"', {}),
])
async def test_refusals_read_as_kubernetes_writes_them(method: str, path: str, message: str,
                                                        details: dict) -> None:
    app = as_user(authorization_filter(ok_app, OnlyGetPods()), BOB)
    async with client(app) as c:
        r = await c.request(method, path)
    assert r.status_code == 403
    body = r.json()
    assert body == {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                    "message": message, "reason": "Forbidden", "code": 403,
                    "details": details}


async def test_allowed_requests_pass() -> None:
    app = as_user(authorization_filter(ok_app, OnlyGetPods()), BOB)
    async with client(app) as c:
        r = await c.get("/api/v1/namespaces/default/pods/web")
    assert (r.status_code, r.text) == (200, "ok")


async def test_the_insecure_port_is_not_authorized() -> None:
    authz = OnlyGetPods()
    app = as_user(authorization_filter(ok_app, authz), BOB, insecure=True)
    async with client(app) as c:
        r = await c.delete("/api/v1/nodes/n1")
    assert r.status_code == 200
    assert authz.asked == []
