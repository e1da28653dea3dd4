"""The ASGI authentication filter: what reaches the app, and what the client sees when a
credential is refused."""

from __future__ import annotations

import base64
from typing import Any

import orjson
import pytest

from tugboat.apiserver.auth.authentication import authentication_filter
from tugboat.apiserver.auth.union import Authenticator
from tugboat.apiserver.auth.user import ANONYMOUS, PRIVILEGED, SCOPE_KEY, UserInfo
from tugboat.apiserver.serving import INSECURE_KEY

BOB = UserInfo("bob", "7")


class Tokens:
    def authenticate_token(self, token: str) -> UserInfo | None:
        return BOB if token == "good" else None


class App:
    def __init__(self) -> None:
        self.scopes: list[dict[str, Any]] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        self.scopes.append(scope)


def http_scope(headers: dict[str, str] | None = None, **extra: Any) -> dict[str, Any]:
    return {"type": "http", "path": "/api/v1/pods", "extensions": {},
            "headers": [(k.encode(), v.encode()) for k, v in (headers or {}).items()], **extra}


async def call(scope: dict[str, Any], anonymous: bool = True) -> tuple[App, list[dict]]:
    app, sent = App(), []

    async def send(message: dict) -> None:
        sent.append(message)

    async def receive() -> dict:
        return {"type": "http.request", "body": b""}

    await authentication_filter(app, Authenticator([], [Tokens()], anonymous))(
        scope, receive, send)
    return app, sent


@pytest.mark.anyio
async def test_a_good_token_reaches_the_app_as_its_user_without_the_header() -> None:
    app, _ = await call(http_scope({"authorization": "Bearer good", "accept": "x"}))
    scope = app.scopes[0]
    assert scope[SCOPE_KEY] == UserInfo("bob", "7", ("system:authenticated",))
    assert scope["headers"] == [(b"accept", b"x")]


@pytest.mark.anyio
async def test_a_bad_token_is_401_with_kubernetes_status() -> None:
    app, sent = await call(http_scope({"authorization": "Bearer bad"}))
    assert not app.scopes
    assert sent[0]["status"] == 401
    assert orjson.loads(sent[1]["body"]) == {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": "Unauthorized", "reason": "Unauthorized", "code": 401}


@pytest.mark.anyio
@pytest.mark.parametrize("header", [None, "Basic dXNlcjpwYXNz", "Bearer", "Bearer "])
async def test_no_bearer_credential_is_anonymous(header: str | None) -> None:
    app, _ = await call(http_scope({"authorization": header} if header else {}))
    assert app.scopes[0][SCOPE_KEY] == ANONYMOUS


@pytest.mark.anyio
async def test_anonymous_disabled_refuses_requests_without_credentials() -> None:
    _, sent = await call(http_scope(), anonymous=False)
    assert sent[0]["status"] == 401


@pytest.mark.anyio
async def test_the_insecure_port_is_privileged_whatever_the_credentials() -> None:
    app, _ = await call(http_scope({"authorization": "Bearer bad"}, **{INSECURE_KEY: True}))
    assert app.scopes[0][SCOPE_KEY] == PRIVILEGED


@pytest.mark.anyio
async def test_a_header_cannot_claim_the_insecure_port() -> None:
    app, _ = await call(http_scope({INSECURE_KEY: "true", "x-forwarded-proto": "http"}))
    assert app.scopes[0][SCOPE_KEY] == ANONYMOUS


def _ws_scope(protocols: list[str]) -> dict[str, Any]:
    return {"type": "websocket", "path": "/api/v1/namespaces/d/pods/p/exec", "headers": [],
            "subprotocols": protocols, "extensions": {"websocket.http.response": {}}}


@pytest.mark.anyio
async def test_websockets_may_carry_the_token_as_a_subprotocol() -> None:
    encoded = base64.urlsafe_b64encode(b"good").decode().rstrip("=")
    app, _ = await call(_ws_scope(["v5.channel.k8s.io",
                                   f"base64url.bearer.authorization.k8s.io.{encoded}"]))
    assert app.scopes[0][SCOPE_KEY].name == "bob"
    assert app.scopes[0]["subprotocols"] == ["v5.channel.k8s.io"]


@pytest.mark.anyio
async def test_a_refused_websocket_gets_an_http_401() -> None:
    encoded = base64.urlsafe_b64encode(b"bad").decode()
    _, sent = await call(_ws_scope([f"base64url.bearer.authorization.k8s.io.{encoded}"]))
    assert sent[0] == {"type": "websocket.http.response.start", "status": 401,
                       "headers": sent[0]["headers"]}


@pytest.mark.anyio
async def test_lifespan_passes_through() -> None:
    app, _ = await call({"type": "lifespan"})
    assert app.scopes == [{"type": "lifespan"}]
