"""PodLogOptions from a query string (Go's booleans and integers, RFC 3339 sinceTime) and
ValidatePodLogOptions' rules and messages."""

from __future__ import annotations

import pytest

from tugboat.api.podlogoptions import PodLogOptions
from tugboat.api.validation.podlogoptions import validate_pod_log_options


def test_query_decodes_every_option() -> None:
    opts = PodLogOptions.from_query({
        "container": "main", "follow": "true", "previous": "1", "timestamps": "True",
        "sinceSeconds": "60", "tailLines": "5", "limitBytes": "100"})
    assert opts == PodLogOptions(container="main", follow=True, previous=True,
                                 timestamps=True, sinceSeconds=60, tailLines=5,
                                 limitBytes=100)
    assert opts.query() == {"container": "main", "follow": "true", "previous": "true",
                            "timestamps": "true", "sinceSeconds": "60", "tailLines": "5",
                            "limitBytes": "100"}
    assert PodLogOptions.from_query({"follow": "false", "tailLines": ""}).query() == {}


@pytest.mark.parametrize(("query", "word"), [
    ({"follow": "yes"}, "ParseBool"),
    ({"tailLines": "ten"}, "ParseInt"),
    ({"limitBytes": "1.5"}, "ParseInt"),
    ({"sinceTime": "yesterday"}, "parsing time"),
])
def test_undecodable_options(query: dict[str, str], word: str) -> None:
    with pytest.raises(ValueError, match=word):
        PodLogOptions.from_query(query)


def test_since() -> None:
    assert PodLogOptions().since(1000.0) is None
    assert PodLogOptions(sinceSeconds=10).since(1000.0) == 990.0
    opts = PodLogOptions.from_query({"sinceTime": "1970-01-01T00:16:40Z"})
    assert opts.since(5000.0) == 1000.0


@pytest.mark.parametrize(("opts", "want"), [
    (PodLogOptions(tailLines=-1),
     {"tailLines": "Invalid value: -1: must be greater than or equal to 0"}),
    (PodLogOptions(limitBytes=0), {"limitBytes": "Invalid value: 0: must be greater than 0"}),
    (PodLogOptions(sinceSeconds=0),
     {"sinceSeconds": "Invalid value: 0: must be greater than 0"}),
    (PodLogOptions(sinceSeconds=5, sinceTime="2025-01-01T00:00:00Z"),
     {"": "Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified"}),
    (PodLogOptions(tailLines=0, limitBytes=1, sinceSeconds=1), {}),
])
def test_validation(opts: PodLogOptions, want: dict[str, str]) -> None:
    assert {c.field: c.message for c in validate_pod_log_options(opts)} == want
