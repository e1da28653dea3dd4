"""What a DELETE answers, as Kubernetes' generic store and DELETE handler decide it
(finalizeDelete, handlers/delete.go): clients read the answer to tell "gone" from "going".

- Removed at once: a `Status` Success naming the object (its details.kind is the resource
  plural — Kubernetes fills it from the qualified resource), except for the resources whose
  storage sets ReturnDeletedObject (pods, services, service accounts, namespaces, quotas, claims...), which
  return the deleted object; the official clients type those deletes so.
- Still pending (a grace period, finalizers): the object as it is now stored, with its
  deletionTimestamp; 202 Accepted only when the client asked for cascading with the old
  orphanDependents=false, 200 otherwise (Kubernetes keeps 200 for compatibility).
- A delete of a collection: the list of the objects as they were listed before deleting.
"""

from __future__ import annotations

from typing import Any

from tugboat.api.meta import DeleteOptions
from tugboat.api.resources import ResourceInfo

Obj = dict[str, Any]

# (group, resource) whose Kubernetes storage has ReturnDeletedObject: true (the published
# OpenAPI types those deletes' 200 as the object; the Python client decodes them so).
RETURNS_DELETED_OBJECT = frozenset({
    ("", "pods"), ("", "services"), ("", "serviceaccounts"), ("", "namespaces"),
    ("", "resourcequotas"), ("", "persistentvolumeclaims"), ("", "persistentvolumes"),
    ("", "podtemplates"), ("storage.k8s.io", "storageclasses")})


def success_status(info: ResourceInfo, obj: Obj) -> Obj:
    meta = obj.get("metadata") or {}
    details: Obj = {"name": meta.get("name", "")}
    if info.group:  # omitempty, as all of StatusDetails
        details["group"] = info.group
    details["kind"] = info.resource
    if meta.get("uid"):
        details["uid"] = meta["uid"]
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
            "details": details}


def answer(info: ResourceInfo, obj: Obj, removed: bool,
           options: DeleteOptions) -> tuple[Obj, int]:
    """The body and HTTP code of a DELETE of one object."""
    if removed:
        if (info.group, info.resource) in RETURNS_DELETED_OBJECT:
            return obj, 200
        return success_status(info, obj), 200
    return obj, 202 if options.orphanDependents is False else 200


def collection(info: ResourceInfo, items: list[Obj], resource_version: str) -> Obj:
    return {"kind": info.list_kind, "apiVersion": info.api_version,
            "metadata": {"resourceVersion": resource_version}, "items": items}
