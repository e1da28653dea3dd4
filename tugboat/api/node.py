"""core/v1 Node: what the kubelet registers and keeps current (capacity, conditions,
addresses, system info) and what the scheduler reads. core.py re-exports it.
"""

from __future__ import annotations

from pydantic import Field

from tugboat.api.fieldtypes import Int32, Int64, ResourceList
from tugboat.api.meta import K8sModel, ObjectMeta, Time


class Taint(K8sModel):
    key: str
    effect: str
    value: str | None = None
    timeAdded: str | None = None


class NodeSpec(K8sModel):
    podCIDR: str | None = None
    podCIDRs: list[str] | None = None
    providerID: str | None = None
    unschedulable: bool | None = None
    taints: list[Taint] | None = None


class NodeCondition(K8sModel):
    type: str
    status: str
    lastHeartbeatTime: Time | None = None
    lastTransitionTime: Time | None = None
    reason: str | None = None
    message: str | None = None


class NodeAddress(K8sModel):
    type: str
    address: str


class DaemonEndpoint(K8sModel):
    Port: Int32  # capitalised on the wire, as in Kubernetes


class NodeDaemonEndpoints(K8sModel):
    kubeletEndpoint: DaemonEndpoint | None = None


class NodeSystemInfo(K8sModel):
    """All required on the wire in Kubernetes, so empty strings rather than absent."""

    machineID: str = ""
    systemUUID: str = ""
    bootID: str = ""
    kernelVersion: str = ""
    osImage: str = ""
    containerRuntimeVersion: str = ""
    kubeletVersion: str = ""
    kubeProxyVersion: str = ""
    operatingSystem: str = ""
    architecture: str = ""


class ContainerImage(K8sModel):
    names: list[str] | None = None
    sizeBytes: Int64 | None = None


class NodeStatus(K8sModel):
    capacity: ResourceList | None = None
    allocatable: ResourceList | None = None
    phase: str | None = None
    conditions: list[NodeCondition] | None = None
    addresses: list[NodeAddress] | None = None
    daemonEndpoints: NodeDaemonEndpoints | None = None
    nodeInfo: NodeSystemInfo | None = None
    images: list[ContainerImage] | None = None
    volumesInUse: list[str] | None = None


class Node(K8sModel):
    apiVersion: str = "v1"
    kind: str = "Node"
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    spec: NodeSpec = Field(default_factory=NodeSpec)
    status: NodeStatus = Field(default_factory=NodeStatus)
