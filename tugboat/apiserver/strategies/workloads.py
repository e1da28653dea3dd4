"""Workload controllers (ReplicationController, ReplicaSet, Deployment, DaemonSet): their
spec always exists, so they always carry a generation for the controllers' observed
generation to follow; a ReplicationController's selector is a plain label map."""

from __future__ import annotations

from tugboat.api.selectors import selector_from_set
from tugboat.apiserver.strategies.generic import Obj, Strategy


class WorkloadStrategy(Strategy):
    always_has_generation = True


class ReplicationControllerStrategy(WorkloadStrategy):
    def scale_selector(self, obj: Obj) -> str:
        sel = (obj.get("spec") or {}).get("selector")
        return "" if sel is None else selector_from_set(sel).to_string()
