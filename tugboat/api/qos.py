"""A pod's quality-of-service class (Kubernetes' pkg/apis/core/helper/qos): Guaranteed,
Burstable or BestEffort, from the cpu and memory requests and limits of its containers,
init containers included. Defined once here because two sides need the same answer: the
API server stamps it into `status.qosClass` when a pod is created, and the kubelet derives
each container's OOM score adjustment from it."""

from __future__ import annotations

import functools
from fractions import Fraction

from tugboat.api.fieldtypes import quantity_value
from tugboat.api.pod import Pod, PodSpec

GUARANTEED, BURSTABLE, BEST_EFFORT = "Guaranteed", "Burstable", "BestEffort"

# Only these two count: extended resources and ephemeral storage do not change the class.
_QOS_RESOURCES = ("cpu", "memory")


@functools.lru_cache(maxsize=4096)
def _positive_quantity(value: str) -> Fraction | None:
    q = quantity_value(value)
    return q if q is not None and q > 0 else None


def _positive(quantities: dict[str, str] | None, name: str) -> Fraction | None:
    value = quantities.get(name) if quantities else None
    return _positive_quantity(value) if value is not None else None


def qos_class(spec: PodSpec) -> str:
    """ComputePodQOS: BestEffort when no container requests or limits cpu/memory,
    Guaranteed when every container limits both and the summed requests equal the summed
    limits, else Burstable. Zero counts as unset; invalid quantities count as absent
    (validation rejects them anyway). Requests must already be defaulted from limits."""
    requests: dict[str, Fraction] = {}
    limits: dict[str, Fraction] = {}
    guaranteed = True
    for c in spec.containers + (spec.initContainers or []):
        res = c.resources
        if res is None or not (res.requests or res.limits):
            guaranteed = False
            continue
        for name in _QOS_RESOURCES:
            req = _positive(res.requests, name)
            if req is not None:
                requests[name] = requests[name] + req if name in requests else req
            lim = _positive(res.limits, name)
            if lim is None:
                guaranteed = False
            else:
                limits[name] = limits[name] + lim if name in limits else lim
    if not requests and not limits:
        return BEST_EFFORT
    if guaranteed and len(requests) == len(limits) and all(
            (lim := limits.get(n)) is not None and (lim is v or lim == v)
            for n, v in requests.items()):
        return GUARANTEED
    return BURSTABLE


def pod_qos_class(pod: Pod) -> str:
    """GetPodQOS: the class the API server recorded (it cannot change: resources are
    immutable), or computed for a pod that has none yet (a static pod from a file)."""
    return pod.status.qosClass or qos_class(pod.spec)
