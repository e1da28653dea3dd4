"""The Secret strategy's stringData fold: merged into base64 data, winning on a shared key,
gone from the body; malformed stringData left for the decoder to name."""

from __future__ import annotations

import base64

import pytest

from tugboat.apiserver.strategies.secrets import fold_string_data


def b64(s: str) -> str:
    return base64.b64encode(s.encode()).decode()


def test_string_data_wins_and_disappears() -> None:
    body = {"data": {"a": b64("old"), "b": b64("keep")}, "stringData": {"a": "new", "ü": "ö"}}
    fold_string_data(body)
    assert body == {"data": {"a": b64("new"), "b": b64("keep"), "ü": b64("ö")}}


def test_null_string_data_is_dropped() -> None:
    body = {"stringData": None}
    fold_string_data(body)
    assert body == {}


@pytest.mark.parametrize("body", [
    {"stringData": ["a"]},
    {"stringData": {"a": 1}},
    {"stringData": {"a": "x"}, "data": "nope"},
])
def test_malformed_is_left_alone(body: dict) -> None:
    before = dict(body)
    fold_string_data(body)
    assert body == before
