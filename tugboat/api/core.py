"""The core (v1) API group: Namespace, Event, ReplicationController, ConfigMap and Secret
here, and re-exported from their own modules Pod (pod.py, container.py), Node (node.py) and
Service/Endpoints (service.py), so `core:Pod` in the resource table and
`from tugboat.api.core import Pod` both work.
"""

from __future__ import annotations

from pydantic import Field

from tugboat.api.container import (
    ConfigMapEnvSource,
    ConfigMapKeySelector,
    Container,
    ContainerPort,
    EnvFromSource,
    EnvVar,
    EnvVarSource,
    ExecAction,
    GRPCAction,
    HTTPGetAction,
    HTTPHeader,
    Lifecycle,
    LifecycleHandler,
    ObjectFieldSelector,
    Probe,
    ResourceFieldSelector,
    ResourceRequirements,
    SecretEnvSource,
    SecretKeySelector,
    SleepAction,
    TCPSocketAction,
    VolumeMount,
)
from tugboat.api.fieldtypes import Int32, Int64
from tugboat.api.meta import K8sModel, ObjectMeta, ObjectReference, Time
from tugboat.api.node import (
    ContainerImage,
    DaemonEndpoint,
    Node,
    NodeAddress,
    NodeCondition,
    NodeDaemonEndpoints,
    NodeSpec,
    NodeStatus,
    NodeSystemInfo,
    Taint,
)
from tugboat.api.pod import (
    Affinity,
    Binding,
    ConfigMapVolumeSource,
    ContainerState,
    ContainerStateRunning,
    ContainerStateTerminated,
    ContainerStateWaiting,
    ContainerStatus,
    EmptyDirVolumeSource,
    HostPathVolumeSource,
    KeyToPath,
    LocalObjectReference,
    NodeAffinity,
    NodeSelector,
    NodeSelectorRequirement,
    NodeSelectorTerm,
    Pod,
    PodCondition,
    PodIP,
    PodSpec,
    PodStatus,
    PodTemplateSpec,
    PreferredSchedulingTerm,
    SecretVolumeSource,
    Toleration,
    Volume,
)
from tugboat.api.security import (
    Capabilities,
    PodSecurityContext,
    SeccompProfile,
    SecurityContext,
)
from tugboat.api.service import (
    EndpointAddress,
    EndpointPort,
    Endpoints,
    EndpointSubset,
    LoadBalancerStatus,
    Service,
    ServicePort,
    ServiceSpec,
    ServiceStatus,
)
from tugboat.api.serviceaccount import ServiceAccount

__all__ = [
    "Affinity", "Binding", "Capabilities", "ConfigMap", "ConfigMapEnvSource", "ConfigMapKeySelector",
    "ConfigMapVolumeSource", "Container", "ContainerImage", "ContainerPort", "ContainerState",
    "ContainerStateRunning", "ContainerStateTerminated", "ContainerStateWaiting",
    "ContainerStatus", "DaemonEndpoint", "EmptyDirVolumeSource", "EndpointAddress",
    "EndpointPort", "Endpoints", "EndpointSubset", "EnvFromSource", "EnvVar", "EnvVarSource",
    "Event", "EventSeries", "EventSource", "ExecAction", "GRPCAction", "HostPathVolumeSource",
    "HTTPGetAction", "HTTPHeader", "KeyToPath", "Lifecycle", "LifecycleHandler",
    "LoadBalancerStatus", "LocalObjectReference", "Namespace", "NamespaceCondition",
    "NamespaceSpec", "NamespaceStatus", "Node", "NodeAddress", "NodeAffinity", "NodeCondition",
    "NodeDaemonEndpoints", "NodeSelector", "NodeSelectorRequirement", "NodeSelectorTerm",
    "NodeSpec", "NodeStatus", "NodeSystemInfo", "ObjectFieldSelector", "ObjectReference", "Pod",
    "PodCondition", "PodIP", "PodSecurityContext", "PodSpec", "PodStatus", "PodTemplateSpec",
    "PreferredSchedulingTerm", "Probe", "ReplicationController",
    "ReplicationControllerCondition", "ReplicationControllerSpec",
    "ReplicationControllerStatus", "ResourceFieldSelector", "ResourceRequirements", "Secret",
    "SeccompProfile", "SecretEnvSource", "SecretKeySelector", "SecurityContext", "SecretVolumeSource", "Service", "ServiceAccount", "ServicePort",
    "ServiceSpec", "ServiceStatus", "SleepAction", "Taint", "TCPSocketAction", "Toleration",
    "Volume", "VolumeMount",
]


class NamespaceSpec(K8sModel):
    finalizers: list[str] | None = None


class NamespaceCondition(K8sModel):
    type: str
    status: str
    lastTransitionTime: Time | None = None
    reason: str | None = None
    message: str | None = None


class NamespaceStatus(K8sModel):
    phase: str | None = None
    conditions: list[NamespaceCondition] | None = None


class Namespace(K8sModel):
    apiVersion: str = "v1"
    kind: str = "Namespace"
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    spec: NamespaceSpec = Field(default_factory=NamespaceSpec)
    status: NamespaceStatus = Field(default_factory=NamespaceStatus)


class EventSource(K8sModel):
    component: str | None = None
    host: str | None = None


class EventSeries(K8sModel):
    count: Int32 | None = None
    lastObservedTime: Time | None = None


class Event(K8sModel):
    """core/v1 Event, the shape `kubectl describe` and `kubectl get events` read."""

    apiVersion: str = "v1"
    kind: str = "Event"
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    involvedObject: ObjectReference = Field(default_factory=ObjectReference)  # validated
    reason: str | None = None
    message: str | None = None
    source: EventSource | None = None
    firstTimestamp: Time | None = None
    lastTimestamp: Time | None = None
    count: Int32 | None = None
    type: str | None = None
    eventTime: Time | None = None
    series: EventSeries | None = None
    action: str | None = None
    related: ObjectReference | None = None
    reportingComponent: str | None = None
    reportingInstance: str | None = None


class ReplicationControllerSpec(K8sModel):
    replicas: Int32 | None = None
    minReadySeconds: Int32 | None = None
    selector: dict[str, str] | None = None
    template: PodTemplateSpec | None = None


class ReplicationControllerCondition(K8sModel):
    type: str
    status: str
    lastTransitionTime: Time | None = None
    reason: str | None = None
    message: str | None = None


class ReplicationControllerStatus(K8sModel):
    replicas: Int32 = 0  # always on the wire in Kubernetes
    fullyLabeledReplicas: Int32 | None = None
    readyReplicas: Int32 | None = None
    availableReplicas: Int32 | None = None
    observedGeneration: Int64 | None = None
    conditions: list[ReplicationControllerCondition] | None = None


class ReplicationController(K8sModel):
    apiVersion: str = "v1"
    kind: str = "ReplicationController"
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    spec: ReplicationControllerSpec = Field(default_factory=ReplicationControllerSpec)
    status: ReplicationControllerStatus = Field(default_factory=ReplicationControllerStatus)


class ConfigMap(K8sModel):
    apiVersion: str = "v1"
    kind: str = "ConfigMap"
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    data: dict[str, str] | None = None
    binaryData: dict[str, str] | None = None  # base64, as on the wire
    immutable: bool | None = None


class Secret(K8sModel):
    """`stringData` is write-only: defaulting folds it into `data` (base64), as Kubernetes does."""

    apiVersion: str = "v1"
    kind: str = "Secret"
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    data: dict[str, str] | None = None  # base64, as on the wire
    stringData: dict[str, str] | None = None
    type: str | None = None
    immutable: bool | None = None
