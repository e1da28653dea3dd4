"""core/v1 Service and Endpoints: a Service's selector and ports, and the addresses the
endpoints controller resolves them to (ready and not ready). core.py re-exports them.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from tugboat.api.fieldtypes import Int32, IntOrString
from tugboat.api.meta import Condition, K8sModel, ObjectMeta, ObjectReference


class ServicePort(K8sModel):
    port: Int32
    name: str | None = None
    protocol: str | None = None
    appProtocol: str | None = None
    targetPort: IntOrString | None = None
    nodePort: Int32 | None = None


class ServiceSpec(K8sModel):
    selector: dict[str, str] | None = None
    ports: list[ServicePort] | None = None
    clusterIP: str | None = None
    clusterIPs: list[str] | None = None
    type: str | None = None
    sessionAffinity: str | None = None
    sessionAffinityConfig: dict[str, Any] | None = None
    externalIPs: list[str] | None = None
    externalName: str | None = None
    externalTrafficPolicy: str | None = None
    internalTrafficPolicy: str | None = None
    ipFamilies: list[str] | None = None
    ipFamilyPolicy: str | None = None
    loadBalancerIP: str | None = None
    loadBalancerClass: str | None = None
    loadBalancerSourceRanges: list[str] | None = None
    allocateLoadBalancerNodePorts: bool | None = None
    healthCheckNodePort: Int32 | None = None
    publishNotReadyAddresses: bool | None = None


class PortStatus(K8sModel):
    port: Int32
    protocol: str
    error: str | None = None


class LoadBalancerIngress(K8sModel):
    ip: str | None = None
    hostname: str | None = None
    ipMode: str | None = None
    ports: list[PortStatus] | None = None


class LoadBalancerStatus(K8sModel):
    ingress: list[LoadBalancerIngress] | None = None


class ServiceStatus(K8sModel):
    loadBalancer: LoadBalancerStatus = Field(default_factory=LoadBalancerStatus)
    conditions: list[Condition] | None = None


class Service(K8sModel):
    apiVersion: str = "v1"
    kind: str = "Service"
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    spec: ServiceSpec = Field(default_factory=ServiceSpec)
    status: ServiceStatus = Field(default_factory=ServiceStatus)


class EndpointAddress(K8sModel):
    ip: str
    hostname: str | None = None
    nodeName: str | None = None
    targetRef: ObjectReference | None = None


class EndpointPort(K8sModel):
    port: Int32
    name: str | None = None
    protocol: str | None = None
    appProtocol: str | None = None


class EndpointSubset(K8sModel):
    addresses: list[EndpointAddress] | None = None
    notReadyAddresses: list[EndpointAddress] | None = None
    ports: list[EndpointPort] | None = None


class Endpoints(K8sModel):
    apiVersion: str = "v1"
    kind: str = "Endpoints"
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    subsets: list[EndpointSubset] | None = None
