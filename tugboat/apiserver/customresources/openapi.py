"""The OpenAPI v3 document of a custom resource group-version, as the apiextensions-
apiserver publishes it: the same operations as a built-in kind (so kubectl finds the
`fieldValidation` parameter and lets the server validate), and each kind's schema — the
CRD version's openAPIV3Schema with apiVersion, kind and metadata filled in and the
`x-kubernetes-group-version-kind` that `kubectl explain` looks the kind up by. Documents
are made once per CRD revision."""

from __future__ import annotations

import copy
import functools
from typing import Any

from tugboat.api.customresources import CustomResourceInfo
from tugboat.api.resources import served
from tugboat.apiserver.openapi import VERSION, Builder
from tugboat.apiserver.openapischema import META, closure, ref

Obj = dict[str, Any]
_API_VERSION = ("APIVersion defines the versioned schema of this representation of an "
                "object. Servers should convert recognized schemas to the latest internal "
                "value, and may reject unrecognized values.")
_KIND = ("Kind is a string value representing the REST resource this object represents. "
         "Servers may infer this from the endpoint the client submits requests to.")


def component_name(info: CustomResourceInfo, kind: str | None = None) -> str:
    """`com.example.stable.v1.CronTab`: the group reversed, as Kubernetes names them."""
    return ".".join([*reversed(info.group.split(".")), info.version, kind or info.kind])


class _CustomBuilder(Builder):
    r: CustomResourceInfo

    def schemas(self) -> tuple[Obj, Obj]:
        return (ref(component_name(self.r)),
                ref(component_name(self.r, self.r.list_kind)))


def _kind_schema(info: CustomResourceInfo) -> Obj:
    schema = copy.deepcopy(info.schema) if info.schema else {"type": "object"}
    props = schema.setdefault("properties", {})
    props["apiVersion"] = {"type": "string", "description": _API_VERSION}
    props["kind"] = {"type": "string", "description": _KIND}
    props["metadata"] = {"allOf": [ref(f"{META}.ObjectMeta")],
                         "description": "Standard object's metadata."}
    schema["x-kubernetes-group-version-kind"] = [
        {"group": info.group, "version": info.version, "kind": info.kind}]
    return schema


def _list_schema(info: CustomResourceInfo) -> Obj:
    return {"type": "object", "required": ["items"],
            "description": f"{info.list_kind} is a list of {info.kind}",
            "properties": {
                "apiVersion": {"type": "string", "description": _API_VERSION},
                "kind": {"type": "string", "description": _KIND},
                "metadata": {"allOf": [ref(f"{META}.ListMeta")]},
                "items": {"type": "array", "items": ref(component_name(info))}},
            "x-kubernetes-group-version-kind": [
                {"group": info.group, "version": info.version, "kind": info.list_kind}]}


def served_in(group: str, version: str) -> tuple[CustomResourceInfo, ...]:
    return tuple(r for r in served() if isinstance(r, CustomResourceInfo)
                 and r.group == group and r.version == version)


@functools.lru_cache(maxsize=64)
def group_version(infos: tuple[CustomResourceInfo, ...]) -> Obj:
    paths: Obj = {}
    mine: Obj = {}
    for info in infos:
        paths.update(_CustomBuilder(info).build())
        mine[component_name(info)] = _kind_schema(info)
        mine[component_name(info, info.list_kind)] = _list_schema(info)
    doc: Obj = {"openapi": "3.0.0", "info": {"title": "Kubernetes CRD Swagger",
                                              "version": VERSION},
                "paths": dict(sorted(paths.items()))}
    schemas = closure({**doc, "components": {"schemas": mine}})
    doc["components"] = {"schemas": dict(sorted({**schemas, **mine}.items()))}
    return doc
