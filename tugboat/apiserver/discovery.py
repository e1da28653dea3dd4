"""Discovery documents, in the legacy three-endpoint form every kubectl understands:
/api, /apis, /api/v1 and /apis/{group}/{version}, built from the resource table, plus
/version. (The aggregated form needs an exact content type; the legacy one is simpler and
kubectl falls back to it — COMPAT.md §1.)"""

from __future__ import annotations

import platform
from typing import Any

from tugboat.api.resources import groups, served

Obj = dict[str, Any]
SUBRESOURCE_VERBS = {"status": ["get", "patch", "update"], "scale": ["get", "patch", "update"],
                     "binding": ["create"], "eviction": ["create"], "log": ["get"],
                     "exec": ["create", "get"], "finalize": ["update"], "token": ["create"],
                     "ephemeralcontainers": ["get", "patch", "update"],
                     "attach": ["create", "get"]}


def version() -> Obj:
    return {"major": "1", "minor": "32", "gitVersion": "v1.32.4-tugboat",
            "gitCommit": "tugboat", "gitTreeState": "clean", "buildDate": "2026-11-26T00:00:00Z",
            "goVersion": f"python{platform.python_version()}", "compiler": "cpython",
            "platform": f"{platform.system().lower()}/{platform.machine()}"}


def api_versions() -> Obj:
    return {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": [
        {"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}]}


def _group(g: str, versions: list[str]) -> Obj:
    vs = [{"groupVersion": f"{g}/{v}", "version": v} for v in versions]
    return {"name": g, "versions": vs, "preferredVersion": vs[0]}


def api_group_list() -> Obj:
    out = [_group(g, list(versions)) for g, versions in groups().items() if g]
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": out}


def api_group(group: str) -> Obj | None:
    """/apis/{group}: the one group's APIGroup (the Python client's get_api_group)."""
    versions = groups().get(group) if group else None
    if not versions:
        return None
    return {"kind": "APIGroup", "apiVersion": "v1", **_group(group, list(versions))}


def resource_list(group: str, version: str) -> Obj | None:
    found = [r for r in served() if r.group == group and r.version == version]
    if not found:
        return None
    resources: list[Obj] = []
    for r in found:
        entry: Obj = {"name": r.resource, "singularName": r.singular, "namespaced": r.namespaced,
                      "kind": r.kind, "verbs": list(r.verbs)}
        if r.short_names:
            entry["shortNames"] = list(r.short_names)
        if r.categories:
            entry["categories"] = list(r.categories)
        resources.append(entry)
        for sub in r.subresources:
            s: Obj = {"name": f"{r.resource}/{sub}", "singularName": "", "namespaced":
                      r.namespaced, "kind": r.kind, "verbs": SUBRESOURCE_VERBS[sub]}
            if sub == "scale":
                s.update(kind="Scale", group="autoscaling", version="v1")
            elif sub == "binding":
                s["kind"] = "Binding"
            elif sub == "token":
                s.update(kind="TokenRequest", group="authentication.k8s.io", version="v1")
            elif sub == "eviction":
                s.update(kind="Eviction", group="policy", version="v1")
            elif sub in ("log", "exec", "attach"):
                s["kind"] = {"log": "PodLogOptions", "exec": "PodExecOptions",
                             "attach": "PodAttachOptions"}[sub]
            resources.append(s)
    gv = f"{group}/{version}" if group else version
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv,
            "resources": resources}

