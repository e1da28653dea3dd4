"""The REST client for the Tugboat (Kubernetes) API: client-go's role for our daemons and CLI.

Two clients share every verb: `ApiClient` (async, httpx.AsyncClient — the daemons) and
`SyncApiClient` (httpx.Client — the CLI). Each verb is written once, in `_Verbs`: it builds
a `Request` and hands it to the client's `_send`, which is a coroutine in the async client
and a plain call in the sync one; `decode()` turns every reply into a dict or an ApiError.

Results are the wire dicts. `client.typed` is the same set of verbs returning pydantic
models (`info.model.model_validate(obj)`; lists as `ObjectList`; Status replies as
`meta.Status`):

    pod = await client.get("pods", "web-1", "default")           # dict
    pod = await client.typed.get(PODS, "web-1", "default")       # api.core.Pod
    async for t, obj in client.watch(PODS, resource_version=rv): ...  # (type, dict)

Resources are ResourceInfo rows or names that `resources.resolve` knows ("po", "pods",
"deploy"). A namespaced verb without a namespace uses the body's `metadata.namespace`,
then the client's default namespace; `list` and `watch` without one span all namespaces.
"""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson

from tugboat.api import resources
from tugboat.api.meta import K8sModel, Status
from tugboat.api.resources import ResourceInfo
from tugboat.client.config import DEFAULT_SERVER, ClientConfig
from tugboat.client.errors import ServerUnreachable, error_from_response
from tugboat.client.tls import transport_verify
from tugboat.client.warnings import WarningHandler, response_warnings
from tugboat.client.watch import SyncWatch, Watch, watch_params

JSON = "application/json"
PATCH_CONTENT_TYPES = {
    "merge": "application/merge-patch+json",
    "strategic": "application/strategic-merge-patch+json",
    "json": "application/json-patch+json",
    "apply": "application/apply-patch+yaml",
}

Resource = ResourceInfo | str
Body = Mapping[str, Any] | K8sModel
Selector = str | Mapping[str, str] | None


@dataclass
class Request:
    """One API call, built by a verb and sent by either client."""

    method: str
    path: str
    params: dict[str, str] = field(default_factory=dict)
    body: Any = None
    content_type: str = JSON
    info: ResourceInfo | None = None  # what `typed` validates the reply into; None: a dict

    def content(self) -> bytes | None:
        return None if self.body is None else orjson.dumps(self.body)

    def headers(self) -> dict[str, str]:
        return {"Content-Type": self.content_type} if self.body is not None else {}


@dataclass
class ObjectList:
    """A typed list reply."""

    items: list[Any]
    resource_version: str | None = None
    continue_: str | None = None


def resource_info(resource: Resource) -> ResourceInfo:
    if isinstance(resource, ResourceInfo):
        return resource
    info = resources.resolve(resource)
    if info is None:
        raise ValueError(f'the server doesn\'t have a resource type "{resource}"')
    return info


def selector_string(selector: Selector) -> str | None:
    """"a=b,c=d" from a mapping; strings pass through."""
    if selector is None or isinstance(selector, str):
        return selector or None
    return ",".join(f"{k}={v}" for k, v in selector.items()) or None


def decode(resp: httpx.Response, req: Request, typed: bool = False) -> Any:
    """The reply as a dict (or a model when `typed`); a non-2xx reply raises its ApiError."""
    if resp.status_code >= 300:
        raise error_from_response(resp.status_code, resp.content, resp.reason_phrase)
    obj = orjson.loads(resp.content) if resp.content else {}
    return to_typed(req.info, obj) if typed else obj


def to_typed(info: ResourceInfo | None, obj: dict[str, Any]) -> Any:
    if obj.get("kind") == "Status":
        return Status.model_validate(obj)
    if info is None:
        return obj
    if isinstance(obj.get("items"), list):
        meta = obj.get("metadata") or {}
        return ObjectList([info.model.model_validate(i) for i in obj["items"]],
                          meta.get("resourceVersion"), meta.get("continue"))
    return info.model.model_validate(obj)


def _wire(info: ResourceInfo | None, body: Body) -> dict[str, Any]:
    obj = body.wire() if isinstance(body, K8sModel) else dict(body)
    if info is not None:
        obj.setdefault("apiVersion", info.api_version)
        obj.setdefault("kind", info.kind)
    return obj


def _name_of(body: dict[str, Any]) -> str:
    name = (body.get("metadata") or {}).get("name")
    if not name:
        raise ValueError("the object has no metadata.name")
    return name


def _write_params(dry_run: bool, field_manager: str | None,
                  field_validation: str | None = None) -> dict[str, str]:
    params = {"dryRun": "All"} if dry_run else {}
    if field_manager:
        params["fieldManager"] = field_manager
    if field_validation:
        params["fieldValidation"] = field_validation
    return params


class _Verbs:
    """Every verb once. `_send` is supplied by the client (sync) or coroutine (async)."""

    namespace: str

    def _send(self, req: Request) -> Any:
        raise NotImplementedError

    def _ns(self, info: ResourceInfo, namespace: str | None, body: Mapping[str, Any] | None = None
            ) -> str | None:
        if not info.namespaced:
            return None
        return namespace or ((body or {}).get("metadata") or {}).get("namespace") or self.namespace

    def get(self, resource: Resource, name: str, namespace: str | None = None) -> Any:
        info = resource_info(resource)
        return self._send(Request("GET", info.path(self._ns(info, namespace), name), info=info))

    def list(self, resource: Resource, namespace: str | None = None, *,
             label_selector: Selector = None, field_selector: Selector = None,
             limit: int | None = None, continue_: str | None = None,
             resource_version: str | None = None) -> Any:
        """List one namespace, or all namespaces when `namespace` is None."""
        info = resource_info(resource)
        params = {k: str(v) for k, v in {
            "labelSelector": selector_string(label_selector),
            "fieldSelector": selector_string(field_selector),
            "limit": limit, "continue": continue_, "resourceVersion": resource_version,
        }.items() if v is not None}
        return self._send(Request("GET", info.path(namespace), params, info=info))

    def create(self, resource: Resource, body: Body, namespace: str | None = None, *,
               dry_run: bool = False, field_manager: str | None = None,
               field_validation: str | None = None) -> Any:
        info = resource_info(resource)
        obj = _wire(info, body)
        path = info.path(self._ns(info, namespace, obj))
        params = _write_params(dry_run, field_manager, field_validation)
        return self._send(Request("POST", path, params, obj, info=info))

    def update(self, resource: Resource, body: Body, namespace: str | None = None, *,
               dry_run: bool = False, field_manager: str | None = None,
               field_validation: str | None = None, subresource: str | None = None) -> Any:
        """PUT the whole object; a stale metadata.resourceVersion raises Conflict."""
        info = resource_info(resource)
        obj = _wire(info, body)
        path = info.path(self._ns(info, namespace, obj), _name_of(obj), subresource)
        params = _write_params(dry_run, field_manager, field_validation)
        return self._send(Request("PUT", path, params, obj, info=info))

    def update_status(self, resource: Resource, body: Body, namespace: str | None = None, *,
                      dry_run: bool = False, field_manager: str | None = None) -> Any:
        return self.update(resource, body, namespace, dry_run=dry_run,
                           field_manager=field_manager, subresource="status")

    def patch(self, resource: Resource, name: str, patch: Any, namespace: str | None = None, *,
              patch_type: str = "merge", field_manager: str | None = None,
              force: bool | None = None, dry_run: bool = False,
              field_validation: str | None = None, subresource: str | None = None) -> Any:
        """patch_type: "merge" | "strategic" | "json" | "apply" (apply needs field_manager)."""
        info = resource_info(resource)
        if patch_type not in PATCH_CONTENT_TYPES:
            raise ValueError(f"unknown patch type {patch_type!r}")
        if patch_type == "apply" and not field_manager:
            raise ValueError("an apply patch needs a field_manager")
        params = _write_params(dry_run, field_manager, field_validation)
        if patch_type == "apply" and force is not None:
            params["force"] = "true" if force else "false"
        body = _wire(info, patch) if patch_type == "apply" else _patch_body(patch)
        path = info.path(self._ns(info, namespace), name, subresource)
        return self._send(Request("PATCH", path, params, body, PATCH_CONTENT_TYPES[patch_type],
                                  info=None if subresource == "scale" else info))

    def delete(self, resource: Resource, name: str, namespace: str | None = None, *,
               grace_period_seconds: int | None = None, propagation_policy: str | None = None,
               dry_run: bool = False, preconditions: Mapping[str, str] | None = None) -> Any:
        """Returns the deleted (or deleting) object, or a Status."""
        info = resource_info(resource)
        opts: dict[str, Any] = {"kind": "DeleteOptions", "apiVersion": "v1"}
        for key, value in (("gracePeriodSeconds", grace_period_seconds),
                           ("propagationPolicy", propagation_policy),
                           ("dryRun", ["All"] if dry_run else None),
                           ("preconditions", dict(preconditions) if preconditions else None)):
            if value is not None:
                opts[key] = value
        path = info.path(self._ns(info, namespace), name)
        return self._send(Request("DELETE", path, body=opts, info=info))

    def get_scale(self, resource: Resource, name: str, namespace: str | None = None) -> Any:
        """The autoscaling/v1 Scale of a workload, as a dict."""
        info = resource_info(resource)
        return self._send(Request("GET", info.path(self._ns(info, namespace), name, "scale")))

    def update_scale(self, resource: Resource, name: str, scale: Mapping[str, Any],
                     namespace: str | None = None) -> Any:
        info = resource_info(resource)
        body = {"apiVersion": resources.SCALE_API_VERSION, "kind": "Scale", **scale}
        path = info.path(self._ns(info, namespace), name, "scale")
        return self._send(Request("PUT", path, body=body))

    def patch_scale(self, resource: Resource, name: str, replicas: int,
                    namespace: str | None = None) -> Any:
        """`kubectl scale`: a merge patch of spec.replicas on the scale subresource."""
        return self.patch(resource, name, {"spec": {"replicas": replicas}}, namespace,
                          subresource="scale")

    def bind(self, pod_name: str, node_name: str, namespace: str | None = None, *,
             uid: str | None = None) -> Any:
        """POST pods/{name}/binding: the scheduler's one write. Returns a Status."""
        info = resource_info("pods")
        ns = self._ns(info, namespace)
        meta: dict[str, Any] = {"name": pod_name, "namespace": ns}
        if uid:
            meta["uid"] = uid
        body = {"apiVersion": "v1", "kind": "Binding", "metadata": meta,
                "target": {"apiVersion": "v1", "kind": "Node", "name": node_name}}
        return self._send(Request("POST", info.path(ns, pod_name, "binding"), body=body))

    def create_token(self, service_account: str, namespace: str | None = None, *,
                     audiences: list[str] | None = None, expiration_seconds: int | None = None,
                     bound_object: Mapping[str, str] | None = None) -> Any:
        """POST serviceaccounts/{name}/token (client-go's CreateToken): a TokenRequest
        whose status.token is a bound, expiring token for the service account."""
        info = resource_info("serviceaccounts")
        ns = self._ns(info, namespace)
        spec: dict[str, Any] = {"audiences": list(audiences or [])}
        if expiration_seconds is not None:
            spec["expirationSeconds"] = expiration_seconds
        if bound_object:
            spec["boundObjectRef"] = dict(bound_object)
        body = {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
                "metadata": {"name": service_account, "namespace": ns}, "spec": spec}
        return self._send(Request("POST", info.path(ns, service_account, "token"), body=body))


def _patch_body(patch: Any) -> Any:
    return patch.wire() if isinstance(patch, K8sModel) else patch


def _headers(token: str | None, user_agent: str) -> dict[str, str]:
    headers = {"Accept": JSON, "User-Agent": user_agent}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return headers


class _Client(_Verbs):
    """What both clients hold: the server, default namespace and httpx settings."""

    def __init__(self, server: str = DEFAULT_SERVER, *, token: str | None = None,
                 namespace: str = "default", timeout: float = 30.0,
                 verify: bool | str | ssl.SSLContext = True, user_agent: str = "tugboat",
                 transport: httpx.BaseTransport | httpx.AsyncBaseTransport | None = None,
                 warning_handler: WarningHandler | None = None):
        self.server = server.rstrip("/")
        self.namespace = namespace
        self.warning_handler = warning_handler
        self.http = self._http_class(base_url=self.server, headers=_headers(token, user_agent),
                                     timeout=timeout, verify=verify, transport=transport)
        self.typed = _TypedView(self)

    _http_class: Any = None
    _watch_class: Any = None

    def warn(self, resp: httpx.Response) -> None:
        """Hand the reply's server warnings to the warning handler, if there is one."""
        if self.warning_handler is not None and "warning" in resp.headers:
            for text in response_warnings(resp):
                self.warning_handler(text)

    @classmethod
    def from_config(cls, config: ClientConfig, **kwargs: Any) -> Any:
        """A client for a kubeconfig's current context (see config.load_config): its
        server, token, CA and client certificate (one ssl.SSLContext, see client.tls)."""
        return cls(config.server, token=config.token, namespace=config.namespace,
                   verify=transport_verify(config), **kwargs)

    def watch(self, resource: Resource, namespace: str | None = None, *,
              resource_version: str | None = None, label_selector: Selector = None,
              field_selector: Selector = None, timeout_seconds: int | None = None,
              allow_bookmarks: bool = True, resume: bool = True) -> Any:
        """An iterator of (type, object) — async for ApiClient, plain for SyncApiClient —
        that resumes after the last seen resourceVersion (BOOKMARKs included) when the
        stream ends or drops, unless `resume` is False; an ERROR 410 raises Gone."""
        info = resource_info(resource)
        params = watch_params(label_selector=selector_string(label_selector),
                              field_selector=selector_string(field_selector),
                              timeout_seconds=timeout_seconds, allow_bookmarks=allow_bookmarks)
        return self._watch_class(self.http, self.server, info.path(namespace), params,
                                 resource_version, resume=resume)


class ApiClient(_Client):
    """The async client (httpx.AsyncClient); `await` every verb. Close with `aclose()`."""

    _http_class = httpx.AsyncClient
    _watch_class = Watch

    async def _send(self, req: Request, typed: bool = False) -> Any:
        try:
            resp = await self.http.request(req.method, req.path, params=req.params,
                                           content=req.content(), headers=req.headers())
        except httpx.TransportError as e:
            raise ServerUnreachable(self.server, e) from e
        self.warn(resp)
        return decode(resp, req, typed)

    async def aclose(self) -> None:
        await self.http.aclose()

    async def __aenter__(self) -> ApiClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


class SyncApiClient(_Client):
    """The blocking client (httpx.Client) for the CLI; same verbs, no `await`."""

    _http_class = httpx.Client
    _watch_class = SyncWatch

    def _send(self, req: Request, typed: bool = False) -> Any:
        try:
            resp = self.http.request(req.method, req.path, params=req.params,
                                     content=req.content(), headers=req.headers())
        except httpx.TransportError as e:
            raise ServerUnreachable(self.server, e) from e
        self.warn(resp)
        return decode(resp, req, typed)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> SyncApiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _TypedView(_Verbs):
    """`client.typed`: the same verbs, replies validated into pydantic models."""

    def __init__(self, client: _Client):
        self._client = client

    @property
    def namespace(self) -> str:  # type: ignore[override]
        return self._client.namespace

    def _send(self, req: Request) -> Any:
        return self._client._send(req, typed=True)  # type: ignore[call-arg]
