"""Pruning: fields a structural schema does not specify are dropped on the way to storage,
unless `x-kubernetes-preserve-unknown-fields` keeps them. The root's apiVersion, kind and
metadata are the server's, and an `x-kubernetes-embedded-resource` keeps its own type
meta and metadata the same way. Returns the paths it dropped (the unknown-field
warnings)."""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]
_TYPE_META = ("apiVersion", "kind", "metadata")


def prune(obj: Any, schema: Schema | None, *, root: bool = True) -> list[str]:
    dropped: list[str] = []
    _prune(obj, schema or {}, "", root, dropped)
    return dropped


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _prune(obj: Any, schema: Schema, path: str, keep_type_meta: bool,
           dropped: list[str]) -> None:
    if isinstance(obj, dict):
        props = schema.get("properties")
        extra = schema.get("additionalProperties")
        keep_unknown = schema.get("x-kubernetes-preserve-unknown-fields") is True
        embedded = schema.get("x-kubernetes-embedded-resource") is True
        for key in list(obj):
            if (keep_type_meta or embedded) and key in _TYPE_META:
                continue
            sub = (props or {}).get(key)
            if sub is None and isinstance(extra, dict):
                sub = extra
            if sub is None:
                if keep_unknown or extra is True:
                    continue
                del obj[key]
                dropped.append(_join(path, key))
                continue
            _prune(obj[key], sub, _join(path, key), False, dropped)
    elif isinstance(obj, list):
        items = schema.get("items")
        if isinstance(items, dict):
            for i, item in enumerate(obj):
                _prune(item, items, f"{path}[{i}]", False, dropped)
