"""YAML bodies: alias expansion and depth are bounded before anything is built, cycles are
refused, and ordinary documents (aliases included) load as plain JSON values."""

from __future__ import annotations

import time

import pytest
import yaml

from tugboat.apiserver.yamldecoding import YAMLBoundError, check_bounds, load_documents

LAUGHS = b"a: &a [" + b",".join([b'"lol"'] * 9) + b"]\n" + b"".join(
    f"{c}: &{c} [{','.join(['*' + p] * 9)}]\n".encode()
    for p, c in zip("abcdefgh", "bcdefghi", strict=True))


def test_billion_laughs_is_refused_quickly() -> None:
    t0 = time.perf_counter()
    with pytest.raises(YAMLBoundError, match="excessive aliasing"):
        load_documents(LAUGHS)
    assert time.perf_counter() - t0 < 0.5


def test_aliases_within_the_allowance_expand() -> None:
    doc = b"base: &b {x: 1, y: [1, 2]}\none: *b\ntwo: *b\n"
    assert load_documents(doc) == [{"base": {"x": 1, "y": [1, 2]}, "one": {"x": 1, "y": [1, 2]},
                                    "two": {"x": 1, "y": [1, 2]}}]


def test_the_allowance_counts_expanded_nodes() -> None:
    doc = b"a: &a [1, 2, 3, 4]\nb: [*a, *a, *a]\n"  # 9 nodes of its own, 15 more through aliases
    check_bounds(doc, min_alias_allowance=15)
    with pytest.raises(YAMLBoundError):
        check_bounds(doc, min_alias_allowance=10)


@pytest.mark.parametrize("doc", [b"- " * 10_000 + b"x", b"a: " + b"[" * 500 + b"]" * 500,
                                 b"".join(b" " * i + b"k:\n" for i in range(2000)) + b" v"])
def test_deep_documents_are_refused(doc: bytes) -> None:
    with pytest.raises((YAMLBoundError, yaml.YAMLError)):
        load_documents(doc)


def test_depth_up_to_the_bound_is_fine() -> None:
    assert load_documents(b"- " * 100 + b"x")
    with pytest.raises(YAMLBoundError, match="max depth of 100"):
        load_documents(b"- " * 101 + b"x")


def test_a_recursive_alias_is_refused() -> None:
    with pytest.raises(YAMLBoundError, match="contains itself"):
        load_documents(b"a: &x [1, *x]")


def test_values_come_out_as_json_would_give_them() -> None:
    assert load_documents(b"1: 2024-01-01\nb: [true, null, 1.5]\n---\nc: d") == [
        {"1": "2024-01-01", "b": [True, None, 1.5]}, {"c": "d"}]
