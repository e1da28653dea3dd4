"""The LimitRanger admission plugin, as Kubernetes': a new pod's containers get the
namespace's LimitRange defaults for what they leave out (`default` limits,
`defaultRequest` requests, recorded in the `kubernetes.io/limit-ranger` annotation), then
every Container, Pod and PersistentVolumeClaim item's min, max and maxLimitRequestRatio is
enforced with Kubernetes' messages ('maximum cpu usage per Container is 500m, but limit is
1'); any violation refuses the create with 403 Forbidden.

It is a mutating plugin (it sets defaults), and checks the bounds right after: it sees the
body before the server's own defaulting, so it first makes a limit without a request the
request too, as that defaulting (which Kubernetes runs before admission) would."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from tugboat.api import quotausage
from tugboat.api.quantity import Quantity
from tugboat.api.quota import LIMIT_TYPE_CONTAINER, LIMIT_TYPE_POD, LIMIT_TYPE_PVC
from tugboat.api.resources import lookup
from tugboat.apiserver import errors
from tugboat.apiserver.admission.interface import AdmissionRequest, Operation

Obj = dict[str, Any]

ANNOTATION = "kubernetes.io/limit-ranger"
_LIMIT_RANGES = lookup("", "v1", "limitranges")


class ObjectCache(Protocol):
    def list(self, prefix: str, match: Callable[[Obj], bool] | None = None) -> list[Obj]: ...


def _quantities(values: dict[str, Any] | None) -> dict[str, Quantity]:
    return {k: q for k, v in (values or {}).items() if (q := quotausage.quantity(v)) is not None}


class LimitRanger:
    name = "LimitRanger"

    def __init__(self, cache: ObjectCache):
        self.cache = cache

    def admit(self, req: AdmissionRequest) -> None:
        if req.operation is not Operation.CREATE or req.subresource or not req.namespace \
                or req.obj is None or req.info.group != "":
            return
        if req.info.resource not in ("pods", "persistentvolumeclaims"):
            return
        assert _LIMIT_RANGES is not None
        ranges = self.cache.list(_LIMIT_RANGES.key_prefix(req.namespace))
        if not ranges:
            return
        items = [item for lr in ranges for item in ((lr.get("spec") or {}).get("limits") or [])]
        if req.info.resource == "pods":
            self._default_pod(req.obj, items)
            problems = self._pod_problems(req.obj, items)
        else:
            problems = self._claim_problems(req.obj, items)
        if problems:
            why = problems[0] if len(problems) == 1 else "[" + ", ".join(problems) + "]"
            raise errors.forbidden(req.info, req.name, why)

    # -- defaults -----------------------------------------------------------------------

    @staticmethod
    def _default_pod(pod: Obj, items: list[Obj]) -> None:
        limits: dict[str, Any] = {}
        requests: dict[str, Any] = {}
        for item in items:  # the first range to name a resource wins, as in Kubernetes
            if item.get("type") == LIMIT_TYPE_CONTAINER:
                for k, v in (item.get("default") or {}).items():
                    limits.setdefault(k, v)
                for k, v in (item.get("defaultRequest") or {}).items():
                    requests.setdefault(k, v)
        spec = pod.get("spec")
        if not isinstance(spec, dict):
            return
        notes: list[str] = []
        for field, prefix in (("initContainers", "init container"), ("containers", "container")):
            for c in spec.get(field) or []:
                if isinstance(c, dict):
                    notes += _merge(c, limits, requests, prefix)
        if notes:
            meta = pod.setdefault("metadata", {})
            annotations = meta.get("annotations") or {}
            meta["annotations"] = {**annotations,
                                   ANNOTATION: "LimitRanger plugin set: " + "; ".join(notes)}

    # -- bounds ---------------------------------------------------------------------------

    def _pod_problems(self, pod: Obj, items: list[Obj]) -> list[str]:
        spec = pod.get("spec") or {}
        problems: list[str] = []
        containers = [c for f in ("containers", "initContainers") for c in spec.get(f) or []
                      if isinstance(c, dict)]
        for item in items:
            if item.get("type") == LIMIT_TYPE_CONTAINER:
                for c in containers:
                    res = c.get("resources") or {}
                    problems += _bounds(LIMIT_TYPE_CONTAINER, item, _quantities(
                        res.get("requests")), _quantities(res.get("limits")))
            elif item.get("type") == LIMIT_TYPE_POD:
                problems += _bounds(LIMIT_TYPE_POD, item, quotausage.pod_totals(pod, "requests"),
                                    quotausage.pod_totals(pod, "limits"))
        return problems

    @staticmethod
    def _claim_problems(claim: Obj, items: list[Obj]) -> list[str]:
        res = (claim.get("spec") or {}).get("resources") or {}
        problems: list[str] = []
        for item in items:
            if item.get("type") == LIMIT_TYPE_PVC:
                problems += _bounds(LIMIT_TYPE_PVC, item, _quantities(res.get("requests")),
                                    _quantities(res.get("limits")))
        return problems


def _merge(c: Obj, limits: dict[str, Any], requests: dict[str, Any], prefix: str) -> list[str]:
    res = c.get("resources")
    res = dict(res) if isinstance(res, dict) else {}
    have_limits = dict(res.get("limits") or {})
    have_requests = dict(res.get("requests") or {})
    for k, v in have_limits.items():  # the pod defaulting Kubernetes runs first
        have_requests.setdefault(k, v)
    set_limits = sorted(k for k in limits if k not in have_limits)
    set_requests = sorted(k for k in requests if k not in have_requests)
    for k in set_limits:
        have_limits[k] = limits[k]
    for k in set_requests:
        have_requests[k] = requests[k]
    if have_limits:
        res["limits"] = have_limits
    if have_requests:
        res["requests"] = have_requests
    if res:
        c["resources"] = res
    notes = []
    name = c.get("name", "")
    if set_requests:
        notes.append(f"{', '.join(set_requests)} request for {prefix} {name}")
    if set_limits:
        notes.append(f"{', '.join(set_limits)} limit for {prefix} {name}")
    return notes


def _bounds(kind: str, item: Obj, requests: dict[str, Quantity],
            limits: dict[str, Quantity]) -> list[str]:
    """Kubernetes' minConstraint, maxConstraint and limitRequestRatioConstraint."""
    out: list[str] = []
    for name, enforced in _quantities(item.get("min")).items():
        req, lim = requests.get(name), limits.get(name)
        if req is None:
            out.append(f"minimum {name} usage per {kind} is {enforced}.  No request is "
                       f"specified")
        elif req < enforced:
            out.append(f"minimum {name} usage per {kind} is {enforced}, but request is {req}")
        elif lim is not None and lim < enforced:
            out.append(f"minimum {name} usage per {kind} is {enforced}, but limit is {lim}")
    for name, enforced in _quantities(item.get("max")).items():
        req, lim = requests.get(name), limits.get(name)
        if lim is None:
            out.append(f"maximum {name} usage per {kind} is {enforced}.  No limit is specified")
        elif lim > enforced:
            out.append(f"maximum {name} usage per {kind} is {enforced}, but limit is {lim}")
        elif req is not None and req > enforced:
            out.append(f"maximum {name} usage per {kind} is {enforced}, but request is {req}")
    for name, enforced in _quantities(item.get("maxLimitRequestRatio")).items():
        req, lim = requests.get(name), limits.get(name)
        if req is None or req.is_zero():
            out.append(f"{name} max limit to request ratio per {kind} is {enforced}, but no "
                       f"request is specified or request is 0")
        elif lim is None or lim.is_zero():
            out.append(f"{name} max limit to request ratio per {kind} is {enforced}, but no "
                       f"limit is specified or limit is 0")
        elif lim.value / req.value > enforced.value:
            out.append(f"{name} max limit to request ratio per {kind} is {enforced}, but "
                       f"provided ratio is {float(lim.value / req.value):f}")
    return out
