"""The bounds patches are held to: operation count, bytes added by `copy` (counted before
the copy is made), the shape of each operation, and nesting depth."""

from __future__ import annotations

from typing import Any

import pytest

from tugboat.api import patch as patchlib
from tugboat.api.patch import (
    MAX_COPY_BYTES,
    MAX_DEPTH,
    MalformedPatch,
    PatchError,
    PatchTooLarge,
    json_patch,
    nesting_depth,
)


def test_ten_thousand_operations_are_allowed_one_more_is_too_large() -> None:
    op = {"op": "test", "path": "/a", "value": 1}
    assert json_patch({"a": 1}, [op] * 10_000) == {"a": 1}
    with pytest.raises(PatchTooLarge, match="maximum operations in a JSON patch is 10000, got "
                                            "10001"):
        json_patch({"a": 1}, [op] * 10_001)


def test_doubling_copies_stop_at_the_copy_limit_before_growing_past_it() -> None:
    doc = {"data": {"blob": "x" * 1000}}
    ops = [{"op": "copy", "from": "/data", "path": f"/data/d{i}"} for i in range(64)]
    with pytest.raises(PatchError, match=f"exceeding the limit {MAX_COPY_BYTES}") as e:
        json_patch(doc, ops)
    assert not isinstance(e.value, PatchTooLarge)  # Kubernetes answers this one 422
    assert doc == {"data": {"blob": "x" * 1000}}  # the target is untouched


def test_copies_within_the_limit_apply() -> None:
    ops = [{"op": "copy", "from": "/a", "path": f"/b{i}"} for i in range(3)]
    assert json_patch({"a": [1, 2]}, ops) == {"a": [1, 2], "b0": [1, 2], "b1": [1, 2],
                                              "b2": [1, 2]}


@pytest.mark.parametrize("ops", [
    {"op": "add"}, "add", [1], [None], [["op"]],
    [{"op": ["add"], "path": "/a", "value": 1}], [{"op": {"x": 1}, "path": "/a"}],
    [{"op": "add", "path": 3, "value": 1}], [{"op": "copy", "from": [], "path": "/a"}],
], ids=repr)
def test_malformed_patches_are_refused_before_anything_applies(ops: Any) -> None:
    with pytest.raises(MalformedPatch):
        json_patch({"a": 1}, ops)


def test_malformed_is_found_even_after_valid_operations() -> None:
    ops = [{"op": "add", "path": "/b", "value": 2}] * 5 + [7]
    with pytest.raises(MalformedPatch, match="operation 5"):
        patchlib.check_operations(ops)


def test_moves_that_nest_past_the_depth_bound_are_refused() -> None:
    ops: list[dict[str, Any]] = []
    for _ in range(MAX_DEPTH + 5):
        ops += [{"op": "add", "path": "/t", "value": {}},
                {"op": "move", "from": "/d", "path": "/t/d"},
                {"op": "move", "from": "/t", "path": "/d"}]
    with pytest.raises(PatchError, match="deeper than"):
        json_patch({"d": 1}, ops)


def test_nesting_depth() -> None:
    assert nesting_depth(1) == 0
    assert nesting_depth({}) == 1
    assert nesting_depth({"a": [{"b": 1}], "c": 2}) == 3
    deep: Any = 1
    for _ in range(50_000):
        deep = [deep]
    assert nesting_depth(deep) == MAX_DEPTH + 1  # gives up without recursing 50,000 deep
    assert nesting_depth(deep, limit=10) == 11
