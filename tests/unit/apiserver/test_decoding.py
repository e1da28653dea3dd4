"""Request bodies: parsed by media type (415 for an unknown one), nesting bounded whatever
the format, YAML bounded before it is built."""

from __future__ import annotations

import pytest

from tugboat.apiserver import decoding, errors


def nested(depth: int) -> bytes:
    return b'{"a":' * (depth - 1) + b"{}" + b"}" * (depth - 1)


def status(raw: bytes, ctype: str | None) -> tuple[int, str]:
    with pytest.raises(errors.ApiError) as e:
        decoding.parse_body(raw, ctype)
    return e.value.code, e.value.message


def test_json_nesting_up_to_the_bound_parses() -> None:
    assert decoding.parse_body(nested(100), "application/json")


@pytest.mark.parametrize("raw", [nested(101), b"[" * 5000 + b"]" * 5000])
def test_json_nesting_past_the_bound_is_a_bad_request(raw: bytes) -> None:
    code, message = status(raw, "application/json")
    assert code == 400 and "depth" in message, message


def test_many_brackets_but_shallow_is_fine() -> None:
    raw = b"[" + b",".join([b"{}"] * 1000) + b"]"
    assert len(decoding.parse_body(raw, None)) == 1000


@pytest.mark.parametrize("ctype", ["application/json", "application/json; charset=utf-8",
                                   None, "APPLICATION/JSON", "application/merge-patch+json"])
def test_json_media_types(ctype: str | None) -> None:
    assert decoding.parse_body(b'{"a":1}', ctype) == {"a": 1}


def test_yaml_is_application_yaml() -> None:
    assert decoding.parse_body(b"a: 1", "application/yaml") == {"a": 1}
    assert status(b"a: 1", "application/x-yaml")[0] == 415


@pytest.mark.parametrize("ctype", ["text/plain", "image/webp", "text/json", "multipart/form-data"])
def test_other_media_types_are_unsupported(ctype: str) -> None:
    code, message = status(b'{"a":1}', ctype)
    assert code == 415
    assert message.endswith("application/json, application/yaml, "
                            "application/vnd.kubernetes.protobuf")


def test_yaml_bounds_are_bad_requests() -> None:
    assert status(b"- " * 200 + b"x", "application/yaml") == (
        400, "error decoding YAML: exceeded max depth of 100")
    assert status(b"a: &a [1, *a]", "application/yaml")[0] == 400


@pytest.mark.parametrize(("rv", "ok"), [("1", True), ("0", True), (str(2**64 - 1), True),
                                        (str(2**64), False), ("-1", False), ("٣", False),
                                        ("+1", False), ("", False)])
def test_is_resource_version(rv: str, ok: bool) -> None:
    assert decoding.is_resource_version(rv) is ok
