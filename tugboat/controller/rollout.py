"""The arithmetic of a Deployment rollout, apart from any I/O so it can be tested as a
table: maxSurge / maxUnavailable resolved against the replica count, how far the new
ReplicaSet may grow, how far the old ones may shrink without dropping below
`replicas - maxUnavailable` available pods (Kubernetes' rolling.go), and proportional
scaling of a paused deployment's ReplicaSets.

Each ReplicaSet is an `RSState`: its name, spec replicas, available pods and age.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from tugboat.api.fieldtypes import IntOrString


@dataclass
class RSState:
    name: str
    replicas: int
    available: int
    created: str = ""


def scaled_value(value: IntOrString | None, total: int, round_up: bool) -> int:
    """An int, or a percentage of `total` rounded up (surge) or down (unavailable)."""
    if value is None:
        return 0
    if isinstance(value, int):
        return value
    text = value.strip()
    if text.endswith("%"):
        share = int(text[:-1]) * total / 100
        return math.ceil(share) if round_up else math.floor(share)
    return int(text)


def resolve_fenceposts(max_surge: IntOrString | None, max_unavailable: IntOrString | None,
                       desired: int) -> tuple[int, int]:
    """(surge, unavailable); both zero would deadlock, so unavailable becomes 1."""
    surge = scaled_value(max_surge, desired, True)
    unavailable = scaled_value(max_unavailable, desired, False)
    if surge == 0 and unavailable == 0:
        unavailable = 1
    return surge, unavailable


def new_rs_target(desired: int, surge: int, total_replicas: int, new_replicas: int) -> int:
    """NewRSNewReplicas for RollingUpdate: grow the new ReplicaSet while the total stays
    within desired + maxSurge."""
    max_total = desired + surge
    if total_replicas >= max_total:
        return new_replicas
    grow = min(max_total - total_replicas, max(desired - new_replicas, 0))
    return new_replicas + grow


def old_rs_targets(desired: int, unavailable: int, new: RSState | None,
                   olds: list[RSState]) -> dict[str, int]:
    """reconcileOldReplicaSets: first shed old pods that are not available (they cost no
    availability), then scale old ReplicaSets down, oldest first, only as far as keeps
    `desired - unavailable` pods available. Returns {name: new replicas} for changes."""
    if sum(rs.replicas for rs in olds) == 0:
        return {}
    olds = sorted(olds, key=lambda r: (r.created, r.name))
    new_replicas = new.replicas if new else 0
    new_unavailable = new_replicas - (new.available if new else 0)
    all_pods = new_replicas + sum(rs.replicas for rs in olds)
    min_available = desired - unavailable
    max_scaled_down = all_pods - min_available - new_unavailable
    if max_scaled_down <= 0:
        return {}
    targets: dict[str, int] = {}
    cleaned = 0
    for rs in olds:  # cleanupUnhealthyReplicas
        if cleaned >= max_scaled_down:
            break
        if rs.replicas == 0 or rs.replicas <= rs.available:
            continue
        drop = min(max_scaled_down - cleaned, rs.replicas - rs.available)
        targets[rs.name] = rs.replicas - drop
        cleaned += drop
    available = (new.available if new else 0) + sum(min(rs.available, targets.get(
        rs.name, rs.replicas)) for rs in olds)
    if available <= min_available:
        return targets
    budget, done = available - min_available, 0
    for rs in olds:  # scaleDownOldReplicaSetsForRollingUpdate
        if done >= budget:
            break
        current = targets.get(rs.name, rs.replicas)
        if current == 0:
            continue
        drop = min(current, budget - done)
        targets[rs.name] = current - drop
        done += drop
    return targets


def proportional_targets(desired: int, surge: int, new: RSState | None,
                         olds: list[RSState]) -> dict[str, int]:
    """Scaling a deployment that is mid-rollout or paused (Kubernetes' `scale`): one
    active ReplicaSet takes the whole count; a saturated new one retires the old ones;
    otherwise growth goes to the newest ReplicaSet and shrinkage comes from the oldest."""
    everyone = sorted([*olds, *([new] if new else [])], key=lambda r: (r.created, r.name))
    active = [rs for rs in everyone if rs.replicas > 0]
    if len(active) <= 1:
        target = active[0] if active else (new or (everyone[-1] if everyone else None))
        if target is None or target.replicas == desired:
            return {}
        return {target.name: desired}
    if new is not None and new.replicas == desired and new.available >= desired:
        return {rs.name: 0 for rs in olds if rs.replicas}
    delta = desired + surge - sum(rs.replicas for rs in active)
    if delta > 0:
        newest = new if new is not None and new.replicas > 0 else active[-1]
        return {newest.name: newest.replicas + delta}
    targets: dict[str, int] = {}
    for rs in active:
        if delta >= 0:
            break
        drop = min(rs.replicas, -delta)
        targets[rs.name] = rs.replicas - drop
        delta += drop
    return targets
