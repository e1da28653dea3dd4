"""The OpenAPI v3 documents kubectl reads before create and apply (COMPAT.md §2): an index
of group-versions, and per group-version the operations of each resource with its
group-version-kind and the `fieldValidation` parameter, which tells kubectl that the server
validates fields itself. /openapi/v2 stays a 404 on purpose: kubectl asks for protobuf
there and falls back to its built-in types when it is missing."""

from __future__ import annotations

from typing import Any

from tugboat.api.resources import RESOURCES, ResourceInfo, groups

Obj = dict[str, Any]
_QUERY = [{"name": n, "in": "query", "schema": {"type": "string"}, "uniqueItems": True}
          for n in ("dryRun", "fieldManager", "fieldValidation")]


def _gv_path(group: str, version: str) -> str:
    return f"apis/{group}/{version}" if group else f"api/{version}"


def index() -> Obj:
    paths = {}
    for g, versions in groups().items():
        for v in versions:
            p = _gv_path(g, v)
            paths[p] = {"serverRelativeURL": f"/openapi/v3/{p}"}
    return {"paths": paths}


def _ops(r: ResourceInfo, item: bool) -> Obj:
    gvk = {"group": r.group, "version": r.version, "kind": r.kind}
    verbs = {"get": "get", "put": "update", "patch": "patch", "delete": "delete"} if item else \
        {"get": "list", "post": "create", "delete": "deletecollection"}
    out: Obj = {}
    for method, verb in verbs.items():
        if verb not in r.verbs:
            continue
        op: Obj = {"operationId": f"{verb}{r.kind}", "x-kubernetes-action": verb,
                   "x-kubernetes-group-version-kind": gvk, "responses": {"200": {
                       "description": "OK"}}}
        if method in ("put", "patch", "post"):
            op["parameters"] = _QUERY
        out[method] = op
    return out


def group_version(group: str, version: str) -> Obj | None:
    found = [r for r in RESOURCES if r.group == group and r.version == version]
    if not found:
        return None
    paths: Obj = {}
    for r in found:
        coll = r.path("{namespace}") if r.namespaced else r.path()
        paths[coll] = _ops(r, item=False)
        paths[coll + "/{name}"] = _ops(r, item=True)
    return {"openapi": "3.0.0", "info": {"title": "Tugboat", "version": "v1.32.4"},
            "paths": paths, "components": {"schemas": {}}}
