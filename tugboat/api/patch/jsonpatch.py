"""JSON patch (RFC 6902) with JSON pointers (RFC 6901).

`application/json-patch+json` is what the Python client sends for list bodies and what
`kubectl patch --type=json` sends. The operations apply in order to a private copy of the
target, so a failing operation leaves nothing half-done; every failure is a PatchError naming
the operation and the pointer, which the apiserver returns as a 422.

The bounds of limits.py hold before any work: at most MAX_JSON_PATCH_OPERATIONS operations,
each checked for shape up front (MalformedPatch, a 400), and the bytes `copy` adds counted
before each copy is made, so an amplifying patch stops at the limit rather than after
growing the object (Kubernetes' AccumulatedCopySizeLimit).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

from tugboat.api.patch.limits import (
    MAX_COPY_BYTES,
    MAX_DEPTH,
    MAX_JSON_PATCH_OPERATIONS,
    MalformedPatch,
    PatchTooLarge,
    encoded_size,
    nesting_depth,
)
from tugboat.api.patch.merge import PatchError, json_equal

_INDEX_RE = re.compile(r"^(0|[1-9][0-9]*)$")


def parse_pointer(pointer: Any) -> list[str]:
    """Split a JSON pointer into its reference tokens, undoing `~1` (/) and `~0` (~)."""
    if not isinstance(pointer, str):
        raise PatchError(f"invalid JSON pointer {pointer!r}: must be a string")
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise PatchError(f'invalid JSON pointer "{pointer}": must start with "/"')
    if re.search(r"~(?![01])", pointer):
        raise PatchError(f'invalid JSON pointer "{pointer}": "~" must be followed by 0 or 1')
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]


def _array_index(token: str, length: int, *, allow_end: bool) -> int:
    if allow_end and token == "-":
        return length
    if not _INDEX_RE.match(token):
        raise PatchError(f'invalid array index "{token}"')
    index = int(token)
    limit = length if allow_end else length - 1
    if index > limit:
        raise PatchError(f"array index {index} out of bounds (length {length})")
    return index


def _child(container: Any, token: str) -> Any:
    if isinstance(container, dict):
        if token not in container:
            raise PatchError(f'key "{token}" not found')
        return container[token]
    if isinstance(container, list):
        return container[_array_index(token, len(container), allow_end=False)]
    raise PatchError(f'cannot look up "{token}" in a scalar value')


def _get(doc: Any, tokens: list[str]) -> Any:
    for token in tokens:
        doc = _child(doc, token)
    return doc


def _parent(doc: Any, tokens: list[str]) -> tuple[Any, str]:
    return _get(doc, tokens[:-1]), tokens[-1]


# ---------------------------------------------------------------------------------------------
# The six operations. Each takes the (privately owned) document and returns the new one:
# most update it in place, but an operation on the root ("" pointer) replaces it.


def _add(doc: Any, tokens: list[str], value: Any) -> Any:
    if not tokens:
        return value
    parent, last = _parent(doc, tokens)
    if isinstance(parent, dict):
        parent[last] = value
    elif isinstance(parent, list):
        parent.insert(_array_index(last, len(parent), allow_end=True), value)
    else:
        raise PatchError(f'cannot add "{last}" to a scalar value')
    return doc


def _remove(doc: Any, tokens: list[str]) -> Any:
    if not tokens:
        raise PatchError("cannot remove the whole document")
    parent, last = _parent(doc, tokens)
    _child(parent, last)  # raises when the target is missing
    if isinstance(parent, dict):
        del parent[last]
    else:
        del parent[_array_index(last, len(parent), allow_end=False)]
    return doc


def _replace(doc: Any, tokens: list[str], value: Any) -> Any:
    if not tokens:
        return value
    parent, last = _parent(doc, tokens)
    _child(parent, last)  # the target must exist, unlike for "add"
    if isinstance(parent, dict):
        parent[last] = value
    else:
        parent[_array_index(last, len(parent), allow_end=False)] = value
    return doc


def _move(doc: Any, source: list[str], tokens: list[str]) -> Any:
    if source == tokens:
        _get(doc, source)
        return doc
    if tokens[: len(source)] == source:
        raise PatchError('"from" must not be a prefix of "path": cannot move a value into itself')
    value = _get(doc, source)
    return _add(_remove(doc, source), tokens, value)


class _CopyBudget:
    """The bytes `copy` operations may still add to the document."""

    def __init__(self, limit: int) -> None:
        self.limit, self.used = limit, 0

    def spend(self, value: Any) -> None:
        self.used += encoded_size(value)
        if self.used > self.limit:
            raise PatchError(f"Unable to complete the copy, the accumulated size increase of "
                             f"copy is {self.used}, exceeding the limit {self.limit}")


def _copy(doc: Any, source: list[str], tokens: list[str], budget: _CopyBudget) -> Any:
    value = _get(doc, source)
    budget.spend(value)  # before the copy is made: the point is never to grow past the bound
    return _add(doc, tokens, copy.deepcopy(value))


def _test(doc: Any, tokens: list[str], value: Any) -> Any:
    if not json_equal(_get(doc, tokens), value):
        raise PatchError("test failed: value differs")
    return doc


_Apply = Callable[[Any, dict[str, Any], _CopyBudget], Any]

_OPERATIONS: dict[str, _Apply] = {
    "add": lambda doc, op, _: _add(doc, parse_pointer(op["path"]), _value(op)),
    "remove": lambda doc, op, _: _remove(doc, parse_pointer(op["path"])),
    "replace": lambda doc, op, _: _replace(doc, parse_pointer(op["path"]), _value(op)),
    "move": lambda doc, op, _: _move(doc, _from(op), parse_pointer(op["path"])),
    "copy": lambda doc, op, budget: _copy(doc, _from(op), parse_pointer(op["path"]), budget),
    "test": lambda doc, op, _: _test(doc, parse_pointer(op["path"]), _value(op)),
}


def _value(op: dict[str, Any]) -> Any:
    if "value" not in op:
        raise PatchError('missing "value"')
    return copy.deepcopy(op["value"])


def _from(op: dict[str, Any]) -> list[str]:
    if "from" not in op:
        raise PatchError('missing "from"')
    return parse_pointer(op["from"])


_JSON_TYPES = {dict: "object", list: "array", str: "string", bool: "boolean", int: "number",
               float: "number", type(None): "null"}


def _json_type(value: Any) -> str:
    return _JSON_TYPES.get(type(value), type(value).__name__)


def check_operations(ops: Any) -> list[dict[str, Any]]:
    """The patch's shape, before any of it applies: a list of at most
    MAX_JSON_PATCH_OPERATIONS objects whose "op", "path" and "from" are strings."""
    if not isinstance(ops, list):
        raise MalformedPatch(f"a json patch must be a list of operations, not {_json_type(ops)}")
    if len(ops) > MAX_JSON_PATCH_OPERATIONS:
        raise PatchTooLarge(f"The allowed maximum operations in a JSON patch is "
                            f"{MAX_JSON_PATCH_OPERATIONS}, got {len(ops)}")
    for index, op in enumerate(ops):
        if not isinstance(op, dict):
            raise MalformedPatch(f"json patch operation {index}: must be an object, not "
                                 f"{_json_type(op)}")
        for field in ("op", "path", "from"):
            if field in op and not isinstance(op[field], str):
                raise MalformedPatch(f'json patch operation {index}: "{field}" must be a '
                                     f"string, not {_json_type(op[field])}")
    return ops


def _apply_operation(doc: Any, op: dict[str, Any], index: int, budget: _CopyBudget) -> Any:
    name = op.get("op")
    if name not in _OPERATIONS:
        raise PatchError(f"json patch operation {index}: unknown op {name!r}")
    if "path" not in op:
        raise PatchError(f'json patch operation {index} ({name}): missing "path"')
    try:
        return _OPERATIONS[name](doc, op, budget)
    except PatchError as err:
        raise PatchError(f"json patch operation {index} ({name} {op['path']}): {err}") from None


def json_patch(target: Any, ops: Any) -> Any:
    """Apply RFC 6902 operations in order; returns a new document, `target` is untouched."""
    check_operations(ops)
    budget = _CopyBudget(MAX_COPY_BYTES)
    doc = copy.deepcopy(target)
    try:
        for index, op in enumerate(ops):
            doc = _apply_operation(doc, op, index, budget)
    except RecursionError:  # `move`s can deepen the document one level per operation
        raise PatchError(f"the patched object nests deeper than {MAX_DEPTH} levels") from None
    if nesting_depth(doc) > MAX_DEPTH:
        raise PatchError(f"the patched object nests deeper than {MAX_DEPTH} levels")
    return doc
