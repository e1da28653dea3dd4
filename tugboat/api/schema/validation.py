"""Validation of an object by its structural schema, with the field errors the
apiextensions-apiserver sends (kube-openapi's validator converted by
ConvertToFieldErrors): `spec.replicas: Invalid value: "string": spec.replicas in body must
be of type integer: "string"`, `Required value`, `Unsupported value`, `Too long`, `Too
many`, `Duplicate value`. The root's apiVersion, kind and metadata are checked by the
server, not by the schema."""

from __future__ import annotations

import re
from typing import Any

from tugboat.api.meta import StatusCause
from tugboat.api.validation import fielderrors as fe

Schema = dict[str, Any]
TYPE_INVALID = "FieldValueTypeInvalid"
_TYPE_META = ("apiVersion", "kind", "metadata")


def type_of(value: Any) -> str:
    """A JSON value's type as kube-openapi names it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _is_type(value: Any, type_: str) -> bool:
    actual = type_of(value)
    if type_ == "number":
        return actual in ("integer", "number")
    if type_ == "integer":
        return actual == "integer" or (actual == "number" and float(value).is_integer())
    return actual == type_


def _type_invalid(path: str, value: Any, expected: str) -> StatusCause:
    actual = type_of(value)
    return StatusCause(reason=TYPE_INVALID, field=path,
                       message=f'Invalid value: "{actual}": {path} in body must be of type '
                               f'{expected}: "{actual}"')


def _invalid(path: str, value: Any, detail: str) -> StatusCause:
    return fe.invalid(path, value, f"{path} in body {detail}")


def validate(obj: Any, schema: Schema | None) -> list[StatusCause]:
    """The causes that make `obj` (a whole custom object) invalid under `schema`."""
    errs: list[StatusCause] = []
    if schema:
        _validate(obj, schema, "", errs, root=True)
    return errs


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _validate(value: Any, s: Schema, path: str, errs: list[StatusCause],
              root: bool = False) -> None:
    if value is None:
        if s.get("nullable") or root:
            return
        if s.get("type") or s.get("x-kubernetes-int-or-string"):
            errs.append(_type_invalid(path, value, s.get("type") or "integer,string"))
        return
    if s.get("x-kubernetes-int-or-string"):
        if type_of(value) not in ("integer", "string"):
            errs.append(_type_invalid(path, value, "integer,string"))
            return
    elif (t := s.get("type")) and not _is_type(value, t):
        errs.append(_type_invalid(path, value, t))
        return
    if "enum" in s and isinstance(s["enum"], list) and value not in s["enum"]:
        errs.append(fe.not_supported(path, value, [v if isinstance(v, str) else str(v)
                                                   for v in s["enum"]]))
    if isinstance(value, str):
        _string(value, s, path, errs)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        _number(value, s, path, errs)
    elif isinstance(value, list):
        _array(value, s, path, errs)
    elif isinstance(value, dict):
        _object(value, s, path, errs, root)


def _string(value: str, s: Schema, path: str, errs: list[StatusCause]) -> None:
    if (n := s.get("maxLength")) is not None and len(value) > n:
        errs.append(fe.too_long(path, n))
    if (n := s.get("minLength")) is not None and len(value) < n:
        errs.append(_invalid(path, value, f"should be at least {n} chars long"))
    if (p := s.get("pattern")) is not None:
        try:
            ok = re.search(p, value) is not None
        except re.error:
            ok = True  # the CRD's validation refuses a pattern that does not compile
        if not ok:
            errs.append(_invalid(path, value, f"should match '{p}'"))


def _number(value: float, s: Schema, path: str, errs: list[StatusCause]) -> None:
    if (m := s.get("maximum")) is not None:
        if s.get("exclusiveMaximum") and value >= m:
            errs.append(_invalid(path, value, f"should be less than {m}"))
        elif value > m:
            errs.append(_invalid(path, value, f"should be less than or equal to {m}"))
    if (m := s.get("minimum")) is not None:
        if s.get("exclusiveMinimum") and value <= m:
            errs.append(_invalid(path, value, f"should be greater than {m}"))
        elif value < m:
            errs.append(_invalid(path, value, f"should be greater than or equal to {m}"))
    if (m := s.get("multipleOf")) and value % m:
        errs.append(_invalid(path, value, f"should be a multiple of {m}"))


def _array(value: list[Any], s: Schema, path: str, errs: list[StatusCause]) -> None:
    if (n := s.get("maxItems")) is not None and len(value) > n:
        errs.append(fe.too_many(path, len(value), n))
    if (n := s.get("minItems")) is not None and len(value) < n:
        errs.append(_invalid(path, value, f"should have at least {n} items"))
    items = s.get("items")
    if isinstance(items, dict):
        for i, item in enumerate(value):
            _validate(item, items, f"{path}[{i}]", errs)
    list_type = s.get("x-kubernetes-list-type")
    if list_type == "set" or s.get("uniqueItems"):
        seen: list[Any] = []
        for i, item in enumerate(value):
            if item in seen:
                errs.append(fe.duplicate(f"{path}[{i}]", item))
            else:
                seen.append(item)
    elif list_type == "map":
        keys = s.get("x-kubernetes-list-map-keys") or []
        seen_keys: list[tuple[Any, ...]] = []
        for i, item in enumerate(value):
            if not isinstance(item, dict):
                continue
            key = tuple(item.get(k) for k in keys)
            if key in seen_keys:
                errs.append(fe.duplicate(f"{path}[{i}]", {k: item.get(k) for k in keys}))
            else:
                seen_keys.append(key)


def _object(value: dict[str, Any], s: Schema, path: str, errs: list[StatusCause],
            root: bool) -> None:
    for req in s.get("required") or []:
        if req not in value or (value[req] is None and not root):
            errs.append(fe.required(_join(path, req), ""))
    if (n := s.get("maxProperties")) is not None and len(value) > n:
        errs.append(fe.too_many(path, len(value), n))
    if (n := s.get("minProperties")) is not None and len(value) < n:
        errs.append(_invalid(path, value, f"should have at least {n} properties"))
    props = s.get("properties") or {}
    extra = s.get("additionalProperties")
    embedded = s.get("x-kubernetes-embedded-resource") is True
    for key, item in value.items():
        if root and key in _TYPE_META:
            continue
        sub = props.get(key)
        if sub is None and isinstance(extra, dict):
            sub = extra
        if isinstance(sub, dict):
            _validate(item, sub, _join(path, key), errs)
    if embedded:
        for key in ("apiVersion", "kind"):
            if not value.get(key):
                errs.append(fe.required(_join(path, key), "must not be empty"))
