"""JSON merge patch (RFC 7386), plus the error type and JSON equality all patch kinds share.

`application/merge-patch+json` is what `kubectl scale` and `kubectl patch --type=merge`
send. Functions here treat documents as JSON values (dict, list, str, int, float, bool,
None) and never mutate what they are given: the apiserver patches objects that its watch
cache still holds.
"""

from __future__ import annotations

import copy
from typing import Any


class PatchError(ValueError):
    """A patch that cannot be applied; the apiserver answers 422 (or 400 for a bad body)."""


def json_equal(a: Any, b: Any) -> bool:
    """Equality of JSON values: unlike Python's ==, `true` is not `1` and 1 equals 1.0."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    return type(a) is type(b) and a == b


def json_merge_patch(target: Any, patch: Any) -> Any:
    """Apply an RFC 7386 merge patch: objects merge key by key, `null` removes a key, and
    anything else (lists included) replaces the target value. Returns a new document."""
    return _merge_owned(copy.deepcopy(target), patch)


def _merge_owned(target: Any, patch: Any) -> Any:
    # `target` is already a private copy, so it may be updated in place.
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = target if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = _merge_owned(result.get(key), value)
    return result
