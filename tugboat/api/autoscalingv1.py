"""autoscaling/v1 HorizontalPodAutoscaler: the first HPA version, CPU utilization only,
still what `kubectl autoscale` writes. It is served beside autoscaling/v2 and stored as v2:
api/conversion/autoscaling.py converts between the two (the metrics, behavior and
conditions v1 cannot say ride in annotations, as Kubernetes keeps them)."""

from __future__ import annotations

from pydantic import Field

from tugboat.api.autoscaling import CrossVersionObjectReference
from tugboat.api.fieldtypes import Int32, Int64
from tugboat.api.meta import K8sModel, ObjectMeta, Time


class HorizontalPodAutoscalerSpec(K8sModel):
    scaleTargetRef: CrossVersionObjectReference
    maxReplicas: Int32
    minReplicas: Int32 | None = None
    targetCPUUtilizationPercentage: Int32 | None = None


class HorizontalPodAutoscalerStatus(K8sModel):
    observedGeneration: Int64 | None = None
    lastScaleTime: Time | None = None
    currentReplicas: Int32 = 0  # both always on the wire in v1 (no omitempty)
    desiredReplicas: Int32 = 0
    currentCPUUtilizationPercentage: Int32 | None = None


class HorizontalPodAutoscaler(K8sModel):
    apiVersion: str = "autoscaling/v1"
    kind: str = "HorizontalPodAutoscaler"
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    spec: HorizontalPodAutoscalerSpec | None = None
    status: HorizontalPodAutoscalerStatus = Field(default_factory=HorizontalPodAutoscalerStatus)
