"""core/v1 Pod: its spec (volumes, tolerations, affinity), its status as the kubelet reports
it, the PodTemplateSpec that workload controllers stamp pods from, and Binding, the
scheduler's write. core.py re-exports everything here.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from tugboat.api import volumesources
from tugboat.api.container import Container, ObjectFieldSelector, ResourceFieldSelector
from tugboat.api.fieldtypes import Int32, Int64, Quantity
from tugboat.api.meta import (
    K8sModel,
    LabelSelector,
    ObjectMeta,
    ObjectReference,
    PassThrough,
    Time,
)
from tugboat.api.security import PodSecurityContext

# --- volumes -------------------------------------------------------------------------------


class EmptyDirVolumeSource(K8sModel):
    medium: str | None = None
    sizeLimit: Quantity | None = None


class HostPathVolumeSource(K8sModel):
    path: str
    type: str | None = None


class KeyToPath(K8sModel):
    key: str
    path: str
    mode: Int32 | None = None


class ConfigMapVolumeSource(K8sModel):
    name: str | None = None
    items: list[KeyToPath] | None = None
    defaultMode: Int32 | None = None
    optional: bool | None = None


class SecretVolumeSource(K8sModel):
    secretName: str | None = None
    items: list[KeyToPath] | None = None
    defaultMode: Int32 | None = None
    optional: bool | None = None


class DownwardAPIVolumeFile(K8sModel):
    path: str
    fieldRef: ObjectFieldSelector | None = None
    resourceFieldRef: ResourceFieldSelector | None = None
    mode: Int32 | None = None


class DownwardAPIVolumeSource(K8sModel):
    items: list[DownwardAPIVolumeFile] | None = None
    defaultMode: Int32 | None = None


class DownwardAPIProjection(K8sModel):
    items: list[DownwardAPIVolumeFile] | None = None


class ConfigMapProjection(K8sModel):
    name: str | None = None
    items: list[KeyToPath] | None = None
    optional: bool | None = None


class SecretProjection(K8sModel):
    name: str | None = None
    items: list[KeyToPath] | None = None
    optional: bool | None = None


class ServiceAccountTokenProjection(K8sModel):
    """A bound token the kubelet requests (TokenRequest) for the pod and keeps fresh."""

    path: str
    audience: str | None = None
    expirationSeconds: Int64 | None = None


class VolumeProjection(K8sModel):
    secret: SecretProjection | None = None
    downwardAPI: DownwardAPIProjection | None = None
    configMap: ConfigMapProjection | None = None
    serviceAccountToken: ServiceAccountTokenProjection | None = None
    clusterTrustBundle: volumesources.ClusterTrustBundleProjection | None = None


class ProjectedVolumeSource(K8sModel):
    """Several sources in one directory: how every pod gets its service account token."""

    sources: list[VolumeProjection] | None = None
    defaultMode: Int32 | None = None


# Volume sources Tugboat's kubelet does not mount; kept so they round-trip and count as a
# volume type in validation.
OTHER_VOLUME_SOURCES = (
    "persistentVolumeClaim", "projected", "downwardAPI", "nfs", "csi", "ephemeral", "image",
    "gitRepo", "iscsi", "awsElasticBlockStore", "gcePersistentDisk", "azureDisk", "azureFile",
    "cephfs", "rbd", "fc", "flexVolume", "cinder", "glusterfs", "portworxVolume",
    "vsphereVolume", "quobyte", "scaleIO", "storageos", "photonPersistentDisk", "flocker",
)
TYPED_VOLUME_SOURCES = ("emptyDir", "hostPath", "configMap", "secret")


class Volume(K8sModel):
    name: str
    emptyDir: EmptyDirVolumeSource | None = None
    hostPath: HostPathVolumeSource | None = None
    configMap: ConfigMapVolumeSource | None = None
    secret: SecretVolumeSource | None = None
    persistentVolumeClaim: volumesources.PersistentVolumeClaimVolumeSource | None = None
    projected: ProjectedVolumeSource | None = None
    downwardAPI: DownwardAPIVolumeSource | None = None
    nfs: volumesources.NFSVolumeSource | None = None
    csi: volumesources.CSIVolumeSource | None = None
    ephemeral: dict[str, Any] | None = None
    image: dict[str, Any] | None = None
    gitRepo: volumesources.GitRepoVolumeSource | None = None
    iscsi: volumesources.ISCSIVolumeSource | None = None
    awsElasticBlockStore: volumesources.AWSElasticBlockStoreVolumeSource | None = None
    gcePersistentDisk: volumesources.GCEPersistentDiskVolumeSource | None = None
    azureDisk: volumesources.AzureDiskVolumeSource | None = None
    azureFile: volumesources.AzureFileVolumeSource | None = None
    cephfs: volumesources.CephFSVolumeSource | None = None
    rbd: volumesources.RBDVolumeSource | None = None
    fc: dict[str, Any] | None = None
    flexVolume: volumesources.FlexVolumeSource | None = None
    cinder: volumesources.CinderVolumeSource | None = None
    glusterfs: volumesources.GlusterfsVolumeSource | None = None
    portworxVolume: volumesources.PortworxVolumeSource | None = None
    vsphereVolume: volumesources.VsphereVirtualDiskVolumeSource | None = None
    quobyte: volumesources.QuobyteVolumeSource | None = None
    scaleIO: volumesources.ScaleIOVolumeSource | None = None
    storageos: dict[str, Any] | None = None
    photonPersistentDisk: volumesources.PhotonPersistentDiskVolumeSource | None = None
    flocker: dict[str, Any] | None = None


# --- scheduling constraints ----------------------------------------------------------------


class Toleration(K8sModel):
    key: str | None = None
    operator: str | None = None
    value: str | None = None
    effect: str | None = None
    tolerationSeconds: Int64 | None = None


class NodeSelectorRequirement(K8sModel):
    key: str
    operator: str
    values: list[str] | None = None


class NodeSelectorTerm(K8sModel):
    matchExpressions: list[NodeSelectorRequirement] | None = None
    matchFields: list[NodeSelectorRequirement] | None = None


class NodeSelector(K8sModel):
    nodeSelectorTerms: list[NodeSelectorTerm]


class PreferredSchedulingTerm(K8sModel):
    weight: Int32
    preference: NodeSelectorTerm


class NodeAffinity(K8sModel):
    requiredDuringSchedulingIgnoredDuringExecution: NodeSelector | None = None
    preferredDuringSchedulingIgnoredDuringExecution: list[PreferredSchedulingTerm] | None = None


class PodAffinityTerm(PassThrough):
    """Kept for clients (Tugboat's scheduler has no inter-pod affinity); its required
    topologyKey declared."""

    topologyKey: str
    labelSelector: LabelSelector | None = None
    namespaces: list[str] | None = None
    namespaceSelector: LabelSelector | None = None


class WeightedPodAffinityTerm(K8sModel):
    weight: Int32
    podAffinityTerm: PodAffinityTerm


class PodAffinity(PassThrough):
    requiredDuringSchedulingIgnoredDuringExecution: list[PodAffinityTerm] | None = None
    preferredDuringSchedulingIgnoredDuringExecution: list[WeightedPodAffinityTerm] | None = None


class Affinity(K8sModel):
    nodeAffinity: NodeAffinity | None = None
    podAffinity: PodAffinity | None = None
    podAntiAffinity: PodAffinity | None = None


class LocalObjectReference(K8sModel):
    name: str | None = None


class EphemeralContainer(Container):
    """A debugging container added to a running pod through pods/ephemeralcontainers: a
    Container's fields (ports, probes, resources and lifecycle are refused by validation,
    as Kubernetes keeps them in the type) and the container whose namespaces it targets."""

    targetContainerName: str | None = None


class HostAlias(PassThrough):
    ip: str
    hostnames: list[str] | None = None


class PodDNSConfigOption(K8sModel):
    name: str | None = None
    value: str | None = None


class PodDNSConfig(K8sModel):
    """spec.dnsConfig: merged by the kubelet into the resolv.conf its dnsPolicy makes."""

    nameservers: list[str] | None = None
    searches: list[str] | None = None
    options: list[PodDNSConfigOption] | None = None


class PodReadinessGate(PassThrough):
    conditionType: str


class TopologySpreadConstraint(PassThrough):
    maxSkew: Int32
    topologyKey: str
    whenUnsatisfiable: str


class PodOS(PassThrough):
    name: str


class PodSchedulingGate(PassThrough):
    name: str


# --- spec ----------------------------------------------------------------------------------


class PodSpec(K8sModel):
    containers: list[Container] = Field(default_factory=list)
    initContainers: list[Container] | None = None
    ephemeralContainers: list[EphemeralContainer] | None = None
    volumes: list[Volume] | None = None
    restartPolicy: str | None = None
    terminationGracePeriodSeconds: Int64 | None = None
    activeDeadlineSeconds: Int64 | None = None
    dnsPolicy: str | None = None
    dnsConfig: PodDNSConfig | None = None
    nodeSelector: dict[str, str] | None = None
    serviceAccountName: str | None = None
    serviceAccount: str | None = None
    automountServiceAccountToken: bool | None = None
    nodeName: str | None = None
    hostNetwork: bool | None = None
    hostPID: bool | None = None
    hostIPC: bool | None = None
    shareProcessNamespace: bool | None = None
    securityContext: PodSecurityContext | None = None
    imagePullSecrets: list[LocalObjectReference] | None = None
    hostname: str | None = None
    subdomain: str | None = None
    affinity: Affinity | None = None
    schedulerName: str | None = None
    tolerations: list[Toleration] | None = None
    hostAliases: list[HostAlias] | None = None
    priorityClassName: str | None = None
    priority: Int32 | None = None
    preemptionPolicy: str | None = None
    readinessGates: list[PodReadinessGate] | None = None
    runtimeClassName: str | None = None
    enableServiceLinks: bool | None = None
    overhead: dict[str, Quantity] | None = None
    topologySpreadConstraints: list[TopologySpreadConstraint] | None = None
    os: PodOS | None = None
    schedulingGates: list[PodSchedulingGate] | None = None


# --- status --------------------------------------------------------------------------------


class PodCondition(K8sModel):
    type: str
    status: str
    lastProbeTime: Time | None = None
    lastTransitionTime: Time | None = None
    reason: str | None = None
    message: str | None = None


class ContainerStateWaiting(K8sModel):
    reason: str | None = None
    message: str | None = None


class ContainerStateRunning(K8sModel):
    startedAt: Time | None = None


class ContainerStateTerminated(K8sModel):
    exitCode: Int32 = 0
    signal: Int32 | None = None
    reason: str | None = None
    message: str | None = None
    startedAt: Time | None = None
    finishedAt: Time | None = None
    containerID: str | None = None


class ContainerState(K8sModel):
    waiting: ContainerStateWaiting | None = None
    running: ContainerStateRunning | None = None
    terminated: ContainerStateTerminated | None = None


class ContainerStatus(K8sModel):
    """`ready`, `restartCount`, `image` and `imageID` are always on the wire in Kubernetes."""

    name: str
    state: ContainerState | None = None
    lastState: ContainerState | None = None
    ready: bool = False
    restartCount: Int32 = 0
    image: str = ""
    imageID: str = ""
    containerID: str | None = None
    started: bool | None = None


class PodIP(K8sModel):
    ip: str


class PodStatus(K8sModel):
    phase: str | None = None
    conditions: list[PodCondition] | None = None
    message: str | None = None
    reason: str | None = None
    nominatedNodeName: str | None = None
    hostIP: str | None = None
    hostIPs: list[PodIP] | None = None
    podIP: str | None = None
    podIPs: list[PodIP] | None = None
    startTime: Time | None = None
    initContainerStatuses: list[ContainerStatus] | None = None
    containerStatuses: list[ContainerStatus] | None = None
    ephemeralContainerStatuses: list[ContainerStatus] | None = None
    qosClass: str | None = None


# --- objects -------------------------------------------------------------------------------


class Pod(K8sModel):
    apiVersion: str = "v1"
    kind: str = "Pod"
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    spec: PodSpec = Field(default_factory=PodSpec)
    status: PodStatus = Field(default_factory=PodStatus)


class PodTemplateSpec(K8sModel):
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    spec: PodSpec = Field(default_factory=PodSpec)


class Binding(K8sModel):
    apiVersion: str = "v1"
    kind: str = "Binding"
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    target: ObjectReference
