"""Defaulting by a structural schema: a property absent from an object (or null where the
schema is not nullable) takes its schema's `default`, applied from the leaves' parents
down, so a defaulted object is then defaulted inside — as the apiextensions-apiserver's
structural defaulting does on create, update and read."""

from __future__ import annotations

import copy
from typing import Any

Schema = dict[str, Any]


def apply_defaults(obj: Any, schema: Schema | None) -> None:
    if not schema:
        return
    if isinstance(obj, dict):
        props = schema.get("properties") or {}
        for key, sub in props.items():
            if not isinstance(sub, dict):
                continue
            if "default" in sub and (key not in obj or (obj[key] is None
                                                        and not sub.get("nullable"))):
                obj[key] = copy.deepcopy(sub["default"])
        for key, value in obj.items():
            sub = props.get(key)
            if sub is None and isinstance(schema.get("additionalProperties"), dict):
                sub = schema["additionalProperties"]
            if isinstance(sub, dict):
                apply_defaults(value, sub)
    elif isinstance(obj, list) and isinstance(schema.get("items"), dict):
        for item in obj:
            apply_defaults(item, schema["items"])
