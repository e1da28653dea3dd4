"""Request bodies → objects: JSON or YAML by content type, the patch types, typed decoding
through the api models (422 with a cause per bad field), unknown-field detection for the
Warning header and `fieldValidation=Strict`. Every body is held to the bounds first: its
size (already enforced while it was read, by requestbody), YAML's alias expansion and
nesting (yamldecoding), and the nesting depth of whatever was decoded."""

from __future__ import annotations

import re
from typing import Any

import orjson
import pydantic
import yaml

from tugboat.api import validation
from tugboat.api.meta import StatusCause
from tugboat.api.patch import MAX_DEPTH, nesting_depth
from tugboat.api.resources import ResourceInfo
from tugboat.apiserver import errors, protobuf, yamldecoding
from tugboat.apiserver.requestbody import MAX_REQUEST_BODY_BYTES

PATCH_TYPES = {
    "application/json-patch+json": "json",
    "application/merge-patch+json": "merge",
    "application/strategic-merge-patch+json": "strategic",
    "application/apply-patch+yaml": "apply",
    "application/apply-patch+json": "apply",
}

_RESOURCE_VERSION = re.compile(r"[0-9]+")
_MAX_UINT64 = 2**64 - 1


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";")[0].strip().lower()


def is_resource_version(value: str) -> bool:
    """A resourceVersion Kubernetes' storage can parse: a decimal uint64 (strconv.ParseUint),
    so no sign, no spaces, no digits of other scripts."""
    return bool(_RESOURCE_VERSION.fullmatch(value)) and int(value) <= _MAX_UINT64


# What a body may be sent as (kube-apiserver's serializers), no Content-Type meaning the first.
BODY_MEDIA_TYPES = ("application/json", "application/yaml", protobuf.MEDIA_TYPE)
_JSON_TYPES = frozenset(("", "application/json", "application/json-patch+json",
                         "application/merge-patch+json", "application/strategic-merge-patch+json"))
_YAML_TYPES = frozenset(("application/yaml", "application/apply-patch+yaml",
                         "application/apply-patch+json"))  # JSON is YAML


def unsupported_body_type() -> errors.ApiError:
    return errors.ApiError(415, "UnsupportedMediaType", f"the body of the request was in an "
                           f"unknown format - accepted media types include: "
                           f"{', '.join(BODY_MEDIA_TYPES)}")


def parse_body(raw: bytes, content_type: str | None) -> Any:
    """JSON, YAML or protobuf by the content type (415 for any other); 400 with the parser's
    complaint when the body does not parse."""
    if len(raw) > MAX_REQUEST_BODY_BYTES:  # bodies not read through the middleware
        raise errors.too_large(MAX_REQUEST_BODY_BYTES)
    mt = media_type(content_type)
    if mt == protobuf.MEDIA_TYPE:  # kubectl's typed clients (auth whoami, can-i, create token)
        return _bounded(protobuf.decode(raw), "protobuf")
    if mt not in _JSON_TYPES and mt not in _YAML_TYPES:
        raise unsupported_body_type()
    if not raw.strip():
        raise errors.bad_request("the request body is empty")
    if mt in _YAML_TYPES:
        try:
            docs = yamldecoding.load_documents(raw)
        except (yaml.YAMLError, yamldecoding.YAMLBoundError, orjson.JSONEncodeError) as e:
            raise errors.bad_request(f"error decoding YAML: {e}") from None
        if len(docs) != 1:
            raise errors.bad_request("the request body must hold exactly one YAML document")
        return docs[0]  # its depth was bounded before it was built
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as e:
        raise errors.bad_request(f"error decoding JSON: {e}") from None
    # A body with fewer brackets than the bound cannot nest past it (most bodies: a count
    # in C is far cheaper than the walk).
    if raw.count(b"{") + raw.count(b"[") > MAX_DEPTH:
        _bounded(body, "JSON")
    return body


def _bounded(body: Any, what: str) -> Any:
    if nesting_depth(body) > MAX_DEPTH:
        raise errors.bad_request(f"error decoding {what}: exceeded max depth of {MAX_DEPTH}")
    return body


def parse_object(raw: bytes, content_type: str | None) -> dict[str, Any]:
    body = parse_body(raw, content_type)
    if not isinstance(body, dict):
        raise errors.bad_request(
            f"the request body must be a JSON object, not {type(body).__name__}")
    return body


def check_type_meta(info: ResourceInfo, body: dict[str, Any], *, kind: str | None = None,
                    api_version: str | None = None, apply: bool = False) -> None:
    """Default kind/apiVersion from the URL (the Python client may omit them) and reject a
    body that names another kind or version (another served version of the same kind
    too: an autoscaling/v2 body at an autoscaling/v1 URL is a 400, as in Kubernetes, whose
    messages these are; an apply's is the field manager's)."""
    kind = kind or info.kind
    api_version = api_version or info.api_version
    got_kind = body.setdefault("kind", kind)
    got_av = body.setdefault("apiVersion", api_version)
    if got_kind != kind:  # transformDecodeError: the decoded kind converts to no other
        version = got_av.rpartition("/")[2] if isinstance(got_av, str) else got_av
        raise errors.bad_request(
            f'{got_kind} in version "{version}" cannot be handled as a {kind}: the kind in '
            f"the data does not match the request path ({api_version}, {kind})")
    if got_av != api_version:  # the create and update handlers' AcceptsGroupVersion
        raise errors.bad_request(
            f"Incorrect version specified in apply patch. Specified patch version: {got_av}, "
            f"expected: {api_version}" if apply else
            f"the API version in the data ({got_av}) does not match the expected API version "
            f"({api_version})")


def decode(info: ResourceInfo, body: dict[str, Any], name: str | None = None) -> Any:
    """Type-check a wire dict into the resource's model: 422 naming each bad field."""
    if not isinstance(body.get("metadata", {}), dict):
        raise errors.invalid(info, name, [StatusCause(
            reason="FieldValueInvalid", field="metadata",
            message="Invalid value: metadata must be an object")])
    try:
        return info.model.model_validate(body)
    except pydantic.ValidationError as e:
        nm = name or (body.get("metadata") or {}).get("name")
        raise errors.invalid(info, nm if isinstance(nm, str) else None,  # a number: 422 too
                             validation.causes_from_pydantic(e)) from None


def unknown_fields(given: Any, known: Any, path: str = "") -> list[str]:
    """Paths present in the request but absent from the decoded object's wire form: the
    fields Kubernetes would drop as unknown."""
    out: list[str] = []
    _unknown_fields(given, known, path, out)
    return out


def _unknown_fields(given: Any, known: Any, path: str, out: list[str]) -> None:
    # Runs on every write over the whole body: a subtree equal to its wire form (most of
    # them; C compares it) and scalars are skipped without a call or a path string.
    if isinstance(given, dict):
        if not isinstance(known, dict):
            return
        for k, v in given.items():
            if k not in known:
                if v is not None:
                    out.append(f"{path}.{k}" if path else k)
                continue
            kv = known[k]
            if isinstance(v, (dict, list)) and v != kv:
                _unknown_fields(v, kv, f"{path}.{k}" if path else k, out)
    elif isinstance(given, list) and isinstance(known, list):
        for i, (g, k) in enumerate(zip(given, known, strict=False)):
            if isinstance(g, (dict, list)) and g != k:
                _unknown_fields(g, k, f"{path}[{i}]", out)


def field_validation_outcome(mode: str | None, unknown: list[str]) -> list[str]:
    """Warnings to send, or a 400 under Strict (Kubernetes' strict decoding error)."""
    if not unknown or mode == "Ignore":
        return []
    if mode == "Strict":
        msg = ", ".join(f'unknown field "{u}"' for u in unknown)
        raise errors.bad_request(f"strict decoding error: {msg}")
    return [f'unknown field "{u}"' for u in unknown]
