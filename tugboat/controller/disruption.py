"""The disruption controller: keeps each PodDisruptionBudget's status true, so that the
eviction subresource can decide from it alone. For a budget it counts the pods its
selector picks (expectedPods: the owning controllers' scale when the budget is a
percentage or maxUnavailable, else the pods themselves), the healthy ones (Ready, not
going, not just evicted), the number that must stay healthy, and so how many disruptions
are allowed now. Evictions the API server granted are remembered in disruptedPods until
the pod is seen going, or for two minutes, so one budget is not spent twice."""

from __future__ import annotations

import logging
from typing import Any

from tugboat.api.labels import SelectorError, label_selector_as_selector
from tugboat.api.meta import parse_rfc3339
from tugboat.api.policy import DISRUPTION_ALLOWED, INSUFFICIENT_PODS, SUFFICIENT_PODS, SYNC_FAILED
from tugboat.api.resources import for_kind
from tugboat.client import ApiError, NotFound
from tugboat.controller.conditions import stamp
from tugboat.controller.context import ControllerContext
from tugboat.controller.podconditions import is_ready
from tugboat.controller.reconciling import Controller
from tugboat.controller.rollout import scaled_value

log = logging.getLogger(__name__)

# How long an eviction the API server granted counts as a disruption without the pod
# being seen going (Kubernetes' DeletionTimeout).
DELETION_TIMEOUT = 120.0


class ScaleUnknown(Exception):
    """A pod's controller whose scale cannot be read: the budget fails safe."""


def selected_pods(pdb: Any, pods: list[Any]) -> list[Any]:
    """The budget's pods: an empty selector picks every pod of the namespace (policy/v1)."""
    selector = label_selector_as_selector(pdb.spec.selector)
    return [p for p in pods if selector.matches(p.metadata.labels)]


def live_disruptions(pdb: Any, pods: list[Any], now: float) -> tuple[dict[str, str], float | None]:
    """disruptedPods kept: granted evictions whose pod still exists, is not yet going and
    was granted less than DELETION_TIMEOUT ago; and when the first of them expires."""
    by_name = {p.metadata.name: p for p in pods}
    kept: dict[str, str] = {}
    recheck: float | None = None
    for name, when in (pdb.status.disruptedPods or {}).items():
        pod = by_name.get(name)
        if pod is None or pod.metadata.deletionTimestamp is not None:
            continue
        expires = parse_rfc3339(when).timestamp() + DELETION_TIMEOUT
        if expires <= now:
            log.info("disruption: pod %s/%s was expected to be deleted but it was not",
                     pdb.metadata.namespace, name)
            continue
        kept[name] = when
        recheck = expires if recheck is None else min(recheck, expires)
    return kept, recheck


def count_healthy(pods: list[Any], disrupted: dict[str, str]) -> int:
    return sum(1 for p in pods if p.metadata.deletionTimestamp is None
               and p.metadata.name not in disrupted and is_ready(p))


def budget_counts(pdb: Any, pods: list[Any], expected_scale: int | None) -> tuple[int, int]:
    """(expectedPods, desiredHealthy), as getExpectedPodCount: `expected_scale` is the
    controllers' total scale, needed for maxUnavailable and a percentage minAvailable."""
    spec = pdb.spec
    if spec.maxUnavailable is not None:
        expected = expected_scale or 0
        desired = max(0, expected - scaled_value(spec.maxUnavailable, expected, True))
        return expected, desired
    if isinstance(spec.minAvailable, int):
        return len(pods), spec.minAvailable
    if spec.minAvailable is not None:
        expected = expected_scale or 0
        return expected, scaled_value(spec.minAvailable, expected, True)
    return len(pods), 0


def needs_scale(pdb: Any) -> bool:
    return pdb.spec.maxUnavailable is not None or isinstance(pdb.spec.minAvailable, str)


def condition(allowed: int, old: list[Any] | None, now: float, *,
              reason: str | None = None, message: str = "") -> dict[str, Any]:
    status = "True" if allowed > 0 else "False"
    reason = reason or (SUFFICIENT_PODS if allowed > 0 else INSUFFICIENT_PODS)
    prev = next((c for c in old or [] if c.type == DISRUPTION_ALLOWED), None)
    since = prev.lastTransitionTime if prev is not None and prev.status == status else None
    return {"type": DISRUPTION_ALLOWED, "status": status, "reason": reason,
            "message": message, "observedGeneration": None,
            "lastTransitionTime": since or stamp(now)}


def desired_status(pdb: Any, pods: list[Any], expected_scale: int | None,
                   now: float) -> tuple[dict[str, Any], float | None]:
    """The budget's status from its pods, and when to look again (a disruption expiring)."""
    disrupted, recheck = live_disruptions(pdb, pods, now)
    expected, desired = budget_counts(pdb, pods, expected_scale)
    healthy = count_healthy(pods, disrupted)
    allowed = max(0, healthy - desired) if expected > 0 else 0
    cond = condition(allowed, pdb.status.conditions, now)
    cond["observedGeneration"] = pdb.metadata.generation
    status = {"observedGeneration": pdb.metadata.generation, "disruptedPods": disrupted or None,
              "disruptionsAllowed": allowed, "currentHealthy": healthy,
              "desiredHealthy": desired, "expectedPods": expected, "conditions": [cond]}
    return status, recheck


class DisruptionController(Controller):
    name = "disruption"
    workers = 2

    def __init__(self, ctx: ControllerContext):
        super().__init__(ctx)
        self.pdbs = self.informer("poddisruptionbudgets", on_change=self.enqueue)
        self.pods = self.informer("pods", on_change=self._pod_changed)

    def _pod_changed(self, pod: Any) -> None:
        for pdb in self.pdbs.list(pod.metadata.namespace):
            try:
                if label_selector_as_selector(pdb.spec.selector).matches(pod.metadata.labels):
                    self.enqueue(pdb)
            except SelectorError:
                continue

    async def _scale_of(self, ref: Any, ns: str) -> tuple[str, int]:
        """(controller uid, replicas) of a pod's controller; a ReplicaSet a Deployment
        owns counts as the Deployment (finders for RC, Deployment, RS, StatefulSet and any
        resource serving scale)."""
        info = for_kind(ref.apiVersion, ref.kind)
        if info is None or "scale" not in info.subresources:
            raise ScaleUnknown(f"{ref.kind}/{ref.name} has no scale subresource")
        if ref.kind == "ReplicaSet":
            rs = await self.client.get("replicasets", ref.name, ns)
            owner = next((o for o in (rs.get("metadata") or {}).get("ownerReferences") or []
                          if o.get("controller") and o.get("kind") == "Deployment"), None)
            if owner is not None:
                dep = await self.client.get("deployments", owner["name"], ns)
                return dep["metadata"]["uid"], (dep.get("spec") or {}).get("replicas", 1)
        scale = await self.client.get_scale(info.resource, ref.name, ns)
        return scale["metadata"].get("uid") or ref.uid, (scale.get("spec") or {}).get(
            "replicas", 0)

    async def expected_scale(self, pods: list[Any], ns: str) -> int:
        """getExpectedScale: the sum of the distinct controllers' replicas (pods with no
        controller are not counted)."""
        scales: dict[str, int] = {}
        for pod in pods:
            ref = next((r for r in pod.metadata.ownerReferences or [] if r.controller), None)
            if ref is None:
                continue
            try:
                uid, replicas = await self._scale_of(ref, ns)
            except NotFound:
                raise ScaleUnknown(f"found no controllers for pod {pod.metadata.name!r}") \
                    from None
            scales[uid] = replicas
        return sum(scales.values())

    async def reconcile(self, key: str) -> float | None:
        ns, _, name = key.rpartition("/")
        pdb = self.pdbs.get(name, ns)
        if pdb is None or pdb.metadata.deletionTimestamp is not None:
            return None
        now = self.ctx.wall()
        pods = selected_pods(pdb, self.pods.list(ns))
        if not pods:
            await self.recorder.event(pdb, "Normal", "NoPods", "No matching pods found")
        try:
            scale = await self.expected_scale(pods, ns) if needs_scale(pdb) else None
        except (ScaleUnknown, ApiError) as e:
            await self._fail_safe(pdb, str(e), now)
            return 30.0
        status, recheck = desired_status(pdb, pods, scale, now)
        await self._write(pdb, status)
        return None if recheck is None else max(0.0, recheck - now)

    async def _fail_safe(self, pdb: Any, why: str, now: float) -> None:
        """failSafe: no disruptions while the budget cannot be computed."""
        await self.recorder.event(pdb, "Warning", "CalculateExpectedPodCountFailed",
                                  f"Failed to calculate the number of expected pods: {why}")
        status = pdb.status.wire() if hasattr(pdb.status, "wire") else {}
        cond = condition(0, pdb.status.conditions, now, reason=SYNC_FAILED, message=why)
        cond["observedGeneration"] = pdb.metadata.generation
        status.update(disruptionsAllowed=0, observedGeneration=pdb.metadata.generation,
                      conditions=[cond])
        await self._write(pdb, status)

    async def _write(self, pdb: Any, status: dict[str, Any]) -> None:
        status = {k: v for k, v in status.items() if v is not None}
        for c in status.get("conditions") or []:
            if c.get("observedGeneration") is None:
                c.pop("observedGeneration", None)
        body = pdb.wire()
        if body.get("status") == status:
            return
        body["status"] = status
        await self.client.update_status("poddisruptionbudgets", body, pdb.metadata.namespace)
