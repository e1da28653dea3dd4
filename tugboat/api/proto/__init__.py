"""Kubernetes' protobuf field tables and doc comments, as data (hack/protogen.py generates
messages.json and descriptions.json from the published generated.proto files of k8s.io/api
and k8s.io/apimachinery; the commits they came from are under each file's "source").

messages(): {"k8s.io.api.core.v1.Pod": {"fields": [{"number", "name", "label"
("optional"|"repeated"), "type" (a scalar, "map", or a full message name), "key"/"value"
(for maps), "markers" (the field's +listType/+listMapKey/+mapType/+patchStrategy/
+patchMergeKey comments, when it has any)}], "markers": ["+protobuf.as=Timestamp", ...]}}.
The names are go-to-protobuf's, which are the JSON names except for a few (`uID`,
`aPIGroup`): gofields.json (hack/gofields.py) has the real JSON names and Go's inline structs.

descriptions(): {"k8s.io.api.core.v1.PodSpec": {"": <the type's doc>, <field>: <doc>}}."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
API = "k8s.io.api"
META = "k8s.io.apimachinery.pkg.apis.meta.v1"


@functools.cache
def messages() -> dict[str, dict[str, Any]]:
    return json.loads((HERE / "messages.json").read_bytes())["messages"]


@functools.cache
def descriptions() -> dict[str, dict[str, str]]:
    return json.loads((HERE / "descriptions.json").read_bytes())["descriptions"]


def package(api_version: str) -> str:
    """The proto package of a group-version: "v1" → k8s.io.api.core.v1, "apps/v1" →
    k8s.io.api.apps.v1, "rbac.authorization.k8s.io/v1" → k8s.io.api.rbac.v1 (Kubernetes
    names each package by the group's first label)."""
    group, _, version = api_version.rpartition("/")
    return f"{API}.{group.split('.')[0] if group else 'core'}.{version}"


def message_name(api_version: str, kind: str) -> str | None:
    """The message of a kind, or None when Kubernetes publishes none for it."""
    name = f"{package(api_version)}.{kind}"
    return name if name in messages() else None
