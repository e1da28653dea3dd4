"""What the official Python client makes of an object the server returned: its V1* type
by apiVersion and kind, and deserialization into it (the client checks required fields and
types, so an object Tugboat stored wrong fails here as it would fail a user)."""

from __future__ import annotations

import json
from typing import Any

import kubernetes.client

# Kinds whose client type is not simply <Version><Kind>.
_SPECIAL = {
    ("v1", "Event"): "CoreV1Event",
    ("v1", "EventList"): "CoreV1EventList",
    ("authentication.k8s.io/v1", "TokenRequest"): "AuthenticationV1TokenRequest",
}
# Served by Tugboat, unknown to the client (metrics-server's types are not in it).
_UNTYPED_GROUPS = ("metrics.k8s.io/",)


def type_name(api_version: str, kind: str) -> str | None:
    """The client's model class name for a kind, or None when the client has none."""
    if api_version.startswith(_UNTYPED_GROUPS):
        return None
    group = api_version.rpartition("/")[0]
    if "." in group and not group.endswith(".k8s.io"):  # a custom resource: dicts in the
        return None                                     # client (CustomObjectsApi)
    special = _SPECIAL.get((api_version, kind))
    if special:
        return special
    version = api_version.rsplit("/", 1)[-1]
    return version[:1].upper() + version[1:] + kind


_API = kubernetes.client.ApiClient()


def deserialize(obj: dict[str, Any]) -> str | None:
    """None when the client reads `obj` back; else what went wrong."""
    api_version, kind = obj.get("apiVersion"), obj.get("kind")
    if not isinstance(api_version, str) or not isinstance(kind, str):
        return f"no apiVersion/kind: {str(obj)[:200]}"
    name = type_name(api_version, kind)
    if name is None:
        return None
    if not hasattr(kubernetes.client, name):
        return f"the Python client has no type {name} for {api_version} {kind}"
    try:
        _API.deserialize(json.dumps(obj), name, "application/json")
    except Exception as e:  # the client raises ValueError/TypeError/ApiException alike
        return f"{name}: {type(e).__name__}: {str(e)[:300]}"
    return None
