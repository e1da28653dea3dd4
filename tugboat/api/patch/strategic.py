"""Strategic merge patch, the body of kubectl's client-side `apply`, `edit` and `patch`.

A JSON merge patch would replace a pod's whole container list to change one image;
Kubernetes instead merges lists of objects item by item, matched on a per-field merge key
(containers by `name`, container ports by `containerPort`, ...), and understands a few
`$`-directives in the patch. This module holds that per-field knowledge as data
(`PATCH_RULES`, keyed by field path and, where one field name means two things, by kind) and
applies patches as k8s.io/apimachinery/pkg/util/strategicpatch does on the server:

- maps merge recursively; `null` deletes a key;
- lists with a merge key merge item by item; `{"$patch": "delete", <key>: v}` removes an item
  and `{"$patch": "replace"}` makes the rest of the patch list the whole list;
- lists of scalars with the merge strategy (finalizers) merge as ordered sets, and
  `$deleteFromPrimitiveList/<field>` removes values from them;
- `$setElementOrder/<field>` orders the merged list, `$retainKeys` drops unlisted keys and
  `{"$patch": "replace"}` / `{"$patch": "delete"}` replace or empty a map;
- every other list is replaced wholesale.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from tugboat.api.patch.merge import PatchError, json_equal

# ---------------------------------------------------------------------------------------------
# Patch metadata: the Go struct tags `patchStrategy` / `patchMergeKey`, written down as data.


@dataclass(frozen=True)
class PatchMeta:
    merge: bool = False  # merge the list (by merge_key, or as a set of scalars) vs replace it
    merge_key: str | None = None  # the field identifying an item of a list of objects
    retain_keys: bool = False  # the client sends $retainKeys for this map (union types)


@dataclass(frozen=True)
class PatchRule:
    """`meta` applies to a field whose path from the object root ends with `suffix` (list
    items add nothing to a path), in objects of `kind` ("*": every kind)."""

    suffix: tuple[str, ...]
    meta: PatchMeta
    kind: str = "*"


REPLACE = PatchMeta()
_BY_NAME = PatchMeta(merge=True, merge_key="name")
_BY_TYPE = PatchMeta(merge=True, merge_key="type")
_BY_IP = PatchMeta(merge=True, merge_key="ip")
_BY_CONTAINER_PORT = PatchMeta(merge=True, merge_key="containerPort")
_SET = PatchMeta(merge=True)
_RETAIN = PatchMeta(retain_keys=True)

PATCH_RULES: tuple[PatchRule, ...] = (
    PatchRule(("containers",), _BY_NAME),
    PatchRule(("initContainers",), _BY_NAME),
    PatchRule(("ephemeralContainers",), _BY_NAME),
    PatchRule(("volumes",), PatchMeta(merge=True, merge_key="name", retain_keys=True)),
    PatchRule(("env",), _BY_NAME),
    PatchRule(("imagePullSecrets",), _BY_NAME),
    PatchRule(("volumeMounts",), PatchMeta(merge=True, merge_key="mountPath")),
    PatchRule(("volumeDevices",), PatchMeta(merge=True, merge_key="devicePath")),
    PatchRule(("hostAliases",), _BY_IP),
    PatchRule(("topologySpreadConstraints",), PatchMeta(merge=True, merge_key="topologyKey")),
    PatchRule(("conditions",), _BY_TYPE),
    # "ports" means container ports inside a container, but service ports in a Service spec;
    # elsewhere (an Endpoints subset) the list is replaced.
    PatchRule(("containers", "ports"), _BY_CONTAINER_PORT),
    PatchRule(("initContainers", "ports"), _BY_CONTAINER_PORT),
    PatchRule(("ephemeralContainers", "ports"), _BY_CONTAINER_PORT),
    PatchRule(("spec", "ports"), PatchMeta(merge=True, merge_key="port"), kind="Service"),
    PatchRule(("metadata", "ownerReferences"), PatchMeta(merge=True, merge_key="uid")),
    PatchRule(("metadata", "finalizers"), _SET),
    PatchRule(("status", "podIPs"), _BY_IP, kind="Pod"),
    PatchRule(("status", "hostIPs"), _BY_IP, kind="Pod"),
    PatchRule(("spec", "taints"), PatchMeta(merge=True, merge_key="key"), kind="Node"),
    PatchRule(("spec", "podCIDRs"), _SET, kind="Node"),
    PatchRule(("status", "addresses"), _BY_TYPE, kind="Node"),
    PatchRule(("spec", "strategy"), _RETAIN, kind="Deployment"),
    PatchRule(("spec", "updateStrategy"), _RETAIN, kind="DaemonSet"),
)


def patch_meta(kind: str | None, path: tuple[str, ...]) -> PatchMeta:
    """The metadata of the field at `path`: the most specific matching rule, else replace."""
    best, best_rank = REPLACE, (-1, False)
    for rule in PATCH_RULES:
        if rule.kind not in ("*", kind) or len(rule.suffix) > len(path):
            continue
        if path[len(path) - len(rule.suffix) :] != rule.suffix:
            continue
        rank = (len(rule.suffix), rule.kind != "*")
        if rank > best_rank:
            best, best_rank = rule.meta, rank
    return best


# ---------------------------------------------------------------------------------------------
# Directive names

DIRECTIVE = "$patch"
RETAIN_KEYS = "$retainKeys"
SET_ELEMENT_ORDER = "$setElementOrder/"
DELETE_FROM_PRIMITIVE_LIST = "$deleteFromPrimitiveList/"


def _field_names(patch: dict[str, Any]) -> list[str]:
    """The fields a patch map touches, directives folded onto the field they are about."""
    names: dict[str, None] = {}
    for key in patch:
        for prefix in (SET_ELEMENT_ORDER, DELETE_FROM_PRIMITIVE_LIST):
            if key.startswith(prefix):
                key = key[len(prefix) :]
                if not key:
                    raise PatchError(f"invalid patch: directive {prefix!r} names no field")
                break
        else:
            if key.startswith("$"):
                continue  # $patch / $retainKeys act on the map itself; unknown ones are noise
        names[key] = None
    return list(names)


def _list_directive(patch: dict[str, Any], prefix: str, name: str) -> list[Any] | None:
    value = patch.get(prefix + name)
    if value is not None and not isinstance(value, list):
        raise PatchError(f"invalid patch: {prefix}{name} must be a list")
    return value


# ---------------------------------------------------------------------------------------------
# List order (normalizeElementOrder): items named by the patch (or its $setElementOrder) take
# that order; items only on the server keep theirs and are interleaved where the server had
# them. Like Kubernetes, an item new to the list lands before server-only items it is not
# ordered against.


def identity(item: Any, key: str | None) -> Any:
    return item.get(key) if key is not None and isinstance(item, dict) else item


def position(items: list[Any], item: Any, key: str | None) -> int:
    wanted = identity(item, key)
    for i, candidate in enumerate(items):
        if json_equal(identity(candidate, key), wanted):
            return i
    return -1


def _is_delete(item: Any) -> bool:
    return isinstance(item, dict) and item.get(DIRECTIVE) == "delete"


def _sorted_by(items: list[Any], order: list[Any], key: str | None) -> list[Any]:
    def rank(item: Any) -> int:
        found = position(order, item, key)
        return found if found >= 0 else len(order)

    kept = sorted((i for i in items if not _is_delete(i)), key=rank)
    return kept + [i for i in items if _is_delete(i)]  # delete directives go last


def normalize_order(
    merged: list[Any], patch_order: list[Any], server_order: list[Any], key: str | None
) -> list[Any]:
    in_patch = [m for m in merged if position(patch_order, m, key) >= 0]
    server_only = [m for m in merged if position(patch_order, m, key) < 0]
    left = _sorted_by(server_only, server_order, key)
    right = _sorted_by(in_patch, patch_order, key)
    out: list[Any] = []
    while left and right:
        li, ri = position(server_order, left[0], key), position(server_order, right[0], key)
        out.append(left.pop(0) if li >= 0 and ri >= 0 and li < ri else right.pop(0))
    return out + left + right


# ---------------------------------------------------------------------------------------------
# Applying a patch


def without_nulls(value: Any) -> Any:
    """A value with every null map entry dropped (nulls only mean "delete" inside a patch)."""
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value]
    return value


def _all_scalars(*lists: list[Any]) -> bool:
    return all(not isinstance(v, dict | list) for items in lists for v in items)


class _Merger:
    """Applies one patch; holds the kind so field rules can tell a Service from a Pod. The
    documents it is handed are private copies, so it updates them in place."""

    def __init__(self, kind: str | None) -> None:
        self.kind = kind

    def merge_map(
        self, original: dict[str, Any], patch: dict[str, Any], path: tuple[str, ...]
    ) -> dict[str, Any]:
        directive = patch.get(DIRECTIVE)
        if directive == "replace":
            rest = {k: v for k, v in patch.items() if k != DIRECTIVE}
            return self.merge_map({}, rest, path)
        if directive == "delete":
            return {}
        if directive is not None:
            raise PatchError(f"unknown patch type: {directive} in map: {patch}")
        self._retain_keys(original, patch)
        for name in _field_names(patch):
            self._merge_field(original, patch, name, path + (name,))
        return original

    @staticmethod
    def _retain_keys(original: dict[str, Any], patch: dict[str, Any]) -> None:
        retain = patch.get(RETAIN_KEYS)
        if retain is None:
            return
        if not isinstance(retain, list):
            raise PatchError("invalid patch: $retainKeys must be a list")
        for key, value in patch.items():
            if value is not None and not key.startswith("$") and key not in retain:
                raise PatchError(f"invalid patch: field {key!r} is not listed in $retainKeys")
        for key in [k for k in original if k not in retain]:
            del original[key]

    def _merge_field(
        self, result: dict[str, Any], patch: dict[str, Any], name: str, path: tuple[str, ...]
    ) -> None:
        if name in patch and patch[name] is None:
            result.pop(name, None)
            return
        current = result.get(name)
        deletions = _list_directive(patch, DELETE_FROM_PRIMITIVE_LIST, name)
        if deletions is not None and isinstance(current, list):
            current = [v for v in current if position(deletions, v, None) < 0]
        order = _list_directive(patch, SET_ELEMENT_ORDER, name)
        if name in patch:
            current = self._merge_value(current, patch[name], order, path)
        elif order is not None and isinstance(current, list):
            key = patch_meta(self.kind, path).merge_key
            current = normalize_order(current, order, current, key)
        if current is not None or name in result:
            result[name] = current

    def _merge_value(
        self, current: Any, value: Any, order: list[Any] | None, path: tuple[str, ...]
    ) -> Any:
        if isinstance(value, dict):
            return self.merge_map(current if isinstance(current, dict) else {}, value, path)
        if isinstance(value, list):
            meta = patch_meta(self.kind, path)
            if not meta.merge:
                return without_nulls(value)
            return self.merge_list(current if isinstance(current, list) else [], value, order, path)
        return value

    def merge_list(
        self, original: list[Any], patch: list[Any], order: list[Any] | None, path: tuple[str, ...]
    ) -> list[Any]:
        key = patch_meta(self.kind, path).merge_key
        if _all_scalars(original, patch):
            merged = original + [v for v in patch if position(original, v, None) < 0]
            merged = [v for i, v in enumerate(merged) if position(merged[:i], v, None) < 0]
            return normalize_order(merged, order if order is not None else patch, original, None)
        if key is None:
            raise PatchError(f"cannot merge lists without merge key for {'.'.join(path)}")
        merged, plain, replaced = self._merge_keyed(original, patch, key, path)
        if replaced:
            return merged if order is None else normalize_order(merged, order, merged, key)
        return normalize_order(merged, order if order is not None else plain, original, key)

    def _merge_keyed(
        self, original: list[Any], patch: list[Any], key: str, path: tuple[str, ...]
    ) -> tuple[list[Any], list[Any], bool]:
        items, plain, replace = list(original), [], False
        for entry in patch:
            _require_key(entry, key)
            directive = entry.get(DIRECTIVE)
            if directive is None:
                plain.append(entry)
            elif directive == "delete":
                items = [i for i in items if not _same_item(i, entry, key)]
            elif directive == "replace":
                replace = True
            elif directive == "merge":
                raise PatchError("merging lists cannot yet be specified in the patch")
            else:
                raise PatchError(f"unknown patch type: {directive} in map: {entry}")
        if replace:
            return [self.merge_map({}, e, path) for e in plain], plain, True
        for entry in plain:
            found = next((i for i, item in enumerate(items) if _same_item(item, entry, key)), None)
            if found is None:
                items.append(self.merge_map({}, entry, path))
            elif not isinstance(items[found], dict):
                raise PatchError(f"list {'.'.join(path)} holds a non-object item")
            else:
                items[found] = self.merge_map(items[found], entry, path)
        return items, plain, False


def _require_key(entry: Any, key: str) -> None:
    if not isinstance(entry, dict):
        raise PatchError(f"list item {entry!r} must be an object")
    if key not in entry and entry.get(DIRECTIVE) != "replace":
        raise PatchError(f"map: {entry} does not contain declared merge key: {key}")


def _same_item(item: Any, entry: dict[str, Any], key: str) -> bool:
    return isinstance(item, dict) and key in item and json_equal(item[key], entry[key])


def strategic_merge_patch(
    target: dict[str, Any], patch: Any, kind: str | None = None
) -> dict[str, Any]:
    """Apply a strategic merge patch to an object's wire dict and return the new object.

    `kind` picks kind-specific merge keys (a Service's `spec.ports` merge by `port`); it
    defaults to the target's own `kind`. Neither argument is modified.
    """
    if not isinstance(patch, dict):
        raise PatchError("a strategic merge patch must be a JSON object")
    if not isinstance(target, dict):
        raise PatchError("the patched document must be a JSON object")
    merger = _Merger(kind or target.get("kind"))
    return merger.merge_map(copy.deepcopy(target), copy.deepcopy(patch), ())
