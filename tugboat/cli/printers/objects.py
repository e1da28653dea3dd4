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


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


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
