"""Per-kind rules the generic registry applies around every write, after Kubernetes'
"strategies": what a create resets, what an update keeps from the stored object, when
`metadata.generation` moves, and how long a delete waits (graceful deletion)."""

from __future__ import annotations

import random
import uuid
from typing import Any

from tugboat.api import defaults
from tugboat.api.meta import now_rfc3339
from tugboat.api.resources import ResourceInfo

Obj = dict[str, Any]

# Kinds whose status a client may set on create (the kubelet registers its Node with one).
KEEP_STATUS_ON_CREATE = {"Node"}
# Metadata the server owns: an update never changes these.
SERVER_META = ("uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds",
               "generation", "namespace", "name")
PROTECTED_NAMESPACES = {"default", "kube-system", "kube-public"}
# Kubernetes' generateName alphabet: no vowels (no words), no look-alike characters.
_SUFFIX_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"


def generate_name(prefix: str) -> str:
    return prefix + "".join(random.choices(_SUFFIX_ALPHABET, k=5))


def prepare_create_meta(info: ResourceInfo, body: Obj, namespace: str | None) -> None:
    """Server-owned metadata on a new object, before it is decoded and validated."""
    meta = body.setdefault("metadata", {})
    if not meta.get("name") and meta.get("generateName"):
        meta["name"] = generate_name(meta["generateName"])
    if info.namespaced:
        meta["namespace"] = namespace
    else:
        meta.pop("namespace", None)
    meta["uid"] = str(uuid.uuid4())
    meta["creationTimestamp"] = now_rfc3339()
    for k in ("resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds",
              "managedFields"):
        meta.pop(k, None)
    if "spec" in body or info.kind in ("ReplicationController", "Deployment", "ReplicaSet",
                                       "DaemonSet", "Job", "Pod"):
        meta["generation"] = 1
    if info.has_status and info.kind not in KEEP_STATUS_ON_CREATE:
        body.pop("status", None)
    if info.kind == "Namespace":  # the namespace controller's finalizer, as Kubernetes
        spec = body.get("spec") if isinstance(body.get("spec"), dict) else {}
        spec.setdefault("finalizers", ["kubernetes"])
        body["spec"] = spec
        body["status"] = {"phase": "Active"}


def default_on_create(obj: Any) -> None:
    """Typed defaulting of a new object (the model from api/)."""
    defaults.apply_defaults(obj)
    kind = getattr(obj, "kind", "")
    if kind == "Pod":
        defaults.default_pod_status_on_create(obj)
    elif kind == "Job":
        defaults.default_job_selector(obj)


def _spec_part(obj: Obj) -> Obj:
    return {k: v for k, v in obj.items()
            if k not in ("metadata", "status", "kind", "apiVersion")}


def merge_update(info: ResourceInfo, new: Obj, old: Obj, sub: str | None) -> Obj:
    """The object an update stores: server metadata from old; for the main resource the
    status from old (status moves only through /status); for /status everything but
    status from old. generation moves when anything outside metadata and status does."""
    if sub == "status":
        out = {k: v for k, v in old.items() if k != "status"}
        if "status" in new:
            out["status"] = new["status"]
        out["metadata"] = dict(old["metadata"])
        return out
    meta = new.setdefault("metadata", {})
    for k in SERVER_META:
        if k in old["metadata"]:
            meta[k] = old["metadata"][k]
        else:
            meta.pop(k, None)
    meta.pop("managedFields", None)
    if info.has_status:
        if "status" in old:
            new["status"] = old["status"]
        else:
            new.pop("status", None)
    if info.kind == "Service":
        _keep_allocated(new, old)
    if "generation" in old["metadata"] and _spec_part(new) != _spec_part(old):
        meta["generation"] = old["metadata"]["generation"] + 1
    return new


def _keep_allocated(new: Obj, old: Obj) -> None:
    """A Service update that leaves out its allocated addresses keeps them (Kubernetes'
    patchAllocatedValues): clients replace services without knowing their cluster IP."""
    ns, os_ = new.get("spec"), old.get("spec") or {}
    if not isinstance(ns, dict):
        return
    for k in ("clusterIP", "clusterIPs"):
        if not ns.get(k) and os_.get(k):
            ns[k] = os_[k]
    new_ports = ns.get("ports")
    if not isinstance(new_ports, list):  # malformed: validation names it; nothing to keep
        return
    old_ports = {p.get("port"): p.get("nodePort") for p in os_.get("ports") or []}
    for p in new_ports:
        if isinstance(p, dict) and isinstance(p.get("port"), int) and not p.get("nodePort") \
                and old_ports.get(p["port"]):
            if ns.get("type") in ("NodePort", "LoadBalancer"):
                p["nodePort"] = old_ports[p.get("port")]


def pod_grace_period(pod: Obj, requested: int | None) -> int:
    """Kubernetes' pod CheckGracefulDelete: unscheduled and finished pods go at once."""
    spec = pod.get("spec", {})
    if not spec.get("nodeName"):
        return 0
    if pod.get("status", {}).get("phase") in ("Succeeded", "Failed"):
        return 0
    grace = requested if requested is not None else spec.get("terminationGracePeriodSeconds", 30)
    return max(grace, 0)


def grace_period(info: ResourceInfo, obj: Obj, requested: int | None) -> int:
    return pod_grace_period(obj, requested) if info.kind == "Pod" else 0
