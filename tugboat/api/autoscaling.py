"""autoscaling: HorizontalPodAutoscaler (v2, the served version) and Scale (v1, the shape
of every `/scale` subresource that `kubectl scale` and the HPA controller read and write).
"""

from __future__ import annotations

from pydantic import Field

from tugboat.api.fieldtypes import Int32, Int64, Quantity
from tugboat.api.meta import K8sModel, LabelSelector, ObjectMeta, Time


class CrossVersionObjectReference(K8sModel):
    kind: str
    name: str
    apiVersion: str | None = None


class MetricTarget(K8sModel):
    type: str  # Utilization, Value, AverageValue
    value: Quantity | None = None
    averageValue: Quantity | None = None
    averageUtilization: Int32 | None = None


class ResourceMetricSource(K8sModel):
    name: str
    target: MetricTarget


class MetricIdentifier(K8sModel):
    name: str
    selector: LabelSelector | None = None


class ContainerResourceMetricSource(K8sModel):
    name: str
    target: MetricTarget
    container: str


class PodsMetricSource(K8sModel):
    metric: MetricIdentifier
    target: MetricTarget


class ObjectMetricSource(K8sModel):
    describedObject: CrossVersionObjectReference
    target: MetricTarget
    metric: MetricIdentifier


class ExternalMetricSource(K8sModel):
    metric: MetricIdentifier
    target: MetricTarget


class MetricSpec(K8sModel):
    """Every source is typed; the HPA controller reads Resource metrics only."""

    type: str  # Resource, ContainerResource, Pods, Object, External
    resource: ResourceMetricSource | None = None
    containerResource: ContainerResourceMetricSource | None = None
    pods: PodsMetricSource | None = None
    object: ObjectMetricSource | None = None
    external: ExternalMetricSource | None = None


class HPAScalingPolicy(K8sModel):
    type: str  # Pods, Percent
    value: Int32
    periodSeconds: Int32


class HPAScalingRules(K8sModel):
    stabilizationWindowSeconds: Int32 | None = None
    selectPolicy: str | None = None  # Max, Min, Disabled
    policies: list[HPAScalingPolicy] | None = None
    tolerance: Quantity | None = None


class HorizontalPodAutoscalerBehavior(K8sModel):
    scaleUp: HPAScalingRules | None = None
    scaleDown: HPAScalingRules | None = None


class HorizontalPodAutoscalerSpec(K8sModel):
    scaleTargetRef: CrossVersionObjectReference
    maxReplicas: Int32
    minReplicas: Int32 | None = None
    metrics: list[MetricSpec] | None = None
    behavior: HorizontalPodAutoscalerBehavior | None = None


class MetricValueStatus(K8sModel):
    value: Quantity | None = None
    averageValue: Quantity | None = None
    averageUtilization: Int32 | None = None


class ResourceMetricStatus(K8sModel):
    name: str
    current: MetricValueStatus


class ContainerResourceMetricStatus(K8sModel):
    name: str
    current: MetricValueStatus
    container: str


class PodsMetricStatus(K8sModel):
    metric: MetricIdentifier
    current: MetricValueStatus


class ObjectMetricStatus(K8sModel):
    metric: MetricIdentifier
    current: MetricValueStatus
    describedObject: CrossVersionObjectReference


class ExternalMetricStatus(K8sModel):
    metric: MetricIdentifier
    current: MetricValueStatus


class MetricStatus(K8sModel):
    type: str
    resource: ResourceMetricStatus | None = None
    containerResource: ContainerResourceMetricStatus | None = None
    pods: PodsMetricStatus | None = None
    object: ObjectMetricStatus | None = None
    external: ExternalMetricStatus | None = None


class HorizontalPodAutoscalerCondition(K8sModel):
    type: str
    status: str
    lastTransitionTime: Time | None = None
    reason: str | None = None
    message: str | None = None


class HorizontalPodAutoscalerStatus(K8sModel):
    observedGeneration: Int64 | None = None
    lastScaleTime: Time | None = None
    currentReplicas: Int32 | None = None
    desiredReplicas: Int32 = 0  # always on the wire in Kubernetes
    currentMetrics: list[MetricStatus] | None = None
    conditions: list[HorizontalPodAutoscalerCondition] | None = None


class HorizontalPodAutoscaler(K8sModel):
    apiVersion: str = "autoscaling/v2"
    kind: str = "HorizontalPodAutoscaler"
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    spec: HorizontalPodAutoscalerSpec | None = None
    status: HorizontalPodAutoscalerStatus = Field(default_factory=HorizontalPodAutoscalerStatus)


class ScaleSpec(K8sModel):
    replicas: Int32 | None = None


class ScaleStatus(K8sModel):
    replicas: Int32 = 0  # always on the wire in Kubernetes
    selector: str | None = None  # a label selector in its string form


class Scale(K8sModel):
    apiVersion: str = "autoscaling/v1"
    kind: str = "Scale"
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    spec: ScaleSpec = Field(default_factory=ScaleSpec)
    status: ScaleStatus = Field(default_factory=ScaleStatus)
