"""Taint-based eviction (Kubernetes' NoExecute taint manager), as a pure computation: given
the NoExecute taints on a node, with when this process first saw each, when must a pod on
it go?

- a taint the pod does not tolerate: at once — except the two a node's health implies
  (`unreachable`, `not-ready`), which pods tolerate for `--pod-eviction-timeout` by default
  (Kubernetes' DefaultTolerationSeconds admission adds that toleration, 300 s, to every
  pod; Tugboat applies it here, so a pod that sets none behaves the same);
- a tolerated taint: after the toleration's tolerationSeconds, or never when it has none
  (daemon pods tolerate `unreachable` for good);
- with several taints, the earliest deadline wins.

Times are this process's monotonic clock: a toleration counts from when we saw the taint,
never from its `timeAdded`, which another host's clock may have written."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tugboat.controller.daemonpods import tolerates

UNREACHABLE = "node.kubernetes.io/unreachable"
NOT_READY = "node.kubernetes.io/not-ready"
OUT_OF_SERVICE = "node.kubernetes.io/out-of-service"
HEALTH_TAINTS = (UNREACHABLE, NOT_READY)


def tolerated_for(pod: Any, taint: Any, default_seconds: float) -> float | None:
    """Seconds the pod may stay under this NoExecute taint (None: for good)."""
    for t in pod.spec.tolerations or []:
        if tolerates(t, taint):
            return None if t.tolerationSeconds is None else max(0.0, float(t.tolerationSeconds))
    return default_seconds if taint.key in HEALTH_TAINTS else 0.0


def eviction_time(pod: Any, taints: Iterable[tuple[Any, float]], default_seconds: float
                  ) -> float | None:
    """When (on our clock) the pod is to be evicted, given (taint, first seen) pairs of the
    node's NoExecute taints; None when it may stay for good."""
    deadlines = []
    for taint, since in taints:
        allowed = tolerated_for(pod, taint, default_seconds)
        if allowed is not None:
            deadlines.append(since + allowed)
    return min(deadlines) if deadlines else None
