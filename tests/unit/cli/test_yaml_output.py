"""`-o yaml` quotes strings as kubectl (Go's yaml) does, so tug's and kubectl's output of
the same object compare equal line for line."""

from __future__ import annotations

from tugboat.cli.printers.objects import dump_yaml


def test_strings_that_read_as_other_types_are_double_quoted() -> None:
    out = dump_yaml({"count": "1", "empty": "", "when": "2026-12-07T10:42:51Z",
                     "flag": "yes", "short": "y", "exp": "1e3", "none": "null"})
    assert out == ('count: "1"\nempty: ""\nexp: "1e3"\nflag: "yes"\nnone: "null"\n'
                   'short: "y"\nwhen: "2026-12-07T10:42:51Z"\n')


def test_strings_only_yaml_syntax_forbids_bare_are_single_quoted() -> None:
    out = dump_yaml({"a": "x: y", "b": "*** (before)", "c": "plain", "d": "10.0.0.1",
                     "e": "it's"})
    assert out == "a: 'x: y'\nb: '*** (before)'\nc: plain\nd: 10.0.0.1\ne: it's\n"
