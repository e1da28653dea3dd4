"""core/v1 PersistentVolumeClaim: a request for storage. Defined here, with Kubernetes'
Go names, because a StatefulSet's volumeClaimTemplates are claims; the storage work
serves the kind itself and binds claims to volumes."""

from __future__ import annotations

from pydantic import Field

from tugboat.api.fieldtypes import ResourceList
from tugboat.api.meta import K8sModel, LabelSelector, ObjectMeta, PassThrough


class VolumeResourceRequirements(K8sModel):
    limits: ResourceList | None = None
    requests: ResourceList | None = None


class PersistentVolumeClaimSpec(K8sModel):
    accessModes: list[str] | None = None
    selector: LabelSelector | None = None
    resources: VolumeResourceRequirements | None = None
    volumeName: str | None = None
    storageClassName: str | None = None
    volumeMode: str | None = None
    dataSource: PassThrough | None = None
    dataSourceRef: PassThrough | None = None
    volumeAttributesClassName: str | None = None


class PersistentVolumeClaimStatus(PassThrough):
    """Written by the binder; kept as sent until the storage work types it."""


class PersistentVolumeClaim(K8sModel):
    apiVersion: str = "v1"
    kind: str = "PersistentVolumeClaim"
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    spec: PersistentVolumeClaimSpec = Field(default_factory=PersistentVolumeClaimSpec)
    status: PersistentVolumeClaimStatus | None = None
