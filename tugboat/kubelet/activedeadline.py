"""`activeDeadlineSeconds` (the kubelet's active_deadline.go): a pod that has been active on
the node (since its status.startTime) for longer than its deadline fails — phase Failed,
reason DeadlineExceeded — and the pod worker kills its containers. Jobs rely on it to cap
a pod's run time. The pod worker asks `remaining` after every sync and wakes the pod at
its deadline, so a pod fails on time rather than at the next periodic sync."""

from __future__ import annotations

from tugboat.api.core import Pod, PodStatus
from tugboat.api.meta import parse_rfc3339
from tugboat.kubelet.phase import FAILED, TERMINAL

REASON = "DeadlineExceeded"
MESSAGE = "Pod was active on the node longer than the specified deadline"


def remaining(pod: Pod, status: PodStatus, now: float) -> float | None:
    """Seconds until the pod's deadline (≤ 0: passed); None when it has none, has not
    started yet (no startTime) or has already finished."""
    deadline = pod.spec.activeDeadlineSeconds
    if deadline is None or not status.startTime or status.phase in TERMINAL:
        return None
    try:
        started = parse_rfc3339(status.startTime).timestamp()
    except ValueError:
        return None
    return started + deadline - now


def exceeded(pod: Pod, status: PodStatus, now: float) -> bool:
    left = remaining(pod, status, now)
    return left is not None and left <= 0


def failed(status: PodStatus) -> PodStatus:
    """The status the kubelet reports for a pod past its deadline (its containers' states
    follow as they are killed)."""
    return status.model_copy(update={"phase": FAILED, "reason": REASON, "message": MESSAGE})
