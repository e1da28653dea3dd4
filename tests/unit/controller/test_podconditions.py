"""Pod state as controllers read it, and the order in which surplus pods are deleted."""

from __future__ import annotations

from typing import Any

from tugboat.api.core import Pod
from tugboat.controller.conditions import stamp
from tugboat.controller.podconditions import (
    available_in,
    deletion_rank,
    is_active,
    is_available,
    is_ready,
)

NOW = 1_700_000_000.0


def pod(name: str, phase: str = "Running", node: str | None = "n", ready_at: float | None = None,
        restarts: int = 0, created: str = "2025-01-01T00:00:00Z", **meta: Any) -> Pod:
    conds = [] if ready_at is None else [{"type": "Ready", "status": "True",
                                          "lastTransitionTime": stamp(ready_at)}]
    return Pod.model_validate({
        "metadata": {"name": name, "creationTimestamp": created, **meta},
        "spec": {"nodeName": node, "containers": [{"name": "c"}]},
        "status": {"phase": phase, "conditions": conds,
                   "containerStatuses": [{"name": "c", "restartCount": restarts}]}})


def test_state() -> None:
    assert is_active(pod("a"))
    assert not is_active(pod("a", "Succeeded"))
    assert not is_active(pod("a", deletionTimestamp="2025-01-01T00:00:00Z"))
    ready = pod("a", ready_at=NOW - 5)
    assert is_ready(ready) and not is_ready(pod("b"))
    assert is_available(ready, 0, NOW) and is_available(ready, 5, NOW)
    assert not is_available(ready, 10, NOW)
    assert available_in(ready, 10, NOW) == 5
    assert available_in(ready, 2, NOW) is None


def test_deletion_order() -> None:
    pods = [
        pod("old-ready", ready_at=NOW - 100, created="2025-01-01T00:00:00Z"),
        pod("new-ready", ready_at=NOW - 100, created="2025-01-02T00:00:00Z"),
        pod("recently-ready", ready_at=NOW - 1),
        pod("crashy", ready_at=NOW - 100, restarts=5),
        pod("not-ready"),
        pod("pending", "Pending"),
        pod("unknown", "Unknown"),
        pod("unscheduled", "Pending", node=None),
    ]
    order = [p.metadata.name for p in sorted(pods, key=deletion_rank)]
    assert order == ["unscheduled", "pending", "unknown", "not-ready", "recently-ready",
                     "crashy", "new-ready", "old-ready"]
