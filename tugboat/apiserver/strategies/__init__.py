"""Per-kind write rules, after Kubernetes' registry strategies: what a create resets and
allocates, what an update keeps from the stored object, when `metadata.generation`
moves, how long a delete waits, and what each subresource (status, scale, binding,
finalize) may change. One module per kind; `strategy_for` finds a resource's strategy
(or its subresource's) from its ResourceInfo, and kinds without rules of their own get
the default. The registry runs every strategy through the same pipeline."""

from __future__ import annotations

import functools

from tugboat.api.customresources import CustomResourceInfo
from tugboat.api.resources import ResourceInfo
from tugboat.apiserver.strategies.cronjobs import CronJobStrategy
from tugboat.apiserver.strategies.customresourcedefinitions import (
    CustomResourceDefinitionStrategy,
)
from tugboat.apiserver.strategies.customresources import CustomResourceStrategy
from tugboat.apiserver.strategies.generic import GracefulDeletion, Strategy, Wrapped
from tugboat.apiserver.strategies.jobs import JobStrategy
from tugboat.apiserver.strategies.namespaces import NamespaceStrategy
from tugboat.apiserver.strategies.nodes import NodeStrategy
from tugboat.apiserver.strategies.pods import PodStrategy
from tugboat.apiserver.strategies.priorityclasses import PriorityClassStrategy
from tugboat.apiserver.strategies.scale import ScaleStrategy
from tugboat.apiserver.strategies.secrets import SecretStrategy
from tugboat.apiserver.strategies.services import ServiceStrategy
from tugboat.apiserver.strategies.status import StatusStrategy
from tugboat.apiserver.strategies.workloads import (
    ReplicationControllerStrategy,
    WorkloadStrategy,
)

__all__ = ["GracefulDeletion", "Strategy", "Wrapped", "strategy_for"]

# (group, kind) → its strategy; every kind not listed follows the default Strategy.
_KINDS: dict[tuple[str, str], type[Strategy]] = {
    ("", "Namespace"): NamespaceStrategy,
    ("", "Pod"): PodStrategy,
    ("", "Node"): NodeStrategy,
    ("", "Service"): ServiceStrategy,
    ("", "Secret"): SecretStrategy,
    ("", "ReplicationController"): ReplicationControllerStrategy,
    ("apps", "ReplicaSet"): WorkloadStrategy,
    ("apps", "Deployment"): WorkloadStrategy,
    ("apps", "DaemonSet"): WorkloadStrategy,
    ("apps", "StatefulSet"): WorkloadStrategy,
    ("batch", "Job"): JobStrategy,
    ("scheduling.k8s.io", "PriorityClass"): PriorityClassStrategy,
    ("apiextensions.k8s.io", "CustomResourceDefinition"): CustomResourceDefinitionStrategy,
    ("batch", "CronJob"): CronJobStrategy,
}
# Subresources every kind that serves them writes the same way.
_SUBRESOURCES: dict[str, type[Wrapped]] = {"status": StatusStrategy, "scale": ScaleStrategy}


@functools.cache
def strategy_for(info: ResourceInfo, sub: str | None = None) -> Strategy:
    """The strategy of a resource, or of one of its subresources (LookupError when the
    resource has no such writable subresource)."""
    if sub is None:
        if isinstance(info, CustomResourceInfo):  # served from a CRD: no kind of ours
            return CustomResourceStrategy(info)
        return _KINDS.get((info.group, info.kind), Strategy)(info)
    main = strategy_for(info)
    if sub not in info.subresources:
        raise LookupError(f"{info.resource} has no subresource {sub}")
    table = {**_SUBRESOURCES, **main.extra_subresources}
    return table[sub](main)
