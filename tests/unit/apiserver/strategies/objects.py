"""Wire objects and resource infos shared by the strategy tests."""

from __future__ import annotations

from typing import Any

from tugboat.api.resources import lookup

Obj = dict[str, Any]
PODS = lookup("", "v1", "pods")
NODES = lookup("", "v1", "nodes")
NAMESPACES = lookup("", "v1", "namespaces")
SERVICES = lookup("", "v1", "services")
CONFIGMAPS = lookup("", "v1", "configmaps")
RCS = lookup("", "v1", "replicationcontrollers")
DEPLOYMENTS = lookup("apps", "v1", "deployments")
JOBS = lookup("batch", "v1", "jobs")


def stored(kind: str, name: str = "x", **parts: Any) -> Obj:
    """A stored object as the registry keeps it: server metadata filled in."""
    meta = {"name": name, "namespace": "default", "uid": "u-1", "resourceVersion": "7",
            "creationTimestamp": "2026-01-01T00:00:00Z", "generation": 1}
    meta.update(parts.pop("metadata", {}))
    return {"apiVersion": "v1", "kind": kind, "metadata": meta, **parts}


def none_stored() -> list[Obj]:
    return []
