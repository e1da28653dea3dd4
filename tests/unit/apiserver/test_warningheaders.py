"""Warning headers are legal HTTP whatever the warning text holds: quoted as Go's
strconv.Quote, deduplicated, and truncated past Kubernetes' 4 KiB budget."""

from __future__ import annotations

import re

import pytest

from tugboat.apiserver.warningheaders import ITEM_MAX_RUNES, quote, warning_values

# RFC 9110 field-value: visible ASCII, space, tab and obs-text; never CR, LF or NUL.
LEGAL = re.compile(rb"[\t\x20-\x7e\x80-\xff]*")


@pytest.mark.parametrize(("text", "quoted"), [
    ("plain", '"plain"'),
    ('a"b\\c', '"a\\"b\\\\c"'),
    ("\r\n\t\x00\x1b\x7f", '"\\r\\n\\t\\x00\\x1b\\x7f"'),
    ("\u2028\u2029\u200b\ufeff", '"\\u2028\\u2029\\u200b\\ufeff"'),
    ("é中😀", '"é中😀"'),
    ("\U000e0001", '"\\U000e0001"'),
])
def test_quote_as_go_does(text: str, quoted: str) -> None:
    assert quote(text) == quoted


@pytest.mark.parametrize("text", ["ctl\x01", "line\u2028", "crlf\r\nX-Evil: 1", "nul\x00",
                                  "lone\ud800surrogate", "é中😀", '"\\'])
def test_every_value_is_a_legal_header(text: str) -> None:
    [value] = warning_values([f'unknown field "{text}"'])
    assert value.startswith(b'299 - "unknown field ')
    assert LEGAL.fullmatch(value), value
    value.decode("utf-8")  # printable non-ASCII travels as UTF-8, like Go's header


def test_duplicates_and_empty_texts_are_dropped() -> None:
    assert warning_values(["a", "", "b", "a"]) == [b'299 - "a"', b'299 - "b"']


def test_past_the_budget_each_is_truncated_and_the_rest_dropped() -> None:
    values = warning_values([f"{i:02d}" + "w" * 1000 for i in range(40)])
    assert len(values) == 16  # 16 x 256 runes fill the 4 KiB budget
    assert all(len(v) == len(b'299 - ""') + ITEM_MAX_RUNES for v in values)


def test_within_the_budget_nothing_is_truncated() -> None:
    assert warning_values(["x" * 1000]) == [b'299 - "' + b"x" * 1000 + b'"']
