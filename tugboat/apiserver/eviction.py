"""The disruption-budget half of pods/eviction, as Kubernetes' eviction REST: an eviction
first takes one disruption from the budget covering the pod (a write of the budget's
status with its resourceVersion, so two evictions racing for the last allowed disruption
cannot both win), and only then is the pod deleted. A budget with none left is a 429 the
client retries (kubectl drain does, every 5 s); several budgets over one pod are a 500, as
Kubernetes does not say which would govern."""

from __future__ import annotations

from typing import Any

from tugboat.api.labels import label_selector_as_selector
from tugboat.api.meta import StatusCause, StatusDetails, now_rfc3339
from tugboat.api.policy import (
    ALWAYS_ALLOW,
    DISRUPTION_ALLOWED,
    INSUFFICIENT_PODS,
    SUFFICIENT_PODS,
)
from tugboat.api.resources import lookup
from tugboat.apiserver import errors
from tugboat.apiserver.registry import LostRace, Registry, WriteOptions
from tugboat.apiserver.strategies.generic import copy

Obj = dict[str, Any]
PDBS = lookup("policy", "v1", "poddisruptionbudgets")
PODS = lookup("", "v1", "pods")
DISRUPTION_TARGET = "DisruptionTarget"
EVICTION_BY_API = "EvictionByEvictionAPI"
DISRUPTION_BUDGET_CAUSE = "DisruptionBudget"
VIOLATES = "Cannot evict pod as it would violate the pod's disruption budget."
# Evictions not yet confirmed by the disruption controller a budget may hold.
MAX_DISRUPTED_PODS = 2000
EVICTION_RETRIES = 20


def too_many_requests(message: str, retry_after: int, cause: str) -> errors.ApiError:
    return errors.ApiError(429, "TooManyRequests", message, StatusDetails(
        retryAfterSeconds=retry_after or None,
        causes=[StatusCause(reason=DISRUPTION_BUDGET_CAUSE, message=cause)]),
        headers={"Retry-After": str(retry_after)} if retry_after else None)


def internal_error(why: str) -> errors.ApiError:
    return errors.ApiError(500, "InternalError", f"Internal error occurred: {why}",
                           StatusDetails(causes=[StatusCause(message=why)]))


def can_ignore_budgets(pod: Obj) -> bool:
    """A pod that is not running (terminal or not started) or already going disrupts
    nothing by leaving."""
    return bool(pod["metadata"].get("deletionTimestamp")) or \
        (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed", "Pending")


def is_pod_ready(pod: Obj) -> bool:
    return any(c.get("type") == "Ready" and c.get("status") == "True"
               for c in (pod.get("status") or {}).get("conditions") or [])


def budgets_for(reg: Registry, pod: Obj) -> list[Obj]:
    """The budgets in the pod's namespace whose selector matches it (an empty selector
    matches nothing here, as in Kubernetes' eviction)."""
    labels = pod["metadata"].get("labels") or {}
    found = []
    for pdb in reg.cache.list(PDBS.key_prefix(pod["metadata"].get("namespace"))):
        try:
            selector = label_selector_as_selector((pdb.get("spec") or {}).get("selector"))
        except ValueError:
            continue
        if not selector.empty() and selector.matches(labels):
            found.append(pdb)
    return found


def disruption_allowed_condition(status: Obj, now: str) -> None:
    """UpdateDisruptionAllowedCondition: True while disruptions are allowed."""
    allowed = (status.get("disruptionsAllowed") or 0) > 0
    cond = {"type": DISRUPTION_ALLOWED, "status": "True" if allowed else "False",
            "reason": SUFFICIENT_PODS if allowed else INSUFFICIENT_PODS, "message": "",
            "lastTransitionTime": now}
    conditions = [c for c in status.get("conditions") or [] if c.get("type") != DISRUPTION_ALLOWED]
    old = next((c for c in status.get("conditions") or []
                if c.get("type") == DISRUPTION_ALLOWED), None)
    if old is not None and old.get("status") == cond["status"]:
        cond["lastTransitionTime"] = old.get("lastTransitionTime") or now
    status["conditions"] = [*conditions, cond]


def _unhealthy_may_go(pdb: Obj, pod: Obj) -> bool:
    """A pod that is not Ready may go without taking a disruption: always under
    AlwaysAllow, and under IfHealthyBudget while the budget's healthy pods suffice."""
    if is_pod_ready(pod):
        return False
    spec, status = pdb.get("spec") or {}, pdb.get("status") or {}
    if spec.get("unhealthyPodEvictionPolicy") == ALWAYS_ALLOW:
        return True
    desired = status.get("desiredHealthy") or 0
    return desired > 0 and (status.get("currentHealthy") or 0) >= desired


def _decremented(pdb: Obj, pod_name: str) -> Obj:
    """checkAndDecrement: the budget with one disruption taken for the pod, or the
    refusal."""
    name, status = pdb["metadata"]["name"], dict(pdb.get("status") or {})
    if (status.get("observedGeneration") or 0) < (pdb["metadata"].get("generation") or 0):
        raise too_many_requests(VIOLATES, 10, f"The disruption budget {name} is still being "
                                              f"processed by the server.")
    allowed = status.get("disruptionsAllowed") or 0
    if allowed < 0:
        raise errors.forbidden(PDBS, name, "pdb disruptions allowed is negative")
    if len(status.get("disruptedPods") or {}) > MAX_DISRUPTED_PODS:
        raise errors.forbidden(PDBS, name, "DisruptedPods map too big - too many evictions "
                                           "not confirmed by PDB controller")
    if allowed == 0:
        raise too_many_requests(VIOLATES, 0, (
            f"The disruption budget {name} needs {status.get('desiredHealthy') or 0} healthy "
            f"pods and has {status.get('currentHealthy') or 0} currently"))
    now = now_rfc3339()
    status["disruptionsAllowed"] = allowed - 1
    if allowed == 1:
        disruption_allowed_condition(status, now)
    status["disruptedPods"] = {**(status.get("disruptedPods") or {}), pod_name: now}
    return {**copy(pdb), "status": status}


async def mark_disruption_target(reg: Registry, pod: Obj, reason: str, message: str) -> None:
    """The DisruptionTarget condition on a pod about to be deleted, so that its controller
    (and its owner, reading its status) knows why it went. Best effort: a pod that moved on
    meanwhile is deleted all the same."""
    status = pod.get("status") or {}
    if status.get("phase") in ("Succeeded", "Failed"):
        return
    cond = {"type": DISRUPTION_TARGET, "status": "True", "reason": reason, "message": message,
            "lastTransitionTime": now_rfc3339()}
    conditions = [c for c in status.get("conditions") or [] if c.get("type") != DISRUPTION_TARGET]
    updated = {**copy(pod), "status": {**status, "conditions": [*conditions, cond]}}
    try:
        await reg.update(PODS, pod["metadata"].get("namespace"), pod["metadata"]["name"],
                         updated, WriteOptions(), "status")
    except errors.ApiError:
        pass


async def take_disruption(reg: Registry, pod: Obj, dry_run: bool) -> None:
    """Refuse the eviction of `pod` (429/403/500) unless its budget allows one more
    disruption, and record that disruption in the budget first."""
    if can_ignore_budgets(pod):
        return
    ns, name = pod["metadata"].get("namespace"), pod["metadata"]["name"]
    for _ in range(EVICTION_RETRIES):
        budgets = budgets_for(reg, pod)
        if len(budgets) > 1:
            raise internal_error("This pod has more than one PodDisruptionBudget, which the "
                                 "eviction subresource does not support.")
        if not budgets or _unhealthy_may_go(budgets[0], pod):
            return
        pdb = budgets[0]
        updated = _decremented(pdb, name)
        if dry_run:
            return
        rev = int(pdb["metadata"]["resourceVersion"])
        try:
            await reg.update(PDBS, ns, pdb["metadata"]["name"], updated, WriteOptions(),
                             "status", expected=rev)
            return
        except LostRace as e:
            await reg.lost_race(e, rev)
    raise errors.conflict(PDBS, name)
