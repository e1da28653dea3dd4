"""What controllers ask of a pod's state: active or finished, ready, available for
minReadySeconds — read from its phase, deletionTimestamp and Ready condition, as
Kubernetes' podutil does."""

from __future__ import annotations

from typing import Any

from tugboat.api.meta import parse_rfc3339

TERMINAL_PHASES = ("Succeeded", "Failed")


def is_terminal(pod: Any) -> bool:
    return pod.status.phase in TERMINAL_PHASES


def is_active(pod: Any) -> bool:
    """Counts towards a controller's replicas: not finished and not being deleted."""
    return not is_terminal(pod) and pod.metadata.deletionTimestamp is None


def condition(pod: Any, kind: str) -> Any | None:
    for c in pod.status.conditions or []:
        if c.type == kind:
            return c
    return None


def is_ready(pod: Any) -> bool:
    c = condition(pod, "Ready")
    return c is not None and c.status == "True"


def ready_since(pod: Any) -> float | None:
    """Wall-clock seconds at which the pod last became Ready (None: not ready)."""
    c = condition(pod, "Ready")
    if c is None or c.status != "True":
        return None
    try:
        return parse_rfc3339(c.lastTransitionTime).timestamp() if c.lastTransitionTime else 0.0
    except ValueError:
        return 0.0


def is_available(pod: Any, min_ready_seconds: int | None, now: float) -> bool:
    """Ready for at least minReadySeconds."""
    since = ready_since(pod)
    if since is None:
        return False
    return not min_ready_seconds or since + min_ready_seconds <= now


def available_in(pod: Any, min_ready_seconds: int | None, now: float) -> float | None:
    """Seconds until a ready pod becomes available (None: not ready, or already is)."""
    since = ready_since(pod)
    if since is None or not min_ready_seconds:
        return None
    left = since + min_ready_seconds - now
    return left if left > 0 else None


def restart_count(pod: Any) -> int:
    return sum(s.restartCount for s in (pod.status.containerStatuses or []))


_PHASE_RANK = {"Pending": 0, "Unknown": 1, "Running": 2}


def deletion_rank(pod: Any) -> tuple[Any, ...]:
    """Kubernetes' ActivePods ordering: the pods to delete first sort first — unscheduled
    before scheduled, Pending before Unknown before Running, not ready before ready,
    recently ready before long ready, more restarts first, newer before older."""
    since = ready_since(pod)
    created = pod.metadata.creationTimestamp or ""
    return (bool(pod.spec.nodeName), _PHASE_RANK.get(pod.status.phase or "Pending", 0),
            since is not None, -(since or 0.0), -restart_count(pod), _Desc(created))


class _Desc:
    """Reverses a string's order inside a sort key (newer timestamps first)."""

    def __init__(self, value: str):
        self.value = value

    def __lt__(self, other: _Desc) -> bool:
        return self.value > other.value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Desc) and self.value == other.value
