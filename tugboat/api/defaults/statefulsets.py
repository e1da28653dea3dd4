"""StatefulSet defaulting (apps/v1 SetDefaults_StatefulSet): ordered pod management, a
RollingUpdate from partition 0, one replica, ten revisions of history, claims retained
both when the set is deleted and when it scales down; and the pod template's own."""

from __future__ import annotations

from tugboat.api.apps import (
    RollingUpdateStatefulSetStrategy,
    StatefulSet,
    StatefulSetPersistentVolumeClaimRetentionPolicy,
    StatefulSetUpdateStrategy,
)
from tugboat.api.defaults.pods import default_template


def default_stateful_set(sts: StatefulSet) -> None:
    spec = sts.spec
    if not spec.podManagementPolicy:
        spec.podManagementPolicy = "OrderedReady"
    if spec.updateStrategy is None:
        spec.updateStrategy = StatefulSetUpdateStrategy()
    strategy = spec.updateStrategy
    if not strategy.type:
        strategy.type = "RollingUpdate"
    if strategy.type == "RollingUpdate":
        if strategy.rollingUpdate is None:
            strategy.rollingUpdate = RollingUpdateStatefulSetStrategy()
        if strategy.rollingUpdate.partition is None:
            strategy.rollingUpdate.partition = 0
    if spec.persistentVolumeClaimRetentionPolicy is None:
        spec.persistentVolumeClaimRetentionPolicy = \
            StatefulSetPersistentVolumeClaimRetentionPolicy()
    policy = spec.persistentVolumeClaimRetentionPolicy
    if not policy.whenDeleted:
        policy.whenDeleted = "Retain"
    if not policy.whenScaled:
        policy.whenScaled = "Retain"
    if spec.replicas is None:
        spec.replicas = 1
    if spec.revisionHistoryLimit is None:
        spec.revisionHistoryLimit = 10
    for claim in spec.volumeClaimTemplates or ():
        # PersistentVolumeClaim's defaults: a claim is of a filesystem unless told
        if claim.spec.volumeMode is None:
            claim.spec.volumeMode = "Filesystem"
    default_template(spec.template)
