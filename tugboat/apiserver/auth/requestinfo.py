"""Kubernetes' RequestInfoResolver: what a request asks to do, in the terms authorization
speaks — verb, API group, resource, subresource, namespace, name — or, for paths outside
/api and /apis (and the discovery documents under them), a non-resource path with the
lowercased HTTP method as its verb. Kept apart from routing so the authorization filter
can decide before any handler runs."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any
from urllib.parse import parse_qs

from tugboat.apiserver.auth.authorizer import Attributes
from tugboat.apiserver.auth.user import UserInfo, user_of

# Where the attributes of a request are kept once resolved: the audit filter and the
# authorization filter both need them (Kubernetes' WithRequestInfo resolves once too).
SCOPE_KEY = "tugboat.requestinfo"

API_PREFIXES = ("api", "apis")
GROUPLESS_PREFIXES = ("api",)
# Subresources of a namespace (namespaces/{name}/status); anything else after a namespace
# name is a namespaced resource.
NAMESPACE_SUBRESOURCES = ("status", "finalize")
# Streaming subresources whose WebSocket upgrade (a GET) is authorized as "create", as
# Kubernetes does since 1.30: they run commands, so reading must not be enough.
CONNECT_SUBRESOURCES = ("exec", "attach", "portforward")
_METHOD_VERBS = {"POST": "create", "GET": "get", "HEAD": "get", "PUT": "update",
                 "PATCH": "patch", "DELETE": "delete"}


def _truthy(values: list[str]) -> bool:
    return bool(values) and values[0].lower() in ("1", "true")


def _name_from_field_selector(values: list[str]) -> str:
    """list/watch with fieldSelector=metadata.name=x is a request about the object x."""
    for term in (values[0].split(",") if values else ()):
        if "!=" in term:
            continue
        key, _, value = term.replace("==", "=", 1).partition("=")
        if key.strip() == "metadata.name":
            return value.strip()
    return ""


def _non_resource(user: UserInfo, method: str, path: str) -> Attributes:
    return Attributes(user=user, verb=method.lower(), resource_request=False, path=path)


def resolve(user: UserInfo, method: str, path: str, query: str = "",
            websocket: bool = False) -> Attributes:
    """The authorization attributes of `method path?query` made by `user`."""
    method = method.upper()
    parts = [p for p in path.strip("/").split("/") if p]
    if len(parts) < 3 or parts[0] not in API_PREFIXES:
        return _non_resource(user, method, path)
    prefix, parts = parts[0], parts[1:]
    group = ""
    if prefix not in GROUPLESS_PREFIXES:
        if len(parts) < 3:
            return _non_resource(user, method, path)
        group, parts = parts[0], parts[1:]
    version, parts = parts[0], parts[1:]
    params = parse_qs(query, keep_blank_values=True) if query else {}
    verb = _METHOD_VERBS.get(method, method.lower())
    watch_via_path = bool(parts) and parts[0] == "watch"
    if watch_via_path:  # the deprecated /api/v1/watch/... form
        parts = parts[1:]
        verb = "watch"
    namespace = ""
    if parts and parts[0] == "namespaces" and len(parts) > 1:
        namespace = parts[1]
        if len(parts) > 2 and parts[2] not in NAMESPACE_SUBRESOURCES:
            parts = parts[2:]
    resource = parts[0] if parts else ""
    name = parts[1] if len(parts) > 1 else ""
    subresource = parts[2] if len(parts) > 2 else ""
    if not name and verb in ("get", "delete"):
        verb = "deletecollection" if verb == "delete" else "list"
        if _truthy(params.get("watch", [])):
            verb = "watch"
    if verb in ("list", "watch") and not name:
        name = _name_from_field_selector(params.get("fieldSelector", []))
    if websocket and subresource in CONNECT_SUBRESOURCES:
        verb = "create"
    return Attributes(user=user, verb=verb, resource_request=True, path=path,
                      namespace=namespace, api_group=group, api_version=version,
                      resource=resource, subresource=subresource, name=name)


def of_scope(scope: MutableMapping[str, Any]) -> Attributes:
    """The attributes of an http or websocket request, resolved once per request and kept
    in its scope (for the user it carries now: a scope whose user changed is resolved
    again)."""
    user = user_of(scope)
    attrs = scope.get(SCOPE_KEY)
    if attrs is None or attrs.user is not user:
        websocket = scope["type"] == "websocket"
        attrs = resolve(user, "GET" if websocket else scope["method"], scope["path"],
                        scope.get("query_string", b"").decode("latin-1"), websocket)
        scope[SCOPE_KEY] = attrs
    return attrs
