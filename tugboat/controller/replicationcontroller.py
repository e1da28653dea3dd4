"""The ReplicationController controller: the ReplicaSet loop over v1
ReplicationControllers, whose selector is a plain label map (Kubernetes runs the
ReplicaSet controller with an adapter for the same reason)."""

from __future__ import annotations

from typing import Any

from tugboat.api.labels import Selector, selector_from_set
from tugboat.controller.replicaset import ReplicaSetController


class ReplicationControllerController(ReplicaSetController):
    name = "replicationcontroller"
    resource = "replicationcontrollers"
    kind = "ReplicationController"

    def selector(self, owner: Any) -> Selector:
        if not owner.spec.selector:
            return Selector.nothing()
        return selector_from_set(owner.spec.selector)
