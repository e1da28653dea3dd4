"""coordination.k8s.io/v1 Lease: node heartbeats (kube-node-lease) and leader election."""

from __future__ import annotations

from pydantic import Field

from tugboat.api.fieldtypes import Int32
from tugboat.api.meta import K8sModel, ObjectMeta, Time


class LeaseSpec(K8sModel):
    holderIdentity: str | None = None
    leaseDurationSeconds: Int32 | None = None
    acquireTime: Time | None = None  # MicroTime: RFC 3339 with microseconds
    renewTime: Time | None = None
    leaseTransitions: Int32 | None = None
    strategy: str | None = None
    preferredHolder: str | None = None


class Lease(K8sModel):
    apiVersion: str = "coordination.k8s.io/v1"
    kind: str = "Lease"
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    spec: LeaseSpec = Field(default_factory=LeaseSpec)
