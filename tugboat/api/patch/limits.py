"""The bounds every patch, and every decoded request body, is held to.

A patch is small but what it makes need not be: a 3 KB JSON patch of repeated `copy`
operations doubles the object with each one (Kubernetes' CVE-2019-1002100). Kubernetes
bounds the operation count (maxJSONPatchOperations) and the bytes `copy` may add
(JSONPatchMaxCopyBytes, its request body limit by default); both are checked before the
work they bound is done. Nesting depth is bounded too: the code that walks objects
recurses, and Python's stack is far shallower than Go's, so a body or a patch result past
MAX_DEPTH is refused rather than left to overflow somewhere later.
"""

from __future__ import annotations

import json
from typing import Any

from tugboat.api.patch.merge import PatchError

MAX_JSON_PATCH_OPERATIONS = 10_000
MAX_COPY_BYTES = 3 * 1024 * 1024
# Kubernetes' own types nest about 15 deep (a pod template's affinity terms); this leaves
# room for what users put in annotations-free places while the walkers stay far from
# Python's recursion limit.
MAX_DEPTH = 100


class PatchTooLarge(PatchError):
    """A patch over a size bound: the apiserver answers 413 RequestEntityTooLarge."""


class MalformedPatch(PatchError):
    """A patch that is not a patch (an operation that is not an object, a field of the wrong
    JSON type): the apiserver answers 400 BadRequest before applying anything."""


def nesting_depth(value: Any, limit: int = MAX_DEPTH) -> int:
    """How deep dicts and lists nest in `value` (a scalar is 0), giving up as soon as the
    count passes `limit` (it then returns limit + 1) — so the walk's own recursion is never
    deeper than limit + 1, whatever it is given."""
    try:
        return _depth(value, 0, limit)
    except _TooDeep:
        return limit + 1


class _TooDeep(Exception):
    pass


_CONTAINERS = (dict, list)


def _depth(node: Any, depth: int, limit: int) -> int:
    if isinstance(node, dict):
        children: Any = node.values()
    elif isinstance(node, list):
        children = node
    else:
        return depth
    depth += 1
    if depth > limit:
        raise _TooDeep
    deepest = depth
    for child in children:
        if isinstance(child, _CONTAINERS):
            deepest = max(deepest, _depth(child, depth, limit))
    return deepest


def encoded_size(value: Any) -> int:
    """The bytes `value` takes as compact JSON: what a `copy` adds to the object."""
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())
