"""Request building and reply decoding of the REST client, for both the async and the
sync client (they share the verbs, so every case runs against both)."""

from __future__ import annotations

import inspect
from types import SimpleNamespace
from typing import Any

import httpx
import orjson
import pytest

from tugboat.api.meta import Status
from tugboat.api.resources import lookup
from tugboat.client import (
    AlreadyExists,
    ApiClient,
    ApiError,
    BadRequest,
    ClientConfig,
    Conflict,
    Forbidden,
    Gone,
    InternalError,
    Invalid,
    NotFound,
    ObjectList,
    ServerUnreachable,
    ServiceUnavailable,
    SyncApiClient,
    TooManyRequests,
    Unauthorized,
)

SERVER = "http://api.test:8080"
PODS = lookup("", "v1", "pods")
NODES = lookup("", "v1", "nodes")


class Recorder:
    """A MockTransport handler that records requests and answers with one canned reply."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.status = 200
        self.reply: Any = {"kind": "Pod", "apiVersion": "v1", "metadata": {"name": "web"}}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if isinstance(self.reply, bytes):
            return httpx.Response(self.status, content=self.reply)
        return httpx.Response(self.status, json=self.reply)

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]

    @property
    def body(self) -> Any:
        return orjson.loads(self.last.content)

    @property
    def params(self) -> dict[str, str]:
        return dict(self.last.url.params)


@pytest.fixture(params=["async", "sync"])
def api(request: pytest.FixtureRequest) -> SimpleNamespace:
    rec = Recorder()
    cls = ApiClient if request.param == "async" else SyncApiClient
    client = cls(SERVER, token="s3cret", namespace="team", transport=httpx.MockTransport(rec))

    async def call(verb: str, *args: Any, typed: bool = False, **kw: Any) -> Any:
        result = getattr(client.typed if typed else client, verb)(*args, **kw)
        return await result if inspect.isawaitable(result) else result

    return SimpleNamespace(client=client, rec=rec, call=call)


pytestmark = pytest.mark.anyio


async def test_get_builds_path_and_headers(api: SimpleNamespace) -> None:
    obj = await api.call("get", PODS, "web", "default")
    assert obj["metadata"]["name"] == "web"
    req = api.rec.last
    assert req.method == "GET"
    assert req.url.path == "/api/v1/namespaces/default/pods/web"
    assert req.headers["Authorization"] == "Bearer s3cret"
    assert req.headers["Accept"] == "application/json"
    assert "content-type" not in req.headers


async def test_names_resolve_and_namespace_defaults(api: SimpleNamespace) -> None:
    await api.call("get", "po", "web")
    assert api.rec.last.url.path == "/api/v1/namespaces/team/pods/web"
    await api.call("get", "deploy", "app", "prod")
    assert api.rec.last.url.path == "/apis/apps/v1/namespaces/prod/deployments/app"
    await api.call("get", NODES, "n1", "ignored")
    assert api.rec.last.url.path == "/api/v1/nodes/n1"
    with pytest.raises(ValueError, match="widgetz"):
        await api.call("get", "widgetz", "x")


async def test_list_params_and_all_namespaces(api: SimpleNamespace) -> None:
    api.rec.reply = {"kind": "PodList", "metadata": {"resourceVersion": "7"}, "items": []}
    await api.call("list", PODS, "default", label_selector={"app": "web", "tier": "fe"},
                   field_selector="spec.nodeName=n1", limit=500, continue_="tok",
                   resource_version="0")
    assert api.rec.last.url.path == "/api/v1/namespaces/default/pods"
    assert api.rec.params == {"labelSelector": "app=web,tier=fe",
                              "fieldSelector": "spec.nodeName=n1", "limit": "500",
                              "continue": "tok", "resourceVersion": "0"}
    await api.call("list", PODS)
    assert api.rec.last.url.path == "/api/v1/pods"
    assert api.rec.params == {}


async def test_create_defaults_kind_and_uses_body_namespace(api: SimpleNamespace) -> None:
    api.rec.status = 201
    await api.call("create", PODS, {"metadata": {"name": "web", "namespace": "ns1"}},
                   dry_run=True, field_manager="tug", field_validation="Strict")
    req = api.rec.last
    assert (req.method, req.url.path) == ("POST", "/api/v1/namespaces/ns1/pods")
    assert req.headers["Content-Type"] == "application/json"
    assert api.rec.params == {"dryRun": "All", "fieldManager": "tug",
                              "fieldValidation": "Strict"}
    assert api.rec.body == {"metadata": {"name": "web", "namespace": "ns1"},
                            "apiVersion": "v1", "kind": "Pod"}


async def test_update_and_update_status(api: SimpleNamespace, widgets: Any) -> None:
    body = {"metadata": {"name": "w", "resourceVersion": "4"}, "spec": {"size": 1}}
    await api.call("update", widgets, body, "ns1")
    assert (api.rec.last.method, api.rec.last.url.path) == (
        "PUT", "/apis/example.com/v1/namespaces/ns1/widgets/w")
    assert api.rec.body["metadata"]["resourceVersion"] == "4"
    await api.call("update_status", widgets, body, "ns1")
    assert api.rec.last.url.path == "/apis/example.com/v1/namespaces/ns1/widgets/w/status"
    with pytest.raises(ValueError, match="metadata.name"):
        await api.call("update", widgets, {"metadata": {}})


async def test_update_accepts_models(api: SimpleNamespace, widgets: Any) -> None:
    w = widgets.model.model_validate({"metadata": {"name": "w", "namespace": "ns2"}})
    await api.call("update", widgets, w)
    assert api.rec.last.url.path == "/apis/example.com/v1/namespaces/ns2/widgets/w"
    assert api.rec.body == {"apiVersion": "example.com/v1", "kind": "Widget",
                            "metadata": {"name": "w", "namespace": "ns2"}}


@pytest.mark.parametrize(("patch_type", "content_type"), [
    ("merge", "application/merge-patch+json"),
    ("strategic", "application/strategic-merge-patch+json"),
    ("json", "application/json-patch+json"),
])
async def test_patch_content_types(api: SimpleNamespace, patch_type: str,
                                   content_type: str) -> None:
    patch: Any = ([{"op": "replace", "path": "/spec/x", "value": 1}] if patch_type == "json"
                  else {"metadata": {"labels": {"a": "b"}}})
    await api.call("patch", PODS, "web", patch, "default", patch_type=patch_type)
    req = api.rec.last
    assert (req.method, req.url.path) == ("PATCH", "/api/v1/namespaces/default/pods/web")
    assert req.headers["Content-Type"] == content_type
    assert api.rec.body == patch
    assert api.rec.params == {}


async def test_apply_patch(api: SimpleNamespace) -> None:
    await api.call("patch", PODS, "web", {"metadata": {"name": "web"}}, "default",
                   patch_type="apply", field_manager="kubectl", force=True)
    assert api.rec.last.headers["Content-Type"] == "application/apply-patch+yaml"
    assert api.rec.params == {"fieldManager": "kubectl", "force": "true"}
    assert api.rec.body["kind"] == "Pod" and api.rec.body["apiVersion"] == "v1"
    with pytest.raises(ValueError, match="field_manager"):
        await api.call("patch", PODS, "web", {}, patch_type="apply")
    with pytest.raises(ValueError, match="patch type"):
        await api.call("patch", PODS, "web", {}, patch_type="xml")


async def test_delete_sends_delete_options(api: SimpleNamespace) -> None:
    await api.call("delete", PODS, "web", "default", grace_period_seconds=0,
                   propagation_policy="Foreground", dry_run=True,
                   preconditions={"uid": "u1"})
    req = api.rec.last
    assert (req.method, req.url.path) == ("DELETE", "/api/v1/namespaces/default/pods/web")
    assert req.headers["Content-Type"] == "application/json"
    assert api.rec.body == {"kind": "DeleteOptions", "apiVersion": "v1",
                            "gracePeriodSeconds": 0, "propagationPolicy": "Foreground",
                            "dryRun": ["All"], "preconditions": {"uid": "u1"}}


async def test_scale_subresource(api: SimpleNamespace) -> None:
    rc = "replicationcontrollers"
    await api.call("get_scale", rc, "web", "default")
    assert api.rec.last.url.path == "/api/v1/namespaces/default/replicationcontrollers/web/scale"
    await api.call("patch_scale", rc, "web", 3, "default")
    assert api.rec.last.method == "PATCH"
    assert api.rec.last.headers["Content-Type"] == "application/merge-patch+json"
    assert api.rec.body == {"spec": {"replicas": 3}}
    await api.call("update_scale", rc, "web", {"metadata": {"name": "web"},
                                                "spec": {"replicas": 2}}, "default")
    assert api.rec.last.method == "PUT"
    assert api.rec.body["kind"] == "Scale" and api.rec.body["apiVersion"] == "autoscaling/v1"


async def test_bind_posts_binding(api: SimpleNamespace) -> None:
    api.rec.status, api.rec.reply = 201, {"kind": "Status", "status": "Success", "code": 201}
    await api.call("bind", "web", "node-1", "default", uid="u1")
    req = api.rec.last
    assert (req.method, req.url.path) == ("POST", "/api/v1/namespaces/default/pods/web/binding")
    assert api.rec.body == {"apiVersion": "v1", "kind": "Binding",
                            "metadata": {"name": "web", "namespace": "default", "uid": "u1"},
                            "target": {"apiVersion": "v1", "kind": "Node", "name": "node-1"}}


async def test_typed_view(api: SimpleNamespace, widgets: Any) -> None:
    api.rec.reply = {"kind": "Widget", "metadata": {"name": "w", "namespace": "a"},
                     "spec": {"size": 2}}
    w = await api.call("get", widgets, "w", "a", typed=True)
    assert isinstance(w, widgets.model) and w.spec == {"size": 2}
    assert api.rec.last.url.path == "/apis/example.com/v1/namespaces/a/widgets/w"
    api.rec.reply = {"kind": "WidgetList", "metadata": {"resourceVersion": "9", "continue": "c"},
                     "items": [{"metadata": {"name": "x"}}]}
    lst = await api.call("list", widgets, typed=True)
    assert isinstance(lst, ObjectList)
    assert (lst.resource_version, lst.continue_) == ("9", "c")
    assert lst.items[0].metadata.name == "x"
    api.rec.reply = {"kind": "Status", "apiVersion": "v1", "status": "Success"}
    status = await api.call("delete", widgets, "w", "a", typed=True)
    assert isinstance(status, Status) and status.status == "Success"


@pytest.mark.parametrize(("code", "reason", "exc"), [
    (400, "BadRequest", BadRequest), (401, "Unauthorized", Unauthorized),
    (403, "Forbidden", Forbidden), (404, "NotFound", NotFound),
    (409, "AlreadyExists", AlreadyExists), (409, "Conflict", Conflict),
    (410, "Expired", Gone), (422, "Invalid", Invalid),
    (429, "TooManyRequests", TooManyRequests), (500, "InternalError", InternalError),
    (503, "ServiceUnavailable", ServiceUnavailable), (502, "", InternalError),
    (418, "Teapot", ApiError),
])
async def test_status_errors_decode(api: SimpleNamespace, code: int, reason: str,
                                    exc: type[ApiError]) -> None:
    api.rec.status = code
    api.rec.reply = {"kind": "Status", "apiVersion": "v1", "status": "Failure",
                     "message": f'pods "web" {reason}', "reason": reason, "code": code}
    with pytest.raises(exc) as info:
        await api.call("get", PODS, "web")
    assert type(info.value) is exc
    assert (info.value.code, info.value.reason) == (code, reason)
    assert info.value.message == f'pods "web" {reason}'
    assert isinstance(info.value.status, Status)


async def test_invalid_carries_causes(api: SimpleNamespace) -> None:
    api.rec.status = 422
    api.rec.reply = {"kind": "Status", "code": 422, "reason": "Invalid", "message": "bad",
                     "details": {"causes": [{"field": "spec.containers", "reason": "Required"}]}}
    with pytest.raises(Invalid) as info:
        await api.call("create", PODS, {"metadata": {"name": "x"}})
    assert [c.field for c in info.value.causes] == ["spec.containers"]


async def test_non_status_error_body(api: SimpleNamespace) -> None:
    api.rec.status, api.rec.reply = 404, b"<html>no such page</html>"
    with pytest.raises(NotFound) as info:
        await api.call("get", PODS, "web")
    assert info.value.code == 404 and "no such page" in info.value.message
    api.rec.status, api.rec.reply = 409, b""
    with pytest.raises(Conflict) as conflict:
        await api.call("get", PODS, "web")
    assert conflict.value.reason == "Conflict"


@pytest.mark.parametrize("mode", ["async", "sync"])
async def test_unreachable_server_is_named(mode: str) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused")

    cls = ApiClient if mode == "async" else SyncApiClient
    client = cls("http://10.9.9.9:6443", transport=httpx.MockTransport(refuse))
    with pytest.raises(ServerUnreachable, match=r"http://10\.9\.9\.9:6443.*refused"):
        result = client.get(PODS, "web")
        await result if inspect.isawaitable(result) else result


async def test_no_token_no_authorization_header() -> None:
    rec = Recorder()
    async with ApiClient(SERVER, transport=httpx.MockTransport(rec)) as client:
        await client.get(PODS, "web", "default")
    assert "authorization" not in rec.last.headers


async def test_client_from_config() -> None:
    rec = Recorder()
    config = ClientConfig(server="http://cfg.test:1/", token="tok", namespace="ns9")
    async with ApiClient.from_config(config, transport=httpx.MockTransport(rec)) as client:
        await client.get("pods", "web")
    assert str(rec.last.url) == "http://cfg.test:1/api/v1/namespaces/ns9/pods/web"
    assert rec.last.headers["Authorization"] == "Bearer tok"
