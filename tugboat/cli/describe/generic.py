"""Describe pages with little structure: Namespace, ConfigMap, Secret (sizes only, never
values), and kubectl's generic page for everything else — the object's fields, sorted,
under smart-cased titles (`holderIdentity` → `Holder Identity`)."""

from __future__ import annotations

import base64
import re
from typing import Any

from tugboat.cli.describe.writer import PrefixWriter, annotations_multiline, labels_multiline
from tugboat.cli.session import Session

Obj = dict[str, Any]
ACRONYMS = {"API", "URL", "UID", "OSB", "GUID"}
SKIP = {".metadata.managedFields", ".metadata.name", ".metadata.namespace",
        ".metadata.labels", ".metadata.annotations"}


def smart_label(field: str) -> str:
    if any(not (ch.isalpha() or ch == "-") for ch in field):
        return field
    parts = re.findall(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|-", field)
    words = [p.upper() if p.upper() in ACRONYMS else p[:1].upper() + p[1:] for p in parts]
    return " ".join(words)


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "<nil>" if value is None else str(value)


def unstructured(w: PrefixWriter, level: int, content: Obj, prefix: str = "") -> None:
    for field in sorted(content):
        value, path = content[field], f"{prefix}.{field}"
        if path in SKIP:
            continue
        if isinstance(value, dict):
            w.write(level, f"{smart_label(field)}:\n")
            unstructured(w, level + 1, value, path)
        elif isinstance(value, list):
            w.write(level, f"{smart_label(field)}:\n")
            for child in value:
                if isinstance(child, dict):
                    unstructured(w, level + 1, child, path)
                else:
                    w.write(level + 1, f"{_scalar(child)}\n")
        else:
            w.write(level, f"{smart_label(field)}:\t{_scalar(value)}\n")


def _identity(w: PrefixWriter, obj: Obj, namespaced: bool = True) -> None:
    meta = obj.get("metadata") or {}
    w.write(0, f"Name:\t{meta.get('name')}\n")
    if namespaced:
        w.write(0, f"Namespace:\t{meta.get('namespace') or ''}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))


def describe_generic(session: Session, w: PrefixWriter, obj: Obj) -> None:
    _identity(w, obj)
    unstructured(w, 0, obj)


def describe_namespace(session: Session, w: PrefixWriter, obj: Obj) -> None:
    _identity(w, obj, namespaced=False)
    w.write(0, f"Status:\t{(obj.get('status') or {}).get('phase') or 'Active'}\n")


def describe_config_map(session: Session, w: PrefixWriter, obj: Obj) -> None:
    _identity(w, obj)
    w.write(0, "\nData\n====\n")
    for key, value in sorted((obj.get("data") or {}).items()):
        w.write(0, f"{key}:\n----\n{value}\n\n")
    w.write(0, "\nBinaryData\n====\n")
    for key, value in sorted((obj.get("binaryData") or {}).items()):
        w.write(0, f"{key}: {len(base64.b64decode(value or ''))} bytes\n")
    w.write(0, "\n")


def describe_secret(session: Session, w: PrefixWriter, obj: Obj) -> None:
    _identity(w, obj)
    w.write(0, f"\nType:\t{obj.get('type') or 'Opaque'}\n")
    w.write(0, "\nData\n====\n")
    for key, value in sorted((obj.get("data") or {}).items()):
        w.write(0, f"{key}:\t{len(base64.b64decode(value or ''))} bytes\n")
