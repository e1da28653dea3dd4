"""Builders for validation causes, after apimachinery's field.Error: each returns a
StatusCause whose reason and message read exactly as Kubernetes' do (`Required value`,
`Invalid value: "x": detail`, `Unsupported value: "x": supported values: "a", "b"`, ...).

Validators append to a shared `Errors` list rather than concatenating lists, and build
paths as plain strings only where they report something.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel

from tugboat.api.meta import StatusCause

REQUIRED = "FieldValueRequired"
INVALID = "FieldValueInvalid"
NOT_SUPPORTED = "FieldValueNotSupported"
DUPLICATE = "FieldValueDuplicate"
FORBIDDEN = "FieldValueForbidden"
TOO_LONG = "FieldValueTooLong"
NOT_FOUND = "FieldValueNotFound"
TOO_MANY = "FieldValueTooMany"

Errors = list[StatusCause]


def format_value(value: Any) -> str:
    """A bad value as Go's field errors print it: strings quoted, maps as Go maps."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
        inner = ", ".join(f"{json.dumps(k)}:{json.dumps(v)}" for k, v in sorted(value.items()))
        return "map[string]string{" + inner + "}"
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "[]string{" + ", ".join(json.dumps(v) for v in value) + "}"
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json", exclude_none=True)
    return json.dumps(value, separators=(",", ":"), sort_keys=True, default=str)


def _cause(reason: str, field: str, message: str) -> StatusCause:
    return StatusCause(reason=reason, message=message, field=field)


def required(field: str, detail: str = "") -> StatusCause:
    return _cause(REQUIRED, field, f"Required value: {detail}" if detail else "Required value")


def invalid(field: str, value: Any, detail: str = "") -> StatusCause:
    body = f"Invalid value: {format_value(value)}"
    return _cause(INVALID, field, f"{body}: {detail}" if detail else body)


def not_supported(field: str, value: Any, supported: Iterable[str]) -> StatusCause:
    values = ", ".join(json.dumps(v) for v in supported)
    message = f"Unsupported value: {format_value(value)}: supported values: {values}"
    return _cause(NOT_SUPPORTED, field, message)


def duplicate(field: str, value: Any) -> StatusCause:
    return _cause(DUPLICATE, field, f"Duplicate value: {format_value(value)}")


def forbidden(field: str, detail: str) -> StatusCause:
    return _cause(FORBIDDEN, field, f"Forbidden: {detail}")


def too_long(field: str, max_bytes: int) -> StatusCause:
    return _cause(TOO_LONG, field, f"Too long: may not be more than {max_bytes} bytes")


def too_many(field: str, actual: int, limit: int) -> StatusCause:
    return _cause(TOO_MANY, field, f"Too many: {actual}: must have at most {limit} items")


def not_found(field: str, value: Any) -> StatusCause:
    return _cause(NOT_FOUND, field, f"Not found: {format_value(value)}")


def immutable(field: str, value: Any) -> StatusCause:
    return invalid(field, value, "field is immutable")


def nonnegative(value: int | None, field: str, errs: Errors) -> None:
    if value is not None and value < 0:
        errs.append(invalid(field, value, "must be greater than or equal to 0"))


def positive(value: int | None, field: str, errs: Errors) -> None:
    if value is not None and value <= 0:
        errs.append(invalid(field, value, "must be greater than 0"))
