"""Whole objects as kubectl prints them: YAML (keys sorted, lists flush with their key,
multi-line strings as `|` blocks), JSON (four-space indent, keys sorted), and `-o name`
(`pod/web`). Several objects print as one `kind: List`."""

from __future__ import annotations

import json
from typing import Any

import yaml

from tugboat.cli.targets import display_kind, kind_of

Obj = dict[str, Any]


class _Dumper(yaml.SafeDumper):
    """kubectl's YAML: block style, literal blocks for multi-line strings."""


STR = "tag:yaml.org,2002:str"
INDICATORS = "tag:yaml.org,2002:yaml"  # PyYAML's tag for a plain scalar led by ! & *
GO_BOOLS = {"y", "Y", "n", "N"}  # booleans to Go's yaml (YAML 1.1), strings to PyYAML


def _go_number(value: str) -> bool:
    """Go's yaml reads a plain scalar led by a digit, sign or dot as a number when
    strconv parses it ("1e3", "1_000"), where PyYAML wants a dot in a float."""
    if not value or value[0] not in "0123456789+-.":
        return False
    try:
        float(value.replace("_", ""))
    except ValueError:
        return False
    return True


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    if "\n" in value:
        return dumper.represent_scalar(STR, value, style="|")
    # Go's yaml double-quotes a string that would read back as another type ("1", "",
    # "true", a timestamp) and single-quotes only one that YAML's syntax forbids bare
    # ('*', 'a: b'); PyYAML would single-quote both. Matching keeps tug's output diffing
    # clean against kubectl's.
    if dumper.resolve(yaml.ScalarNode, value, (True, False)) not in (STR, INDICATORS) \
            or value in GO_BOOLS or _go_number(value):
        return dumper.represent_scalar(STR, value, style='"')
    return dumper.represent_scalar(STR, value)


_Dumper.add_representer(str, _str)


def dump_yaml(obj: Any) -> str:
    return yaml.dump(obj, Dumper=_Dumper, default_flow_style=False, sort_keys=True,
                     allow_unicode=True, width=2**31 - 1)


def dump_json(obj: Any) -> str:
    return json.dumps(obj, indent=4, sort_keys=True, ensure_ascii=False) + "\n"


def as_list(items: list[Obj]) -> Obj:
    return {"apiVersion": "v1", "items": items, "kind": "List",
            "metadata": {"resourceVersion": ""}}


def name_of(obj: Obj) -> str:
    info = kind_of(obj)
    kind = display_kind(info) if info else str(obj.get("kind", "")).lower()
    return f"{kind}/{(obj.get('metadata') or {}).get('name', '')}"
