"""policy/v1 types: the Eviction a client POSTs to pods/{name}/eviction (kubectl drain),
and the PodDisruptionBudget that may refuse it.

An Eviction is never stored; it carries the DeleteOptions of the graceful delete it asks
for, and is decoded like any object so that a wrong JSON type in it is a 422, not a 500.
A budget's status is the disruption controller's: how many of the selected pods are
healthy, how many must be, and so how many evictions are allowed right now."""

from __future__ import annotations

from pydantic import Field

from tugboat.api.fieldtypes import Int32, Int64, IntOrString
from tugboat.api.meta import Condition, DeleteOptions, K8sModel, LabelSelector, ObjectMeta, Time


class Eviction(K8sModel):
    apiVersion: str = "policy/v1"
    kind: str = "Eviction"
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    deleteOptions: DeleteOptions | None = None


# unhealthyPodEvictionPolicy values: may an unhealthy (running, not Ready) pod be evicted
# only while the budget allows it, or always.
IF_HEALTHY_BUDGET = "IfHealthyBudget"
ALWAYS_ALLOW = "AlwaysAllow"
UNHEALTHY_POD_EVICTION_POLICIES = (IF_HEALTHY_BUDGET, ALWAYS_ALLOW)
# The condition the disruption controller keeps on a budget, and its reasons.
DISRUPTION_ALLOWED = "DisruptionAllowed"
SUFFICIENT_PODS = "SufficientPods"
INSUFFICIENT_PODS = "InsufficientPods"
SYNC_FAILED = "SyncFailed"


class PodDisruptionBudgetSpec(K8sModel):
    minAvailable: IntOrString | None = None
    selector: LabelSelector | None = None
    maxUnavailable: IntOrString | None = None
    unhealthyPodEvictionPolicy: str | None = None


class PodDisruptionBudgetStatus(K8sModel):
    observedGeneration: Int64 | None = None
    # pod name -> when the API server let it be evicted, until the controller sees it go
    disruptedPods: dict[str, Time] | None = None
    disruptionsAllowed: Int32 = 0
    currentHealthy: Int32 = 0
    desiredHealthy: Int32 = 0
    expectedPods: Int32 = 0
    conditions: list[Condition] | None = None


class PodDisruptionBudget(K8sModel):
    apiVersion: str = "policy/v1"
    kind: str = "PodDisruptionBudget"
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    spec: PodDisruptionBudgetSpec = Field(default_factory=PodDisruptionBudgetSpec)
    status: PodDisruptionBudgetStatus = Field(default_factory=PodDisruptionBudgetStatus)
