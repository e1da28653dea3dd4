"""StatefulSet defaults and validation: Kubernetes' defaults, the policies' allowed values,
claim templates (required access modes and storage), a claim template mountable by its
name, and the spec fields an update may not change."""

from __future__ import annotations

from typing import Any

from tugboat.api.apps import StatefulSet
from tugboat.api.defaults import apply_defaults
from tugboat.api.validation import validate


def sts(**spec: Any) -> StatefulSet:
    obj = StatefulSet.model_validate({
        "metadata": {"name": "web", "namespace": "ns"},
        "spec": {"serviceName": "nginx", "selector": {"matchLabels": {"app": "a"}},
                 "template": {"metadata": {"labels": {"app": "a"}}, "spec": {"containers": [{
                     "name": "c", "image": "busybox",
                     "volumeMounts": [{"name": "data", "mountPath": "/d"}]}]}},
                 "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {
                     "accessModes": ["ReadWriteOnce"],
                     "resources": {"requests": {"storage": "1Gi"}}}}], **spec}})
    apply_defaults(obj)
    return obj


def fields(obj: StatefulSet, old: StatefulSet | None = None) -> dict[str, str]:
    return {c.field: c.message for c in validate(obj, old)}


def test_defaults() -> None:
    spec = sts().spec
    assert (spec.replicas, spec.podManagementPolicy, spec.revisionHistoryLimit) == \
        (1, "OrderedReady", 10)
    assert spec.updateStrategy.type == "RollingUpdate"
    assert spec.updateStrategy.rollingUpdate.partition == 0
    policy = spec.persistentVolumeClaimRetentionPolicy
    assert (policy.whenDeleted, policy.whenScaled) == ("Retain", "Retain")
    assert sts(updateStrategy={"type": "OnDelete"}).spec.updateStrategy.rollingUpdate is None


def test_valid_with_a_mounted_claim_template() -> None:
    assert fields(sts()) == {}


def test_policies_and_counts() -> None:
    got = fields(sts(podManagementPolicy="Sometimes", replicas=-1,
                     updateStrategy={"type": "Sideways"},
                     persistentVolumeClaimRetentionPolicy={"whenScaled": "Keep"}))
    assert got["spec.podManagementPolicy"] == \
        "Invalid value: \"Sometimes\": must be 'OrderedReady' or 'Parallel'"
    assert got["spec.replicas"].startswith("Invalid value: -1: must be greater than or equal")
    assert "must be 'RollingUpdate' or 'OnDelete'" in got["spec.updateStrategy.type"]
    assert got["spec.persistentVolumeClaimRetentionPolicy.whenScaled"].startswith(
        'Unsupported value: "Keep": supported values: "Retain", "Delete"')
    negative = fields(sts(updateStrategy={"type": "RollingUpdate",
                                          "rollingUpdate": {"partition": -1}}))
    assert "spec.updateStrategy.rollingUpdate.partition" in negative


def test_claim_templates() -> None:
    obj = sts()
    obj.spec.volumeClaimTemplates[0].spec.accessModes = ["ReadWriteSometimes"]
    obj.spec.volumeClaimTemplates[0].spec.resources = None
    got = fields(obj)
    assert got["spec.volumeClaimTemplates[0].spec.accessModes"].startswith(
        'Unsupported value: "ReadWriteSometimes"')
    assert got["spec.volumeClaimTemplates[0].spec.resources[storage]"] == "Required value"
    unnamed = sts()
    unnamed.spec.volumeClaimTemplates[0].metadata.name = None
    assert "spec.volumeClaimTemplates[0].metadata.name" in fields(unnamed)


def test_update_may_change_only_some_fields() -> None:
    old = sts()
    assert fields(sts(replicas=4, minReadySeconds=5), old) == {}
    assert fields(sts(serviceName="other"), old)["spec"].startswith(
        "Forbidden: updates to statefulset spec for fields other than")
    assert "spec" in fields(sts(podManagementPolicy="Parallel"), old)
