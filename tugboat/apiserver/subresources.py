"""The subresources with their own shapes: `scale` (an autoscaling/v1 Scale view of
replicas), `pods/binding` (the scheduler's write), `pods/eviction` (a delete). What each
may change is its strategy's (strategies/scale.py, binding.py); here are only the
request checks and the response shapes, and every write goes through the registry's
one pipeline."""

from __future__ import annotations

from typing import Any

from tugboat.api.meta import DeleteOptions
from tugboat.api.resources import SCALE_API_VERSION, ResourceInfo
from tugboat.apiserver import errors
from tugboat.apiserver.registry import Obj, Registry, Result, WriteOptions
from tugboat.apiserver.strategies import strategy_for

SUCCESS = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
           "code": 201}


def to_scale(info: ResourceInfo, obj: Obj) -> Obj:
    m = obj["metadata"]
    spec = obj.get("spec") or {}
    return {
        "kind": "Scale", "apiVersion": SCALE_API_VERSION,
        "metadata": {k: m[k] for k in ("name", "namespace", "uid", "resourceVersion",
                                       "creationTimestamp") if k in m},
        "spec": {"replicas": spec.get("replicas", 1)},
        "status": {"replicas": (obj.get("status") or {}).get("replicas", 0),
                   "selector": strategy_for(info).scale_selector(obj)},
    }


async def write_scale(reg: Registry, info: ResourceInfo, ns: str | None, name: str,
                      scale: Any, opts: WriteOptions) -> Result:
    """PUT (or the patched result of) a Scale: a resourceVersion in it is a precondition."""
    rv = (scale.get("metadata") or {}).get("resourceVersion") if isinstance(scale, dict) \
        else None
    if rv and rv != reg.get(info, ns, name)["metadata"]["resourceVersion"]:
        raise errors.conflict(info, name)
    res = await reg.guaranteed_update(info, ns, name, scale, opts, "scale")
    return Result(to_scale(info, res.obj), res.warnings)


async def bind(reg: Registry, info: ResourceInfo, ns: str | None, name: str, body: Obj,
               opts: WriteOptions) -> tuple[Obj, list[str]]:
    """POST pods/{name}/binding: set spec.nodeName once (409 if already bound)."""
    bmeta = body.get("metadata")
    if isinstance(bmeta, dict) and bmeta.get("name") and bmeta["name"] != name:
        raise errors.bad_request("name in URL does not match name in Binding object")
    res = await reg.guaranteed_update(info, ns, name, body, opts, "binding")
    return SUCCESS, res.warnings


async def evict(reg: Registry, info: ResourceInfo, ns: str | None, name: str, body: Obj,
                opts: WriteOptions) -> tuple[Obj, list[str]]:
    """POST pods/{name}/eviction: a graceful delete (no PodDisruptionBudgets here)."""
    try:
        options = DeleteOptions.model_validate((body or {}).get("deleteOptions") or {})
    except Exception as e:
        raise errors.bad_request(f"invalid delete options: {e}") from None
    res = await reg.delete(info, ns, name, options, opts, eviction=body)
    return SUCCESS, res.warnings


# POST subresources of a named object, by subresource name.
POSTS = {"binding": bind, "eviction": evict}
