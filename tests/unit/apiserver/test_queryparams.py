"""Query parameters parsed as Go's strconv does, and ListOptions validated as
apimachinery's ValidateListOptions: 400 for what does not parse, 422 for what conflicts."""

from __future__ import annotations

import pytest
from starlette.datastructures import QueryParams

from tugboat.apiserver import errors, queryparams


def q(**params: str) -> QueryParams:
    return QueryParams(params)


@pytest.mark.parametrize(("value", "want"), [("5", 5), ("-3", -3), ("+7", 7), ("", None),
                                             (str(2**63 - 1), 2**63 - 1)])
def test_int64_parses(value: str, want: int | None) -> None:
    assert queryparams.int64(q(limit=value), "limit") == want


@pytest.mark.parametrize(("value", "why"), [("abc", "invalid syntax"), (" 5", "invalid syntax"),
                                            ("1_000", "invalid syntax"), ("١", "invalid syntax"),
                                            ("1.0", "invalid syntax"),
                                            (str(2**63), "value out of range")])
def test_int64_refuses(value: str, why: str) -> None:
    with pytest.raises(errors.ApiError) as e:
        queryparams.int64(q(limit=value), "limit")
    assert e.value.code == 400
    assert e.value.message == f'strconv.ParseInt: parsing "{value}": {why}'


@pytest.mark.parametrize(("value", "want"), [("1", True), ("true", True), ("True", True),
                                             ("0", False), ("F", False), ("", None)])
def test_boolean(value: str, want: bool | None) -> None:
    assert queryparams.boolean(q(watch=value), "watch") is want


def test_boolean_refuses() -> None:
    with pytest.raises(errors.ApiError) as e:
        queryparams.boolean(q(watch="yes"), "watch")
    assert e.value.message == 'strconv.ParseBool: parsing "yes": invalid syntax'


@pytest.mark.parametrize(("rv", "why"), [("abc", "invalid syntax"), ("-1", "invalid syntax"),
                                         ("²", "invalid syntax"),
                                         (str(2**64), "value out of range")])
def test_resource_version_refuses(rv: str, why: str) -> None:
    with pytest.raises(errors.ApiError) as e:
        queryparams.resource_version(q(resourceVersion=rv))
    assert e.value.code == 400
    assert e.value.message == (f'invalid resource version: resourceVersion: Invalid value: '
                               f'"{rv}": strconv.ParseUint: parsing "{rv}": {why}')


def test_resource_version_accepts() -> None:
    assert queryparams.resource_version(q(resourceVersion="0")) == "0"
    assert queryparams.resource_version(q(resourceVersion=str(2**64 - 1))) == str(2**64 - 1)
    assert queryparams.resource_version(q()) is None


@pytest.mark.parametrize(("params", "watch", "message"), [
    ({"resourceVersionMatch": "Exact"}, False,
     "resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless "
     "resourceVersion is provided"),
    ({"resourceVersionMatch": "Exact", "resourceVersion": "0"}, False,
     'resourceVersionMatch: Forbidden: resourceVersionMatch "exact" is forbidden for '
     'resourceVersion "0"'),
    ({"resourceVersionMatch": "Later", "resourceVersion": "5"}, False,
     'resourceVersionMatch: Unsupported value: "Later": supported values: "Exact", '
     '"NotOlderThan", ""'),
    ({"sendInitialEvents": "true"}, True,
     "resourceVersionMatch: Forbidden: sendInitialEvents requires setting "
     "resourceVersionMatch to NotOlderThan"),
    ({"resourceVersionMatch": "NotOlderThan"}, True,
     "resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden for watch unless "
     "sendInitialEvents is provided"),
])
def test_list_options_refused(params: dict[str, str], watch: bool, message: str) -> None:
    with pytest.raises(errors.ApiError) as e:
        queryparams.validate_list_options(q(**params), watch=watch)
    assert e.value.code == 422 and e.value.reason == "Invalid"
    assert e.value.message == f'ListOptions.meta.k8s.io "" is invalid: {message}'


@pytest.mark.parametrize(("params", "watch"), [
    ({}, False), ({"resourceVersion": "5", "resourceVersionMatch": "NotOlderThan"}, False),
    ({"resourceVersion": "5", "resourceVersionMatch": "Exact"}, False),
    ({"sendInitialEvents": "true", "resourceVersionMatch": "NotOlderThan"}, True),
    ({"resourceVersion": "5"}, True),
])
def test_list_options_accepted(params: dict[str, str], watch: bool) -> None:
    queryparams.validate_list_options(q(**params), watch=watch)


def test_include_object() -> None:
    assert queryparams.include_object(q()) == "Metadata"
    assert queryparams.include_object(q(includeObject="")) == "Metadata"
    assert queryparams.include_object(q(includeObject="None")) == "None"
    with pytest.raises(errors.ApiError) as e:
        queryparams.include_object(q(includeObject="Bogus"))
    assert e.value.code == 422
    assert e.value.message == ('TableOptions.meta.k8s.io "" is invalid: includeObject: Invalid '
                               "value: \"Bogus\": must be 'Metadata', 'Object', 'None', or empty")
