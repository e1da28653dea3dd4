"""A Deployment's status from its ReplicaSets: the replica counts, and the Available and
Progressing conditions that `kubectl rollout status` reads (Kubernetes' progress.go:
NewReplicaSetCreated, ReplicaSetUpdated, NewReplicaSetAvailable, ProgressDeadlineExceeded,
DeploymentPaused, DeploymentResumed)."""

from __future__ import annotations

from typing import Any

from tugboat.api.meta import parse_rfc3339
from tugboat.controller.conditions import find, set_condition

PROGRESSING, AVAILABLE = "Progressing", "Available"


def counts(desired: int, rss: list[Any], new_rs: Any | None) -> dict[str, int]:
    available = sum(rs.status.availableReplicas or 0 for rs in rss)
    return {
        "replicas": sum(rs.status.replicas or 0 for rs in rss),
        "updatedReplicas": (new_rs.status.replicas or 0) if new_rs is not None else 0,
        "readyReplicas": sum(rs.status.readyReplicas or 0 for rs in rss),
        "availableReplicas": available,
        "unavailableReplicas": max(desired - available, 0),
    }


def is_complete(desired: int, status: dict[str, Any], generation: int | None) -> bool:
    return (status["updatedReplicas"] == desired and status["replicas"] == desired
            and status["availableReplicas"] == desired
            and (status.get("observedGeneration") or 0) >= (generation or 0))


def made_progress(old: Any, new: dict[str, Any]) -> bool:
    """DeploymentProgressing: more updated, ready or available pods, or fewer old ones."""
    old_pods = (old.replicas or 0) - (old.updatedReplicas or 0)
    new_pods = new["replicas"] - new["updatedReplicas"]
    return (new["updatedReplicas"] > (old.updatedReplicas or 0) or new_pods < old_pods
            or new["readyReplicas"] > (old.readyReplicas or 0)
            or new["availableReplicas"] > (old.availableReplicas or 0))


def timed_out(conditions: list[dict[str, Any]], deadline: int | None, now: float) -> bool:
    cond = find(conditions, PROGRESSING)
    if cond is None or deadline is None or cond.get("reason") == "NewReplicaSetAvailable":
        return False
    if cond.get("reason") == "ProgressDeadlineExceeded":
        return True
    try:
        since = parse_rfc3339(cond.get("lastUpdateTime") or "").timestamp()
    except ValueError:
        return False
    return since + deadline < now


def compute(d: Any, rss: list[Any], new_rs: Any | None, unavailable: int, now: float
            ) -> dict[str, Any]:
    """The deployment's next status (conditions included)."""
    desired = d.spec.replicas or 0
    status = {**d.status.wire(), **counts(desired, rss, new_rs),
              "observedGeneration": d.metadata.generation}
    conds = [c.wire() for c in d.status.conditions or []]
    if status["availableReplicas"] >= desired - unavailable:
        conds = set_condition(conds, AVAILABLE, "True", "MinimumReplicasAvailable",
                              "Deployment has minimum availability.", now)
    else:
        conds = set_condition(conds, AVAILABLE, "False", "MinimumReplicasUnavailable",
                              "Deployment does not have minimum availability.", now)
    status["conditions"] = _progressing(d, conds, status, new_rs, now)
    return status


def _progressing(d: Any, conds: list[dict[str, Any]], status: dict[str, Any],
                 new_rs: Any | None, now: float) -> list[dict[str, Any]]:
    cur = find(conds, PROGRESSING)
    if d.spec.paused:
        return set_condition(conds, PROGRESSING, "Unknown", "DeploymentPaused",
                             "Deployment is paused", now)
    if cur is not None and cur.get("reason") == "DeploymentPaused":
        conds = set_condition(conds, PROGRESSING, "Unknown", "DeploymentResumed",
                              "Deployment is resumed", now)
    rs_name = new_rs.metadata.name if new_rs is not None else ""
    desired = d.spec.replicas or 0
    if is_complete(desired, status, d.metadata.generation):
        return set_condition(conds, PROGRESSING, "True", "NewReplicaSetAvailable",
                             f'ReplicaSet "{rs_name}" has successfully progressed.', now)
    if made_progress(d.status, status):
        return set_condition(conds, PROGRESSING, "True", "ReplicaSetUpdated",
                             f'ReplicaSet "{rs_name}" is progressing.', now, refresh=True)
    if timed_out(conds, d.spec.progressDeadlineSeconds, now):
        return set_condition(conds, PROGRESSING, "False", "ProgressDeadlineExceeded",
                             f'ReplicaSet "{rs_name}" has timed out progressing.', now)
    return conds


def deadline_in(d: Any, status: dict[str, Any], now: float) -> float | None:
    """Seconds until the progress deadline would pass for an unfinished rollout."""
    cond = find(status.get("conditions") or [], PROGRESSING)
    deadline = d.spec.progressDeadlineSeconds
    if cond is None or deadline is None or d.spec.paused \
            or cond.get("reason") not in ("ReplicaSetUpdated", "NewReplicaSetCreated",
                                          "DeploymentResumed"):
        return None
    try:
        since = parse_rfc3339(cond.get("lastUpdateTime") or "").timestamp()
    except ValueError:
        return None
    return max(since + deadline - now, 0) + 1
