"""How each field of an object merges under server-side apply: Kubernetes' list types
(`x-kubernetes-list-type` atomic / set / map with its `x-kubernetes-list-map-keys`) and
atomic structs and maps (`+structType=atomic`, `+mapType=atomic`).

Kubernetes derives list types from the same Go tags as strategic merge patch (a merge key
makes an associative list, `patchStrategy: merge` on scalars a set, anything else is
atomic), so they come from api/patch/strategic's rules; only what the strategic rules do
not say is written here: the lists keyed by more than their merge key (a container port is
`containerPort` + `protocol`), the keys' defaults, and which objects are atomic.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from tugboat.api.patch.strategic import patch_meta


@dataclass(frozen=True)
class ListType:
    kind: str  # "atomic" | "set" | "map"
    keys: tuple[str, ...] = ()


ATOMIC = ListType("atomic")
SET = ListType("set")

# Associative lists whose identity is more than the strategic merge key.
_MAP_KEYS: dict[tuple[str, ...], tuple[str, ...]] = {
    ("containers", "ports"): ("containerPort", "protocol"),
    ("initContainers", "ports"): ("containerPort", "protocol"),
    ("ephemeralContainers", "ports"): ("containerPort", "protocol"),
    ("topologySpreadConstraints",): ("topologyKey", "whenUnsatisfiable"),
}
_SERVICE_PORT_KEYS = ("port", "protocol")
# A key field the item leaves out takes its schema default (the OpenAPI `default`).
KEY_DEFAULTS: dict[str, Any] = {"protocol": "TCP"}

# Objects owned as one value (structType/mapType=atomic): a label selector, a Service's
# selector, a node selector term's requirements, an owner reference.
_ATOMIC_FIELDS = frozenset({"selector", "labelSelector", "namespaceSelector",
                            "requiredDuringSchedulingIgnoredDuringExecution", "roleRef",
                            "ownerReferences"})

# Fields that Go holds by value (never nil): a create compares against an empty object in
# which they already exist, so their own path is never "added" — only their contents are.
# (A pointer field, or any map or list, is added with the node itself as a member: ".".)
VALUE_STRUCTS = frozenset({"metadata", "spec", "status", "template", "strategy",
                           "updateStrategy", "resources", "jobTemplate", "scaleTargetRef",
                           "containers"})


@lru_cache(maxsize=4096)
def list_type(kind: str | None, path: tuple[str, ...]) -> ListType:
    """The list type of the list field at `path` (field names from the object's root)."""
    if path[-2:] == ("spec", "ports") and kind == "Service":
        return ListType("map", _SERVICE_PORT_KEYS)
    if path[-1:] == ("ownerReferences",):
        return ListType("map", ("uid",))
    meta = patch_meta(kind, path)
    if not meta.merge:
        return ATOMIC
    if meta.merge_key is None:
        return SET
    for suffix, keys in _MAP_KEYS.items():
        if path[-len(suffix):] == suffix:
            return ListType("map", keys)
    return ListType("map", (meta.merge_key,))


def atomic_map(path: tuple[str, ...]) -> bool:
    """Whether the object at `path` is owned whole (`f:selector: {}`), not per field. An
    owner reference is an item of a list, whose path ends in the list's name."""
    return bool(path) and path[-1] in _ATOMIC_FIELDS


def key_fields(lt: ListType, item: Any) -> dict[str, Any] | None:
    """The key fields of an associative list's item (defaults filled in), None when it
    lacks one."""
    if not isinstance(item, dict):
        return None
    out = {}
    for k in lt.keys:
        v = item.get(k, KEY_DEFAULTS.get(k))
        if v is None:
            if len(lt.keys) > 1 and k not in KEY_DEFAULTS:
                continue  # an optional key (topologySpreadConstraints' whenUnsatisfiable)
            return None
        out[k] = v
    return out or None
