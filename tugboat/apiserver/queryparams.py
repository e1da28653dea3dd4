"""Query parameters read as kube-apiserver's parameter codec reads them, strictly.

Go's strconv decides what a number or a boolean is (no spaces, no `1_000`, no digits of
other scripts, 64-bit range), and a value it cannot parse is a 400 with its message —
never silently ignored, never a 500 further in. ListOptions are then validated as
apimachinery's ValidateListOptions does (a 422 naming the ListOptions field)."""

from __future__ import annotations

import re
from typing import Any

from tugboat.api.meta import StatusCause, StatusDetails
from tugboat.apiserver import errors
from tugboat.apiserver.decoding import is_resource_version

_INT = re.compile(r"[+-]?[0-9]+")
_INT64 = (-(2**63), 2**63 - 1)
_TRUE = ("1", "t", "T", "TRUE", "true", "True")
_FALSE = ("0", "f", "F", "FALSE", "false", "False")
NOT_OLDER_THAN, EXACT = "NotOlderThan", "Exact"
INCLUDE_OBJECT = ("Metadata", "Object", "None")


def int64(q: Any, name: str) -> int | None:
    """An int64 parameter (`limit`, `timeoutSeconds`, `gracePeriodSeconds`); absent or
    empty is None."""
    v = q.get(name)
    if v is None or v == "":
        return None
    if not _INT.fullmatch(v):
        raise errors.bad_request(f'strconv.ParseInt: parsing "{v}": invalid syntax')
    n = int(v)
    if not _INT64[0] <= n <= _INT64[1]:
        raise errors.bad_request(f'strconv.ParseInt: parsing "{v}": value out of range')
    return n


def boolean(q: Any, name: str) -> bool | None:
    """A bool parameter (`watch`, `allowWatchBookmarks`, `sendInitialEvents`)."""
    v = q.get(name)
    if v is None or v == "":
        return None
    if v in _TRUE:
        return True
    if v in _FALSE:
        return False
    raise errors.bad_request(f'strconv.ParseBool: parsing "{v}": invalid syntax')


def resource_version(q: Any) -> str | None:
    """`resourceVersion`, which Kubernetes' storage parses as a uint64: `abc` and `-1` are
    a 400 (its "invalid resource version" BadRequest), not "any version"."""
    rv = q.get("resourceVersion")
    if not rv:
        return None
    if not is_resource_version(rv):
        reason = "value out of range" if rv.isascii() and rv.isdigit() else "invalid syntax"
        raise errors.bad_request(f'invalid resource version: resourceVersion: Invalid value: '
                                 f'"{rv}": strconv.ParseUint: parsing "{rv}": {reason}')
    return rv


def validate_list_options(q: Any, *, watch: bool) -> None:
    """apimachinery's ValidateListOptions (and, for a watch, validateWatchOptions)."""
    rv, match = q.get("resourceVersion") or "", q.get("resourceVersionMatch") or ""
    cont = q.get("continue") or ""
    causes: list[tuple[str, str]] = []

    def forbidden(message: str) -> None:
        causes.append(("FieldValueForbidden", f"Forbidden: {message}"))

    if watch:
        initial = boolean(q, "sendInitialEvents")
        if initial is not None and match != NOT_OLDER_THAN:
            forbidden(f"sendInitialEvents requires setting resourceVersionMatch to "
                      f"{NOT_OLDER_THAN}")
        if match:
            if initial is None:
                forbidden("resourceVersionMatch is forbidden for watch unless "
                          "sendInitialEvents is provided")
            if match != NOT_OLDER_THAN:
                causes.append(("FieldValueNotSupported", f'Unsupported value: "{match}": '
                               f'supported values: "{NOT_OLDER_THAN}"'))
            if cont:
                forbidden("resourceVersionMatch is forbidden when continue is provided")
    elif match:
        if not rv:
            forbidden("resourceVersionMatch is forbidden unless resourceVersion is provided")
        if cont:
            forbidden("resourceVersionMatch is forbidden when continue is provided")
        if match == EXACT and rv == "0":
            forbidden('resourceVersionMatch "exact" is forbidden for resourceVersion "0"')
        elif match not in (EXACT, NOT_OLDER_THAN):
            causes.append(("FieldValueNotSupported", f'Unsupported value: "{match}": supported '
                           f'values: "{EXACT}", "{NOT_OLDER_THAN}", ""'))
    if causes:
        raise _invalid_list_options(causes)


def include_object(q: Any) -> str:
    """A Table's `includeObject` (ValidateTableOptions); empty means Metadata."""
    v = q.get("includeObject") or "Metadata"
    if v not in INCLUDE_OBJECT:
        raise _invalid("TableOptions", "includeObject", [(
            "FieldValueInvalid",
            f"Invalid value: \"{v}\": must be 'Metadata', 'Object', 'None', or empty")])
    return v


def _invalid_list_options(causes: list[tuple[str, str]]) -> errors.ApiError:
    return _invalid("ListOptions", "resourceVersionMatch", causes)


def _invalid(kind: str, field: str, causes: list[tuple[str, str]]) -> errors.ApiError:
    summary = ", ".join(f"{field}: {message}" for _, message in causes)
    if len(causes) > 1:
        summary = f"[{summary}]"
    details = StatusDetails(group="meta.k8s.io", kind=kind, causes=[
        StatusCause(reason=reason, field=field, message=message) for reason, message in causes])
    return errors.ApiError(422, "Invalid", f'{kind}.meta.k8s.io "" is invalid: {summary}',
                           details)
