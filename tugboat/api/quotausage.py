"""What an object charges against a ResourceQuota, as Kubernetes' quota evaluators
(pkg/quota/v1/evaluator/core) compute it: a pod charges `pods` and its compute requests
and limits (`requests.cpu`, `cpu`, `limits.memory`, ...) while it is not terminal, and
`count/pods` always; a service charges `services`, `services.nodeports` and
`services.loadbalancers`; a claim charges `persistentvolumeclaims` and its storage;
every object charges `count/<resource>[.<group>]`. Scopes (BestEffort, Terminating,
PriorityClass...) select pods only. Shared by the ResourceQuota admission plugin (which
charges a new object) and the resourcequota controller (which recalculates status.used),
so the two agree. Works on wire objects (dicts): both sides hold them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import timedelta
from fractions import Fraction
from typing import Any

from tugboat.api.meta import parse_rfc3339
from tugboat.api.quantity import Format, Quantity, QuantityError, parse_quantity

Obj = dict[str, Any]
Usage = dict[str, Quantity]

# The resource names that only make sense for pods with their requests and limits stated:
# a quota on one of them makes every container state it ("must specify ...").
POD_VALIDATION_RESOURCES = frozenset((
    "cpu", "memory", "requests.cpu", "requests.memory", "limits.cpu", "limits.memory"))
# Older names for core object counts (kept by Kubernetes alongside count/<resource>).
LEGACY_COUNTS = {"pods": "pods", "services": "services", "configmaps": "configmaps",
                 "secrets": "secrets", "replicationcontrollers": "replicationcontrollers",
                 "resourcequotas": "resourcequotas",
                 "persistentvolumeclaims": "persistentvolumeclaims"}
_COMPUTE = ("cpu", "memory", "ephemeral-storage")
_ONE = Quantity(Fraction(1))


def count_name(group: str, resource: str) -> str:
    return f"count/{resource}.{group}" if group else f"count/{resource}"


def quantity(text: Any) -> Quantity | None:
    try:
        return parse_quantity(text)
    except QuantityError:
        return None


def plus(a: Quantity, b: Quantity) -> Quantity:
    """a + b, printed in b's notation when a is a bare zero (0 + 128Mi is 128Mi)."""
    return b if a.is_zero() else a + b


def add(a: Mapping[str, Quantity], b: Mapping[str, Quantity]) -> Usage:
    out = dict(a)
    for k, v in b.items():
        out[k] = plus(out[k], v) if k in out else v
    return out


def pretty(usage: Mapping[str, Quantity]) -> str:
    """Kubernetes' prettyPrint of a ResourceList: sorted `name=quantity` pairs."""
    return ",".join(f"{k}={usage[k]}" for k in sorted(usage))


def wire_list(usage: Mapping[str, Quantity]) -> dict[str, str]:
    return {k: str(v) for k, v in sorted(usage.items())}


# -- pods ----------------------------------------------------------------------------------

def _resources(container: Obj, which: str) -> dict[str, Quantity]:
    out = {}
    for k, v in (((container.get("resources") or {}).get(which)) or {}).items():
        q = quantity(v)
        if q is not None:
            out[k] = q
    return out


def _container_requests(container: Obj) -> dict[str, Quantity]:
    # a limit without a request is also the request (the pod defaulting)
    return {**_resources(container, "limits"), **_resources(container, "requests")}


def pod_totals(pod: Obj, which: str) -> dict[str, Quantity]:
    """The pod's requests or limits: its containers' summed, or an init container's when
    larger (init containers run one at a time), plus the overhead."""
    spec = pod.get("spec") or {}
    pick = _container_requests if which == "requests" else (lambda c: _resources(c, which))
    total: dict[str, Quantity] = {}
    for c in spec.get("containers") or []:
        total = add(total, pick(c))
    for c in spec.get("initContainers") or []:
        for k, v in pick(c).items():
            if k not in total or v > total[k]:
                total[k] = v
    overhead = {k: q for k, v in (spec.get("overhead") or {}).items()
                if (q := quantity(v)) is not None}
    return add(total, overhead) if overhead else total


def pod_is_live(pod: Obj, now: float) -> bool:
    """QuotaV1Pod: terminal pods, and pods past their deletion grace, use no compute."""
    if (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
        return False
    meta = pod.get("metadata") or {}
    stamp, grace = meta.get("deletionTimestamp"), meta.get("deletionGracePeriodSeconds")
    if stamp and grace is not None:
        end = parse_rfc3339(stamp) + timedelta(seconds=grace)
        if now > end.timestamp():
            return False
    return True


def pod_usage(pod: Obj, now: float) -> Usage:
    usage: Usage = {"count/pods": _ONE}
    if not pod_is_live(pod, now):
        return usage
    usage["pods"] = _ONE
    requests, limits = pod_totals(pod, "requests"), pod_totals(pod, "limits")
    for name, q in requests.items():
        if name in _COMPUTE:
            usage[name] = q
        if "/" in name or name in _COMPUTE or name.startswith("hugepages-"):
            usage[f"requests.{name}"] = q
    for name, q in limits.items():
        if name in _COMPUTE or name.startswith("hugepages-"):
            usage[f"limits.{name}"] = q
    return usage


def is_best_effort(pod: Obj) -> bool:
    spec = pod.get("spec") or {}
    for c in (spec.get("containers") or []) + (spec.get("initContainers") or []):
        for which in ("requests", "limits"):
            for name in ("cpu", "memory"):
                q = _resources(c, which).get(name)
                if q is not None and not q.is_zero():
                    return False
    return True


def missing_requirements(pod: Obj, required: Iterable[str]) -> dict[str, list[str]]:
    """For each of `required` that a pod quota tracks (cpu, limits.memory...): the
    containers that do not state it (podEvaluator.Constraints)."""
    missing: dict[str, list[str]] = {}
    spec = pod.get("spec") or {}
    wanted = [r for r in required if r in POD_VALIDATION_RESOURCES]
    for c in (spec.get("containers") or []) + (spec.get("initContainers") or []):
        requests, limits = _container_requests(c), _resources(c, "limits")
        for r in wanted:
            kind, _, name = r.rpartition(".")
            have = limits if kind == "limits" else requests
            if name not in have:
                missing.setdefault(r, []).append(c.get("name", ""))
    return missing


# -- scopes ----------------------------------------------------------------------------------

def _scope_matches(pod: Obj, scope: str, operator: str, values: list[str]) -> bool:
    spec = pod.get("spec") or {}
    if scope == "Terminating":
        deadline = spec.get("activeDeadlineSeconds")
        return deadline is not None and deadline >= 0
    if scope == "NotTerminating":
        deadline = spec.get("activeDeadlineSeconds")
        return deadline is None or deadline < 0
    if scope == "BestEffort":
        return is_best_effort(pod)
    if scope == "NotBestEffort":
        return not is_best_effort(pod)
    if scope == "PriorityClass":
        name = spec.get("priorityClassName") or ""
        return {"In": name in values, "NotIn": name not in values, "Exists": bool(name),
                "DoesNotExist": not name}.get(operator, False)
    if scope == "CrossNamespacePodAffinity":
        affinity = spec.get("affinity") or {}
        for kind in ("podAffinity", "podAntiAffinity"):
            terms = affinity.get(kind) or {}
            for term in terms.get("requiredDuringSchedulingIgnoredDuringExecution") or []:
                if term.get("namespaces") or term.get("namespaceSelector") is not None:
                    return True
            for w in terms.get("preferredDuringSchedulingIgnoredDuringExecution") or []:
                term = w.get("podAffinityTerm") or {}
                if term.get("namespaces") or term.get("namespaceSelector") is not None:
                    return True
        return False
    return False


def scope_requirements(quota: Obj) -> list[tuple[str, str, list[str]]]:
    """spec.scopes (each an Exists) and spec.scopeSelector, as (scope, operator, values)."""
    spec = quota.get("spec") or {}
    out = [(s, "Exists", []) for s in spec.get("scopes") or []]
    for req in ((spec.get("scopeSelector") or {}).get("matchExpressions")) or []:
        out.append((req.get("scopeName", ""), req.get("operator", ""),
                    list(req.get("values") or [])))
    return out


def quota_selects(quota: Obj, group: str, resource: str, obj: Obj) -> bool:
    """Whether the quota tracks this object: unscoped quotas track everything; scoped ones
    only pods that every scope matches."""
    reqs = scope_requirements(quota)
    if not reqs:
        return True
    if (group, resource) != ("", "pods"):
        return False
    return all(_scope_matches(obj, s, op, vals) for s, op, vals in reqs)


# -- every kind -------------------------------------------------------------------------------

def _service_usage(svc: Obj) -> Usage:
    spec = svc.get("spec") or {}
    usage: Usage = {"services": _ONE}
    kind = spec.get("type") or "ClusterIP"
    ports = len(spec.get("ports") or [])
    if kind == "LoadBalancer":
        usage["services.loadbalancers"] = _ONE
    if kind in ("NodePort", "LoadBalancer") and ports:
        usage["services.nodeports"] = Quantity(Fraction(ports))
    return usage


def _claim_usage(claim: Obj) -> Usage:
    usage: Usage = {"persistentvolumeclaims": _ONE}
    spec = claim.get("spec") or {}
    storage = quantity(((spec.get("resources") or {}).get("requests") or {}).get("storage"))
    cls = spec.get("storageClassName")
    if cls:
        usage[f"{cls}.storageclass.storage.k8s.io/persistentvolumeclaims"] = _ONE
    if storage is not None:
        usage["requests.storage"] = storage
        if cls:
            usage[f"{cls}.storageclass.storage.k8s.io/requests.storage"] = storage
    return usage


def usage(group: str, resource: str, obj: Obj, now: float) -> Usage:
    """Everything the object charges."""
    out: Usage = {count_name(group, resource): _ONE}
    if group:
        return out
    if resource == "pods":
        return pod_usage(obj, now)
    if resource == "services":
        return add(out, _service_usage(obj))
    if resource == "persistentvolumeclaims":
        return add(out, _claim_usage(obj))
    if resource in LEGACY_COUNTS:
        out[LEGACY_COUNTS[resource]] = _ONE
    return out


def charged_resource(name: str) -> tuple[str, str] | None:
    """Which (group, resource) a quota's resource name is charged by, so the controller
    knows what to list for it."""
    if name.startswith("count/"):
        resource, _, group = name[len("count/"):].partition(".")
        return group, resource
    if name in ("services", "services.loadbalancers", "services.nodeports"):
        return "", "services"
    if name in ("persistentvolumeclaims", "requests.storage") or \
            ".storageclass.storage.k8s.io/" in name:
        return "", "persistentvolumeclaims"
    if name in LEGACY_COUNTS:
        return "", LEGACY_COUNTS[name]
    return "", "pods"  # pods, cpu, memory, requests.*, limits.*, hugepages, extended


def hard_of(quota: Obj) -> dict[str, Quantity]:
    return {k: q for k, v in ((quota.get("spec") or {}).get("hard") or {}).items()
            if (q := quantity(v)) is not None}


def zero() -> Quantity:
    return Quantity(Fraction(0), Format.DECIMAL_SI)
