"""StatefulSet validation (Kubernetes' ValidateStatefulSet): counts, the pod management
and update policies, the claim retention policy, the selector against the template's
labels, the governing Service's name, and the volume claim templates. The template's pod
spec is checked as if each claim template were already one of its volumes — the
controller adds them to every pod, so a container may mount a claim by its template's
name. An update may change only the fields Kubernetes lets a StatefulSet change."""

from __future__ import annotations

from tugboat.api.apps import StatefulSet, StatefulSetSpec
from tugboat.api.persistentvolumeclaim import PersistentVolumeClaim
from tugboat.api.pod import Volume
from tugboat.api.validation.fielderrors import (
    Errors,
    forbidden,
    invalid,
    nonnegative,
    not_supported,
    required,
)
from tugboat.api.validation.names import is_dns1035_label, is_dns1123_subdomain
from tugboat.api.validation.objectmeta import validate_label_selector, validate_labels
from tugboat.api.validation.pods import validate_pod_template
from tugboat.api.validation.workloads import _selected_template, _template_restart_policy

POD_MANAGEMENT_POLICIES = ("OrderedReady", "Parallel")
RETENTION_POLICIES = ("Retain", "Delete")
ACCESS_MODES = ("ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod")
# What ValidateStatefulSetUpdate lets change; anything else is Forbidden.
UPDATABLE = ("replicas", "ordinals", "template", "updateStrategy", "revisionHistoryLimit",
             "persistentVolumeClaimRetentionPolicy", "minReadySeconds")
UPDATE_FORBIDDEN = ("updates to statefulset spec for fields other than 'replicas', "
                    "'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', "
                    "'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden")


def _validate_update_strategy(spec: StatefulSetSpec, errs: Errors) -> None:
    path = "spec.updateStrategy"
    strategy = spec.updateStrategy
    kind = strategy.type if strategy else None
    if kind == "OnDelete":
        if strategy is not None and strategy.rollingUpdate is not None:
            errs.append(invalid(f"{path}.rollingUpdate", strategy.rollingUpdate.wire(),
                                "only allowed for updateStrategy 'RollingUpdate'"))
    elif kind == "RollingUpdate":
        ru = strategy.rollingUpdate if strategy else None
        if ru is not None:
            nonnegative(ru.partition, f"{path}.rollingUpdate.partition", errs)
    elif not kind:
        errs.append(required(f"{path}.type", "must be 'RollingUpdate' or 'OnDelete'"))
    else:
        errs.append(invalid(f"{path}.type", kind, "must be 'RollingUpdate' or 'OnDelete'"))


def _validate_retention_policy(spec: StatefulSetSpec, errs: Errors) -> None:
    policy = spec.persistentVolumeClaimRetentionPolicy
    if policy is None:
        return
    path = "spec.persistentVolumeClaimRetentionPolicy"
    for name in ("whenDeleted", "whenScaled"):
        value = getattr(policy, name)
        if value not in RETENTION_POLICIES:
            errs.append(not_supported(f"{path}.{name}", value or "", RETENTION_POLICIES))


def _validate_claim_template(claim: PersistentVolumeClaim, path: str, errs: Errors) -> None:
    name = claim.metadata.name
    if not name:
        errs.append(required(f"{path}.metadata.name", "name or generateName is required"))
    else:
        for msg in is_dns1123_subdomain(name):
            errs.append(invalid(f"{path}.metadata.name", name, msg))
    validate_labels(claim.metadata.labels, f"{path}.metadata.labels", errs)
    spec = claim.spec
    if not spec.accessModes:
        errs.append(required(f"{path}.spec.accessModes", "at least 1 access mode is required"))
    for mode in spec.accessModes or ():
        if mode not in ACCESS_MODES:
            errs.append(not_supported(f"{path}.spec.accessModes", mode, ACCESS_MODES))
    if spec.selector is not None:
        validate_label_selector(spec.selector, f"{path}.spec.selector", errs)
    requests = (spec.resources.requests if spec.resources else None) or {}
    if "storage" not in requests:
        errs.append(required(f"{path}.spec.resources[storage]"))


def _with_claim_volumes(sts: StatefulSet) -> StatefulSet:
    """The template as the controller stamps it: one claim volume per claim template."""
    claims = sts.spec.volumeClaimTemplates or []
    if not claims:
        return sts
    template = sts.spec.template.model_copy(deep=True)
    have = {v.name for v in template.spec.volumes or ()}
    extra = [Volume.model_validate({"name": c.metadata.name, "persistentVolumeClaim": {
        "claimName": c.metadata.name}}) for c in claims
             if c.metadata.name and c.metadata.name not in have]
    template.spec.volumes = [*(template.spec.volumes or []), *extra]
    copy = sts.model_copy()
    copy.spec = sts.spec.model_copy(update={"template": template})
    return copy


def validate_stateful_set(sts: StatefulSet, old: StatefulSet | None, errs: Errors) -> None:
    spec = sts.spec
    if spec.podManagementPolicy not in POD_MANAGEMENT_POLICIES:
        if not spec.podManagementPolicy:
            errs.append(required("spec.podManagementPolicy"))
        else:
            errs.append(invalid("spec.podManagementPolicy", spec.podManagementPolicy,
                                "must be 'OrderedReady' or 'Parallel'"))
    _validate_update_strategy(spec, errs)
    _validate_retention_policy(spec, errs)
    for name in ("replicas", "revisionHistoryLimit", "minReadySeconds"):
        nonnegative(getattr(spec, name), f"spec.{name}", errs)
    if spec.ordinals is not None:
        nonnegative(spec.ordinals.start, "spec.ordinals.start", errs)
    if spec.serviceName:
        for msg in is_dns1035_label(spec.serviceName):
            errs.append(invalid("spec.serviceName", spec.serviceName, msg))
    _selected_template(spec.selector, spec.template, "statefulset", errs)
    for i, claim in enumerate(spec.volumeClaimTemplates or ()):
        _validate_claim_template(claim, f"spec.volumeClaimTemplates[{i}]", errs)
    validate_pod_template(_with_claim_volumes(sts).spec.template, "spec.template", errs)
    _template_restart_policy(spec.template, "StatefulSet", errs)
    if old is not None:
        _validate_update(spec, old.spec, errs)


def _validate_update(spec: StatefulSetSpec, old: StatefulSetSpec, errs: Errors) -> None:
    def frozen(s: StatefulSetSpec) -> dict:
        return {k: v for k, v in s.wire().items() if k not in UPDATABLE}

    if frozen(spec) != frozen(old):
        errs.append(forbidden("spec", UPDATE_FORBIDDEN))
