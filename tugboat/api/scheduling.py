"""scheduling.k8s.io/v1 PriorityClass: a name for a pod priority. The Priority admission
plugin turns a pod's priorityClassName into spec.priority, and the scheduler preempts
lower-priority pods for higher ones. The two system classes exist in every cluster."""

from __future__ import annotations

from pydantic import Field

from tugboat.api.fieldtypes import Int32
from tugboat.api.meta import K8sModel, ObjectMeta

PREEMPT_LOWER_PRIORITY = "PreemptLowerPriority"
PREEMPT_NEVER = "Never"
PREEMPTION_POLICIES = (PREEMPT_LOWER_PRIORITY, PREEMPT_NEVER)
# The highest value a user's class may have; above it are the system classes.
HIGHEST_USER_DEFINABLE_PRIORITY = 1_000_000_000
SYSTEM_CRITICAL_PRIORITY = 2 * HIGHEST_USER_DEFINABLE_PRIORITY
SYSTEM_PRIORITY_CLASS_PREFIX = "system-"
SYSTEM_NODE_CRITICAL = "system-node-critical"
SYSTEM_CLUSTER_CRITICAL = "system-cluster-critical"
# name -> (value, description), as Kubernetes' SystemPriorityClasses
SYSTEM_PRIORITY_CLASSES: dict[str, tuple[int, str]] = {
    SYSTEM_NODE_CRITICAL: (SYSTEM_CRITICAL_PRIORITY + 1000,
                           "Used for system critical pods that must not be moved from their "
                           "current node."),
    SYSTEM_CLUSTER_CRITICAL: (SYSTEM_CRITICAL_PRIORITY,
                              "Used for system critical pods that must run in the cluster, "
                              "but can be moved to another node if necessary."),
}


class PriorityClass(K8sModel):
    apiVersion: str = "scheduling.k8s.io/v1"
    kind: str = "PriorityClass"
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    value: Int32 = 0
    globalDefault: bool | None = None
    description: str | None = None
    preemptionPolicy: str | None = None
