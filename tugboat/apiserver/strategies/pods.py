"""Pods: a generation from the start, the initial status (Pending, PodScheduled) set on
create, graceful deletion for pods a kubelet may be running (Kubernetes'
CheckGracefulDelete), and the binding subresource through which the scheduler writes."""

from __future__ import annotations

from typing import Any

from tugboat.api import defaults
from tugboat.apiserver.strategies.binding import BindingStrategy
from tugboat.apiserver.strategies.ephemeralcontainers import EphemeralContainersStrategy
from tugboat.apiserver.strategies.generic import Obj, Strategy


class PodStrategy(Strategy):
    always_has_generation = True
    extra_subresources = {"binding": BindingStrategy,
                          "ephemeralcontainers": EphemeralContainersStrategy}

    def default(self, obj: Any, creating: bool) -> None:
        super().default(obj, creating)
        if creating:
            defaults.default_pod_status_on_create(obj)

    def grace_period(self, obj: Obj, requested: int | None) -> int:
        """Unscheduled and finished pods go at once; others get the requested grace or
        their spec.terminationGracePeriodSeconds, for the kubelet to stop them."""
        spec = obj.get("spec", {})
        if not spec.get("nodeName"):
            return 0
        if obj.get("status", {}).get("phase") in ("Succeeded", "Failed"):
            return 0
        grace = requested if requested is not None else \
            spec.get("terminationGracePeriodSeconds", 30)
        # Kubernetes' delete path (1.22+): a negative grace period reads as 1 s — never as
        # "now", which would drop the pod before its kubelet stopped it.
        return 1 if grace < 0 else grace
