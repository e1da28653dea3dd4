"""The subresources with their own shapes: `scale` (an autoscaling/v1 Scale view of
replicas), `pods/binding` (the scheduler's write), `pods/eviction`. `status` is the main
object with a different update rule and lives in the registry."""

from __future__ import annotations

from typing import Any

from tugboat.api.meta import DeleteOptions, now_rfc3339
from tugboat.api.resources import SCALE_API_VERSION, ResourceInfo
from tugboat.api.selectors import label_selector_as_selector, selector_from_set
from tugboat.apiserver import errors
from tugboat.apiserver.registry import Obj, Registry, Result, WriteOptions


def to_scale(info: ResourceInfo, obj: Obj) -> Obj:
    m = obj["metadata"]
    spec = obj.get("spec") or {}
    sel = spec.get("selector")
    return {
        "kind": "Scale", "apiVersion": SCALE_API_VERSION,
        "metadata": {k: m[k] for k in ("name", "namespace", "uid", "resourceVersion",
                                       "creationTimestamp") if k in m},
        "spec": {"replicas": spec.get("replicas", 1)},
        "status": {"replicas": (obj.get("status") or {}).get("replicas", 0),
                   "selector": _selector_string(info, sel)},
    }


def _selector_string(info: ResourceInfo, sel: Any) -> str:
    """Scale's status.selector: the canonical string of the workload's selector (an RC's
    is a plain map, the apps kinds' a LabelSelector)."""
    if sel is None:
        return ""
    if info.kind == "ReplicationController":
        return selector_from_set(sel).to_string()
    return label_selector_as_selector(sel).to_string()


def scale_replicas(info: ResourceInfo, scale: Any, name: str) -> int:
    if not isinstance(scale, dict) or scale.get("kind", "Scale") != "Scale":
        raise errors.bad_request("the body must be a Scale object")
    replicas = (scale.get("spec") or {}).get("replicas", 0)
    if not isinstance(replicas, int) or isinstance(replicas, bool) or replicas < 0:
        from tugboat.api.meta import StatusCause

        raise errors.ApiError(422, "Invalid", f'Scale.autoscaling "{name}" is invalid: '
                              f'spec.replicas: Invalid value: {replicas!r}: must be greater '
                              f'than or equal to 0', errors.StatusDetails(
                                  name=name, group="autoscaling", kind="Scale", causes=[
                                      StatusCause(reason="FieldValueInvalid",
                                                  field="spec.replicas",
                                                  message="must be greater than or equal to 0")]))
    return replicas


async def write_scale(reg: Registry, info: ResourceInfo, ns: str | None, name: str,
                      scale: Obj, opts: WriteOptions) -> Result:
    replicas = scale_replicas(info, scale, name)
    rv = (scale.get("metadata") or {}).get("resourceVersion")
    cur = reg.get(info, ns, name)
    if rv and rv != cur["metadata"]["resourceVersion"]:
        raise errors.conflict(info, name)

    def mutate(obj: Obj) -> Obj:
        obj.setdefault("spec", {})["replicas"] = replicas
        return obj

    res = await reg.guaranteed_update(info, ns, name, mutate, opts)
    return Result(to_scale(info, res.obj), res.warnings)


async def bind(reg: Registry, info: ResourceInfo, ns: str | None, name: str, body: Obj,
               opts: WriteOptions) -> Obj:
    """POST pods/{name}/binding: set spec.nodeName once (409 if already bound)."""
    target = (body.get("target") or {}) if isinstance(body, dict) else {}
    node = target.get("name")
    if not node:
        from tugboat.api.meta import StatusCause

        raise errors.invalid(info, name, [StatusCause(
            reason="FieldValueRequired", field="target.name", message="Required value")])
    bmeta = (body.get("metadata") or {}) if isinstance(body, dict) else {}
    if bmeta.get("name") and bmeta["name"] != name:
        raise errors.bad_request("name in URL does not match name in Binding object")
    annotations = bmeta.get("annotations") or {}
    uid = bmeta.get("uid")

    def mutate(pod: Obj) -> Obj:
        if uid and uid != pod["metadata"].get("uid"):
            raise errors.conflict(info, name, f"Precondition failed: UID in precondition: "
                                              f"{uid}, UID in object meta: "
                                              f"{pod['metadata'].get('uid')}", sub="binding")
        if pod["metadata"].get("deletionTimestamp"):
            raise errors.conflict(info, name, f"pod {name} is being deleted, cannot be "
                                              f"assigned to a host", sub="binding")
        bound = (pod.get("spec") or {}).get("nodeName")
        if bound:
            raise errors.conflict(info, name, f'pod {name} is already assigned to node '
                                              f'"{bound}"', sub="binding")
        pod["spec"]["nodeName"] = node
        if annotations:
            pod["metadata"].setdefault("annotations", {}).update(annotations)
        status = pod.setdefault("status", {})
        conds = [c for c in status.get("conditions") or [] if c.get("type") != "PodScheduled"]
        conds.insert(0, {"type": "PodScheduled", "status": "True",
                         "lastTransitionTime": now_rfc3339()})
        status["conditions"] = conds
        return pod

    await reg.guaranteed_raw_update(info, ns, name, mutate, opts)
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
            "code": 201}


async def evict(reg: Registry, info: ResourceInfo, ns: str | None, name: str, body: Obj,
                opts: WriteOptions) -> Obj:
    """POST pods/{name}/eviction: a graceful delete (no PodDisruptionBudgets here)."""
    options = DeleteOptions.model_validate((body or {}).get("deleteOptions") or {})
    await reg.delete(info, ns, name, options, opts)
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
            "code": 201}
