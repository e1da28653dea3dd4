"""Validation of configMap, secret, downwardAPI, projected and emptyDir volumes and of
subPathExpr mounts: one row per rule, with Kubernetes' field path and message."""

from __future__ import annotations

from typing import Any

import pytest

from tugboat.api.core import Pod
from tugboat.api.defaults import apply_defaults
from tugboat.api.validation import validate


def pod(volume: dict[str, Any], mount: dict[str, Any] | None = None) -> Pod:
    container = {"name": "app", "image": "busybox:1.35",
                 "volumeMounts": [{"name": "v", "mountPath": "/v", **(mount or {})}]}
    obj = Pod.model_validate({"metadata": {"name": "p", "namespace": "default"}, "spec": {
        "volumes": [{"name": "v", **volume}], "containers": [container]}})
    apply_defaults(obj)
    return obj


def causes(obj: Pod) -> list[tuple[str, str]]:
    return [(c.field, c.message) for c in validate(obj, None)]


DOWNWARD = {"downwardAPI": {"items": [
    {"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}},
    {"path": "tier", "fieldRef": {"fieldPath": "metadata.labels['tier']"}},
    {"path": "mem", "resourceFieldRef": {"containerName": "app",
                                         "resource": "limits.memory", "divisor": "1Mi"}}]}}
PROJECTED = {"projected": {"sources": [
    {"configMap": {"name": "c", "items": [{"key": "a", "path": "a"}]}},
    {"secret": {"name": "s", "items": [{"key": "b", "path": "b"}]}},
    {"serviceAccountToken": {"path": "token", "expirationSeconds": 3600}}]}}


@pytest.mark.parametrize("volume, mount", [
    (DOWNWARD, None), (PROJECTED, None),
    ({"configMap": {"name": "c", "items": [{"key": "k", "path": "dir/k", "mode": 0o400}]}},
     None),
    ({"emptyDir": {"medium": "Memory", "sizeLimit": "64Mi"}}, {"subPathExpr": "$(POD)"}),
])
def test_valid_volumes(volume: dict, mount: dict | None) -> None:
    assert causes(pod(volume, mount)) == []


@pytest.mark.parametrize("volume, mount, field, message", [
    ({"configMap": {"name": "c", "items": [{"key": "k", "path": "..x"}]}}, None,
     "spec.volumes[0].configMap.items[0].path", "must not start with '..'"),
    ({"secret": {"secretName": "s", "items": [{"key": "k", "path": "a/../../b"}]}}, None,
     "spec.volumes[0].secret.items[0].path", "must not contain '..'"),
    ({"secret": {"secretName": "s", "items": [{"key": "k", "path": "k", "mode": 0o1000}]}},
     None, "spec.volumes[0].secret.items[0].mode",
     "must be a number between 0 and 0777 (octal), both inclusive"),
    ({"downwardAPI": {"items": [{"path": "ip", "fieldRef": {"fieldPath": "status.podIP"}}]}},
     None, "spec.volumes[0].downwardAPI.items[0].fieldRef.fieldPath", "Unsupported value"),
    ({"downwardAPI": {"items": [{"path": "m", "resourceFieldRef": {"resource":
                                                                   "limits.memory"}}]}},
     None, "spec.volumes[0].downwardAPI.items[0].resourceFieldRef.containerName", "Required"),
    ({"downwardAPI": {"items": [{"path": "x"}]}}, None,
     "spec.volumes[0].downwardAPI.items[0]", "one of fieldRef and resourceFieldRef is required"),
    ({"projected": {"sources": [{"configMap": {"name": "c", "items": [{"key": "a", "path": "x"}]}},
                                {"secret": {"name": "s", "items": [{"key": "b", "path": "x"}]}}]}},
     None, "spec.volumes[0].projected", "conflicting duplicate paths"),
    ({"projected": {"sources": [{"configMap": {"name": "c"}, "secret": {"name": "s"}}]}}, None,
     "spec.volumes[0].projected.sources[0]", "may not specify more than 1 volume type per source"),
    ({"projected": {"sources": [{"serviceAccountToken": {"path": "t",
                                                         "expirationSeconds": 60}}]}}, None,
     "spec.volumes[0].projected.sources[0].serviceAccountToken.expirationSeconds",
     "may not specify a duration less than 10 minutes"),
    ({"emptyDir": {"sizeLimit": "-1Mi"}}, None, "spec.volumes[0].emptyDir.sizeLimit",
     "SizeLimit field must be a valid resource quantity"),
    ({"emptyDir": {}}, {"subPath": "a", "subPathExpr": "$(X)"},
     "spec.containers[0].volumeMounts[0].subPathExpr",
     "subPathExpr and subPath are mutually exclusive"),
    ({"emptyDir": {}}, {"subPathExpr": "/abs"},
     "spec.containers[0].volumeMounts[0].subPathExpr", "must be a relative path"),
])
def test_invalid_volumes(volume: dict, mount: dict | None, field: str, message: str) -> None:
    found = causes(pod(volume, mount))
    assert any(f == field and message in m for f, m in found), found
