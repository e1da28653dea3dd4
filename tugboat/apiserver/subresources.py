"""The subresources with their own shapes: `scale` (an autoscaling/v1 Scale view of
replicas), `pods/binding` (the scheduler's write), `pods/eviction` (a delete). What each
may change is its strategy's (strategies/scale.py, binding.py); here are only the
request checks and the response shapes, and every write goes through the registry's
one pipeline."""

from __future__ import annotations

from typing import Any

from tugboat.api.meta import DeleteOptions, StatusCause
from tugboat.api.resources import SCALE_API_VERSION, ResourceInfo
from tugboat.api.validation.fielderrors import INVALID
from tugboat.apiserver import decoding, errors
from tugboat.apiserver.eviction import EVICTION_BY_API, mark_disruption_target, take_disruption
from tugboat.apiserver.registry import Obj, Registry, Result, WriteOptions
from tugboat.apiserver.strategies import strategy_for
from tugboat.apiserver.strategies.binding import decode_binding
from tugboat.apiserver.strategies.generic import copy
from tugboat.apiserver.strategies.scale import decode_scale

# Eviction has no table entry of its own (it is only ever POSTed), but its errors name it.
EVICTIONS = ResourceInfo("policy", "v1", "evictions", "Eviction", True, "policy:Eviction")
SUCCESS = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
           "code": 201}


def to_scale(info: ResourceInfo, obj: Obj) -> Obj:
    m = obj["metadata"]
    strat = strategy_for(info)
    spec_replicas, status_replicas = strat.scale_replicas(obj)
    return {
        "kind": "Scale", "apiVersion": SCALE_API_VERSION,
        "metadata": {k: m[k] for k in ("name", "namespace", "uid", "resourceVersion",
                                       "creationTimestamp") if k in m},
        "spec": {"replicas": spec_replicas},
        "status": {"replicas": status_replicas, "selector": strat.scale_selector(obj)},
    }


async def write_scale(reg: Registry, info: ResourceInfo, ns: str | None, name: str,
                      scale: Any, opts: WriteOptions) -> Result:
    """PUT (or the patched result of) a Scale: a resourceVersion in it is a precondition."""
    rv = decode_scale(scale, name).metadata.resourceVersion
    if rv and not decoding.is_resource_version(rv):
        raise errors.bad_request(f'invalid resourceVersion "{rv}"')
    if rv and rv != reg.get(info, ns, name)["metadata"]["resourceVersion"]:
        raise errors.conflict(info, name)
    res = await reg.guaranteed_update(info, ns, name, scale, opts, "scale")
    return Result(to_scale(info, res.obj), res.warnings)


def binding_name(body: Obj) -> str:
    """The pod a POST to namespaces/{ns}/bindings names (in the Binding's metadata); ""
    when it names none, and the Binding's decode says what is wrong with it."""
    meta = body.get("metadata")
    name = meta.get("name") if isinstance(meta, dict) else None
    return name if isinstance(name, str) else ""


async def bind(reg: Registry, info: ResourceInfo, ns: str | None, name: str, body: Obj,
               opts: WriteOptions) -> tuple[Obj, list[str]]:
    """POST pods/{name}/binding: set spec.nodeName once (409 if already bound). The
    Binding is typed first, so a malformed one is a 422 whether or not the pod exists."""
    decode_binding(body, name)
    bmeta = body.get("metadata")
    if isinstance(bmeta, dict) and bmeta.get("name") and bmeta["name"] != name:
        raise errors.bad_request("name in URL does not match name in Binding object")
    res = await reg.guaranteed_update(info, ns, name, body, opts, "binding")
    return SUCCESS, res.warnings


async def evict(reg: Registry, info: ResourceInfo, ns: str | None, name: str, body: Obj,
                opts: WriteOptions) -> tuple[Obj, list[str]]:
    """POST pods/{name}/eviction: a graceful delete once the pod's disruption budget
    allows it (eviction.py). The
    Eviction is decoded like an object (422 naming a wrong-typed field) and must name the
    pod of the URL, as Kubernetes' eviction REST checks."""
    eviction = copy(body)
    beta = eviction.get("apiVersion") == "policy/v1beta1"  # still served by Kubernetes
    decoding.check_type_meta(EVICTIONS, eviction, api_version="policy/v1beta1" if beta else None)
    evicted = decoding.decode(EVICTIONS, eviction, name)
    if evicted.metadata.name and evicted.metadata.name != name:
        raise errors.bad_request("name in URL does not match name in Eviction object")
    options = evicted.deleteOptions or DeleteOptions()
    if options.propagationPolicy not in (None, "Foreground", "Background", "Orphan"):
        raise errors.invalid(EVICTIONS, name, [StatusCause(
            reason=INVALID, field="deleteOptions.propagationPolicy",
            message=f'Unsupported value: "{options.propagationPolicy}": supported values: '
                    f'"Foreground", "Background", "Orphan"')])
    reg.admit_eviction(info, ns, name, body, opts)
    pod = reg.get(info, ns, name)
    await take_disruption(reg, pod, opts.dry_run)
    if not opts.dry_run:
        await mark_disruption_target(reg, pod, EVICTION_BY_API, "Eviction API: evicting")
    res = await reg.delete(info, ns, name, options, opts, eviction=body, admitted=True)
    return SUCCESS, res.warnings


# POST subresources of a named object, by subresource name.
POSTS = {"binding": bind, "eviction": evict}
