"""metrics.k8s.io/v1beta1 NodeMetrics and PodMetrics: computed CPU/memory usage that `top`
and the HorizontalPodAutoscaler read; never stored."""

from __future__ import annotations

from pydantic import Field

from tugboat.api.fieldtypes import ResourceList
from tugboat.api.meta import K8sModel, ObjectMeta, Time


class NodeMetrics(K8sModel):
    apiVersion: str = "metrics.k8s.io/v1beta1"
    kind: str = "NodeMetrics"
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    timestamp: Time | None = None
    window: str | None = None  # a Go duration, e.g. "10s"
    usage: ResourceList = Field(default_factory=dict)


class ContainerMetrics(K8sModel):
    name: str
    usage: ResourceList = Field(default_factory=dict)


class PodMetrics(K8sModel):
    apiVersion: str = "metrics.k8s.io/v1beta1"
    kind: str = "PodMetrics"
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    timestamp: Time | None = None
    window: str | None = None
    containers: list[ContainerMetrics] = Field(default_factory=list)
