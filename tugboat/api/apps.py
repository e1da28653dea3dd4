"""apps/v1: ReplicaSet, Deployment, DaemonSet and StatefulSet — the workload controllers'
objects, each a LabelSelector over pods stamped from a PodTemplateSpec.
"""

from __future__ import annotations

from pydantic import Field

from tugboat.api.fieldtypes import Int32, Int64, IntOrString
from tugboat.api.meta import K8sModel, LabelSelector, ObjectMeta, Time
from tugboat.api.persistentvolumeclaim import PersistentVolumeClaim
from tugboat.api.pod import PodTemplateSpec

# --- ReplicaSet ----------------------------------------------------------------------------


class ReplicaSetSpec(K8sModel):
    replicas: Int32 | None = None
    minReadySeconds: Int32 | None = None
    selector: LabelSelector | None = None
    template: PodTemplateSpec = Field(default_factory=PodTemplateSpec)


class ReplicaSetCondition(K8sModel):
    type: str
    status: str
    lastTransitionTime: Time | None = None
    reason: str | None = None
    message: str | None = None


class ReplicaSetStatus(K8sModel):
    replicas: Int32 = 0  # always on the wire in Kubernetes
    fullyLabeledReplicas: Int32 | None = None
    readyReplicas: Int32 | None = None
    availableReplicas: Int32 | None = None
    terminatingReplicas: Int32 | None = None
    observedGeneration: Int64 | None = None
    conditions: list[ReplicaSetCondition] | None = None


class ReplicaSet(K8sModel):
    apiVersion: str = "apps/v1"
    kind: str = "ReplicaSet"
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    spec: ReplicaSetSpec = Field(default_factory=ReplicaSetSpec)
    status: ReplicaSetStatus = Field(default_factory=ReplicaSetStatus)


# --- Deployment ----------------------------------------------------------------------------


class RollingUpdateDeployment(K8sModel):
    maxUnavailable: IntOrString | None = None
    maxSurge: IntOrString | None = None


class DeploymentStrategy(K8sModel):
    type: str | None = None
    rollingUpdate: RollingUpdateDeployment | None = None


class DeploymentSpec(K8sModel):
    replicas: Int32 | None = None
    selector: LabelSelector | None = None
    template: PodTemplateSpec = Field(default_factory=PodTemplateSpec)
    strategy: DeploymentStrategy | None = None
    minReadySeconds: Int32 | None = None
    revisionHistoryLimit: Int32 | None = None
    paused: bool | None = None
    progressDeadlineSeconds: Int32 | None = None


class DeploymentCondition(K8sModel):
    type: str
    status: str
    lastUpdateTime: Time | None = None
    lastTransitionTime: Time | None = None
    reason: str | None = None
    message: str | None = None


class DeploymentStatus(K8sModel):
    observedGeneration: Int64 | None = None
    replicas: Int32 | None = None
    updatedReplicas: Int32 | None = None
    readyReplicas: Int32 | None = None
    availableReplicas: Int32 | None = None
    unavailableReplicas: Int32 | None = None
    terminatingReplicas: Int32 | None = None
    conditions: list[DeploymentCondition] | None = None
    collisionCount: Int32 | None = None


class Deployment(K8sModel):
    apiVersion: str = "apps/v1"
    kind: str = "Deployment"
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    spec: DeploymentSpec = Field(default_factory=DeploymentSpec)
    status: DeploymentStatus = Field(default_factory=DeploymentStatus)


# --- DaemonSet -----------------------------------------------------------------------------


class RollingUpdateDaemonSet(K8sModel):
    maxUnavailable: IntOrString | None = None
    maxSurge: IntOrString | None = None


class DaemonSetUpdateStrategy(K8sModel):
    type: str | None = None
    rollingUpdate: RollingUpdateDaemonSet | None = None


class DaemonSetSpec(K8sModel):
    selector: LabelSelector | None = None
    template: PodTemplateSpec = Field(default_factory=PodTemplateSpec)
    updateStrategy: DaemonSetUpdateStrategy | None = None
    minReadySeconds: Int32 | None = None
    revisionHistoryLimit: Int32 | None = None


class DaemonSetCondition(K8sModel):
    type: str
    status: str
    lastTransitionTime: Time | None = None
    reason: str | None = None
    message: str | None = None


class DaemonSetStatus(K8sModel):
    currentNumberScheduled: Int32 = 0  # these four are always on the wire in Kubernetes
    numberMisscheduled: Int32 = 0
    desiredNumberScheduled: Int32 = 0
    numberReady: Int32 = 0
    observedGeneration: Int64 | None = None
    updatedNumberScheduled: Int32 | None = None
    numberAvailable: Int32 | None = None
    numberUnavailable: Int32 | None = None
    collisionCount: Int32 | None = None
    conditions: list[DaemonSetCondition] | None = None


class DaemonSet(K8sModel):
    apiVersion: str = "apps/v1"
    kind: str = "DaemonSet"
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    spec: DaemonSetSpec = Field(default_factory=DaemonSetSpec)
    status: DaemonSetStatus = Field(default_factory=DaemonSetStatus)


# --- StatefulSet ---------------------------------------------------------------------------


class RollingUpdateStatefulSetStrategy(K8sModel):
    partition: Int32 | None = None
    maxUnavailable: IntOrString | None = None


class StatefulSetUpdateStrategy(K8sModel):
    type: str | None = None
    rollingUpdate: RollingUpdateStatefulSetStrategy | None = None


class StatefulSetPersistentVolumeClaimRetentionPolicy(K8sModel):
    whenDeleted: str | None = None
    whenScaled: str | None = None


class StatefulSetOrdinals(K8sModel):
    start: Int32 = 0


class StatefulSetSpec(K8sModel):
    replicas: Int32 | None = None
    selector: LabelSelector | None = None
    template: PodTemplateSpec = Field(default_factory=PodTemplateSpec)
    volumeClaimTemplates: list[PersistentVolumeClaim] | None = None
    serviceName: str | None = None
    podManagementPolicy: str | None = None
    updateStrategy: StatefulSetUpdateStrategy | None = None
    revisionHistoryLimit: Int32 | None = None
    minReadySeconds: Int32 | None = None
    persistentVolumeClaimRetentionPolicy: StatefulSetPersistentVolumeClaimRetentionPolicy | None = None
    ordinals: StatefulSetOrdinals | None = None


class StatefulSetCondition(K8sModel):
    type: str
    status: str
    lastTransitionTime: Time | None = None
    reason: str | None = None
    message: str | None = None


class StatefulSetStatus(K8sModel):
    observedGeneration: Int64 | None = None
    replicas: Int32 = 0  # always on the wire in Kubernetes
    readyReplicas: Int32 | None = None
    currentReplicas: Int32 | None = None
    updatedReplicas: Int32 | None = None
    currentRevision: str | None = None
    updateRevision: str | None = None
    collisionCount: Int32 | None = None
    conditions: list[StatefulSetCondition] | None = None
    availableReplicas: Int32 = 0  # always on the wire too


class StatefulSet(K8sModel):
    apiVersion: str = "apps/v1"
    kind: str = "StatefulSet"
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    spec: StatefulSetSpec = Field(default_factory=StatefulSetSpec)
    status: StatefulSetStatus = Field(default_factory=StatefulSetStatus)
