"""The volume sources Tugboat's kubelet does not mount (network and cloud disks, CSI,
PersistentVolumeClaims): kept so that pods using them round-trip and count as a volume
type in validation, with the fields Kubernetes requires of each declared, so a source
missing them is a 422 instead of an object no client can read back."""

from __future__ import annotations

from tugboat.api.fieldtypes import Int32
from tugboat.api.meta import PassThrough


class PersistentVolumeClaimVolumeSource(PassThrough):
    claimName: str


class NFSVolumeSource(PassThrough):
    server: str
    path: str


class CSIVolumeSource(PassThrough):
    driver: str


class GitRepoVolumeSource(PassThrough):
    repository: str


class ISCSIVolumeSource(PassThrough):
    targetPortal: str
    iqn: str
    lun: Int32


class AWSElasticBlockStoreVolumeSource(PassThrough):
    volumeID: str


class GCEPersistentDiskVolumeSource(PassThrough):
    pdName: str


class AzureDiskVolumeSource(PassThrough):
    diskName: str
    diskURI: str


class AzureFileVolumeSource(PassThrough):
    secretName: str
    shareName: str


class CephFSVolumeSource(PassThrough):
    monitors: list[str]


class RBDVolumeSource(PassThrough):
    monitors: list[str]
    image: str


class FlexVolumeSource(PassThrough):
    driver: str


class CinderVolumeSource(PassThrough):
    volumeID: str


class GlusterfsVolumeSource(PassThrough):
    endpoints: str
    path: str


class PortworxVolumeSource(PassThrough):
    volumeID: str


class VsphereVirtualDiskVolumeSource(PassThrough):
    volumePath: str


class QuobyteVolumeSource(PassThrough):
    registry: str
    volume: str


class ScaleIOVolumeSource(PassThrough):
    gateway: str
    system: str
    secretRef: PassThrough


class PhotonPersistentDiskVolumeSource(PassThrough):
    pdID: str


class ClusterTrustBundleProjection(PassThrough):
    path: str
