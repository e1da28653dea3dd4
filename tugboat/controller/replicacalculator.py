"""The HorizontalPodAutoscaler's arithmetic (Kubernetes' replica_calculator.go and
normalizeDesiredReplicas), free of I/O so it is tested as a table:

    desired = ceil(current_ready_pods × currentUtilization / targetUtilization)

with the tolerance (no change within ±10%), pods without metrics assumed at 100% of
their request when scaling down and at 0% when scaling up, not-ready pods assumed at 0%
when scaling up, a downscale stabilisation window (the highest recommendation of the
window wins), the [min, max] bounds and a scale-up limit of max(2 × current, 4).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field


class MetricsError(Exception):
    """No replica count can be computed (missing requests, no metrics)."""


@dataclass
class PodSample:
    name: str
    request: float | None  # summed requests of the resource (None: a container lacks one)
    usage: float | None = None  # summed usage from PodMetrics (None: no metrics)
    ready: bool = True
    ignored: bool = False  # being deleted, or failed


def _ratio(usage: dict[str, float], requests: dict[str, float], target: int
           ) -> tuple[float, int, float]:
    total_usage = sum(usage.values())
    total_request = sum(requests[name] for name in usage)
    if total_request <= 0:
        raise MetricsError("no requests to compute utilization against")
    utilization = int(total_usage * 100 / total_request)
    return utilization / target, utilization, total_usage / len(usage)


def resource_replicas(current: int, target: int, pods: list[PodSample], tolerance: float
                      ) -> tuple[int, int, float]:
    """(desired replicas, current utilization %, average usage per pod)."""
    live = [p for p in pods if not p.ignored]
    if not live:
        raise MetricsError("no pods returned by selector while calculating replica count")
    missing_request = [p.name for p in live if p.request is None]
    if missing_request:
        raise MetricsError(f"missing request for the resource on pod {missing_request[0]}")
    requests = {p.name: float(p.request or 0) for p in live}
    usage = {p.name: p.usage for p in live if p.usage is not None and p.ready}
    missing = [p for p in live if p.usage is None]
    unready = [p for p in live if p.usage is not None and not p.ready]
    if not usage:
        raise MetricsError("did not receive metrics for targeted pods (pods might be unready)")
    ratio, utilization, average = _ratio(usage, requests, target)
    scale_up_with_unready = bool(unready) and ratio > 1.0
    if not scale_up_with_unready and not missing:
        if abs(1.0 - ratio) <= tolerance:
            return current, utilization, average
        return math.ceil(ratio * len(usage)), utilization, average
    for p in missing:
        usage[p.name] = requests[p.name] if ratio < 1.0 else 0.0
    if scale_up_with_unready:
        for p in unready:
            usage[p.name] = 0.0
    new_ratio, _, _ = _ratio(usage, requests, target)
    if abs(1.0 - new_ratio) <= tolerance or (ratio < 1.0 < new_ratio) or \
            (new_ratio < 1.0 < ratio):
        return current, utilization, average
    desired = math.ceil(new_ratio * len(usage))
    if (new_ratio < 1.0 and desired > current) or (new_ratio > 1.0 and desired < current):
        return current, utilization, average
    return desired, utilization, average


@dataclass
class Stabilizer:
    """Downscale stabilisation: remember recommendations for `window` seconds and act on
    the highest, so a brief dip does not shed pods."""

    window: float
    _seen: dict[str, list[tuple[float, int]]] = field(default_factory=dict)

    def stabilize(self, key: str, recommendation: int, now: float) -> int:
        recent = [(t, r) for t, r in self._seen.get(key, []) if now - t <= self.window]
        recent.append((now, recommendation))
        self._seen[key] = recent
        return max(r for _, r in recent)

    def forget(self, key: str) -> None:
        self._seen.pop(key, None)


def bounded(current: int, desired: int, minimum: int, maximum: int) -> tuple[int, str, str]:
    """convertDesiredReplicasWithRules: (replicas, ScalingLimited reason, message)."""
    limit = max(2 * current, 4)
    if desired < minimum:
        return minimum, "TooFewReplicas", \
            "the desired replica count is less than the minimum replica count"
    if desired > maximum:
        return maximum, "TooManyReplicas", \
            "the desired replica count is more than the maximum replica count"
    if desired > limit:
        return limit, "ScaleUpLimit", \
            "the desired replica count is increasing faster than the maximum scale rate"
    return desired, "DesiredWithinRange", "the desired count is within the acceptable range"
