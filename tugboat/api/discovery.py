"""discovery.k8s.io/v1 EndpointSlice: a Service's endpoints in slices of bounded size, each
endpoint with its ready/serving/terminating conditions. The endpointslice controller keeps
them beside the older Endpoints; kube-proxy's role and `kubectl describe svc` read them.
"""

from __future__ import annotations

from pydantic import Field

from tugboat.api.fieldtypes import Int32
from tugboat.api.meta import K8sModel, ObjectMeta, ObjectReference

# The labels that tie a slice to its Service and to the controller that manages it.
LABEL_SERVICE_NAME = "kubernetes.io/service-name"
LABEL_MANAGED_BY = "endpointslice.kubernetes.io/managed-by"
# v1.EndpointsLastChangeTriggerTime: when the change a slice (or Endpoints) reflects began
LAST_CHANGE_TRIGGER_TIME = "endpoints.kubernetes.io/last-change-trigger-time"
CONTROLLER_NAME = "endpointslice-controller.k8s.io"

ADDRESS_TYPES = ("IPv4", "IPv6", "FQDN")


class EndpointConditions(K8sModel):
    ready: bool | None = None
    serving: bool | None = None
    terminating: bool | None = None


class ForZone(K8sModel):
    name: str


class ForNode(K8sModel):
    name: str


class EndpointHints(K8sModel):
    forZones: list[ForZone] | None = None
    forNodes: list[ForNode] | None = None


class Endpoint(K8sModel):
    addresses: list[str] = Field(default_factory=list)
    conditions: EndpointConditions | None = None
    hostname: str | None = None
    targetRef: ObjectReference | None = None
    deprecatedTopology: dict[str, str] | None = None
    nodeName: str | None = None
    zone: str | None = None
    hints: EndpointHints | None = None


class EndpointPort(K8sModel):
    name: str | None = None
    protocol: str | None = None
    port: Int32 | None = None  # nil means "all ports"
    appProtocol: str | None = None


class EndpointSlice(K8sModel):
    apiVersion: str = "discovery.k8s.io/v1"
    kind: str = "EndpointSlice"
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    addressType: str | None = None  # required; validation says so in Kubernetes' words
    endpoints: list[Endpoint] | None = None
    ports: list[EndpointPort] | None = None
