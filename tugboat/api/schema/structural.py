"""Is a CRD version's openAPIV3Schema structural? The apiextensions-apiserver serves only
schemas where every level says its type (or is int-or-string / preserve-unknown-fields),
with no $ref and no properties beside additionalProperties, and whose defaults and
patterns make sense. Returns Kubernetes' field errors under the schema's own path."""

from __future__ import annotations

import re
from typing import Any

from tugboat.api.meta import StatusCause
from tugboat.api.validation import fielderrors as fe

Schema = dict[str, Any]
TYPES = ("object", "array", "string", "integer", "number", "boolean")


def check(schema: Any, path: str) -> list[StatusCause]:
    errs: list[StatusCause] = []
    if not isinstance(schema, dict):
        return [fe.required(path, "")]
    if schema.get("type") != "object":
        errs.append(fe.invalid(f"{path}.type", schema.get("type", ""),
                               'must be object at the root'))
    _check(schema, path, errs)
    return errs


def _check(s: Schema, path: str, errs: list[StatusCause]) -> None:
    if "$ref" in s:
        errs.append(fe.forbidden(f"{path}.$ref", "$ref is not supported"))
    t = s.get("type")
    open_ = s.get("x-kubernetes-int-or-string") or s.get("x-kubernetes-preserve-unknown-fields")
    if not t and not open_:
        errs.append(fe.required(f"{path}.type", "must not be empty for specified object "
                                "fields"))
    elif t and t not in TYPES:
        errs.append(fe.not_supported(f"{path}.type", t, TYPES))
    if s.get("properties") and isinstance(s.get("additionalProperties"), dict):
        errs.append(fe.forbidden(f"{path}.additionalProperties",
                                 "additionalProperties and properties are mutual exclusive"))
    if t == "array" and not isinstance(s.get("items"), dict):
        errs.append(fe.required(f"{path}.items", "must be specified"))
    if (p := s.get("pattern")) is not None:
        try:
            re.compile(p)
        except (re.error, TypeError):
            errs.append(fe.invalid(f"{path}.pattern", p, "must be a valid regular expression"))
    if s.get("x-kubernetes-list-type") == "map" and not s.get("x-kubernetes-list-map-keys"):
        errs.append(fe.required(f"{path}.x-kubernetes-list-map-keys",
                                'must not be empty if x-kubernetes-list-type is "map"'))
    for key, sub in (s.get("properties") or {}).items():
        if isinstance(sub, dict):
            _check(sub, f"{path}.properties[{key}]", errs)
        else:
            errs.append(fe.invalid(f"{path}.properties[{key}]", sub, "must be a schema"))
    if isinstance(s.get("items"), dict):
        _check(s["items"], f"{path}.items", errs)
    if isinstance(s.get("additionalProperties"), dict):
        _check(s["additionalProperties"], f"{path}.additionalProperties", errs)
