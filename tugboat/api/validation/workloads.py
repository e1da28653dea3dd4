"""Workload controllers' objects: ReplicationController, ReplicaSet, Deployment, DaemonSet
and Job. Each validates its counts, its selector against its template's labels, and its
template through the shared pod-spec validator plus the restartPolicy rule of DESIGN S5
(Always for RC/RS/Deployment/DaemonSet, OnFailure or Never for Job).
"""

from __future__ import annotations

from tugboat.api.apps import (
    DaemonSet,
    DaemonSetUpdateStrategy,
    Deployment,
    DeploymentStrategy,
    ReplicaSet,
)
from tugboat.api.batch import CONTROLLER_UID_LABEL, Job
from tugboat.api.core import ReplicationController
from tugboat.api.fieldtypes import IntOrString
from tugboat.api.meta import LabelSelector
from tugboat.api.pod import PodTemplateSpec
from tugboat.api.validation.fielderrors import (
    Errors,
    forbidden,
    immutable,
    invalid,
    nonnegative,
    not_supported,
    required,
)
from tugboat.api.validation.names import is_percent
from tugboat.api.validation.objectmeta import (
    selector_matches,
    validate_label_selector,
    validate_labels,
)
from tugboat.api.validation.pods import validate_pod_template

SELECTOR_MISMATCH = "`selector` does not match template `labels`"


def _template_restart_policy(template: PodTemplateSpec, kind: str, errs: Errors) -> None:
    """RC, ReplicaSet, Deployment and DaemonSet pods always restart, and never time out."""
    spec = template.spec
    if spec.restartPolicy != "Always":
        errs.append(not_supported("spec.template.spec.restartPolicy", spec.restartPolicy or "",
                                  ("Always",)))
    if spec.activeDeadlineSeconds is not None:
        errs.append(invalid("spec.template.spec.activeDeadlineSeconds",
                            spec.activeDeadlineSeconds,
                            f"activeDeadlineSeconds in {kind} is not Supported"))


def _selected_template(selector: LabelSelector | None, template: PodTemplateSpec, kind: str,
                       errs: Errors) -> None:
    """A required, non-empty selector that selects the template's labels."""
    if selector is None:
        errs.append(required("spec.selector"))
        return
    before = len(errs)
    validate_label_selector(selector, "spec.selector", errs)
    if not selector.matchLabels and not selector.matchExpressions:
        errs.append(invalid("spec.selector", selector, f"empty selector is invalid for {kind}"))
    elif len(errs) == before and not selector_matches(selector, template.metadata.labels):
        errs.append(invalid("spec.template.metadata.labels", template.metadata.labels or {},
                            SELECTOR_MISMATCH))


def validate_replication_controller(rc: ReplicationController, old: ReplicationController | None,
                                    errs: Errors) -> None:
    spec = rc.spec
    nonnegative(spec.replicas, "spec.replicas", errs)
    nonnegative(spec.minReadySeconds, "spec.minReadySeconds", errs)
    if not spec.selector:
        errs.append(required("spec.selector"))
    else:
        validate_labels(spec.selector, "spec.selector", errs)
    if spec.template is None:
        errs.append(required("spec.template"))
        return
    labels = spec.template.metadata.labels or {}
    if spec.selector and any(labels.get(k) != v for k, v in spec.selector.items()):
        errs.append(invalid("spec.template.metadata.labels", labels, SELECTOR_MISMATCH))
    validate_pod_template(spec.template, "spec.template", errs)
    _template_restart_policy(spec.template, "ReplicationController", errs)


def validate_replica_set(rs: ReplicaSet, old: ReplicaSet | None, errs: Errors) -> None:
    spec = rs.spec
    nonnegative(spec.replicas, "spec.replicas", errs)
    nonnegative(spec.minReadySeconds, "spec.minReadySeconds", errs)
    _selected_template(spec.selector, spec.template, "deployment", errs)
    validate_pod_template(spec.template, "spec.template", errs)
    _template_restart_policy(spec.template, "ReplicaSet", errs)
    if old is not None and spec.selector != old.spec.selector:
        errs.append(immutable("spec.selector", spec.selector))


def _int_or_percent(value: IntOrString | None, path: str, errs: Errors) -> int:
    """ValidatePositiveIntOrPercent and IsNotMoreThan100Percent; returns the number."""
    if value is None:
        return 0
    if isinstance(value, int):
        nonnegative(value, path, errs)
        return value
    for msg in is_percent(value):
        errs.append(invalid(path, value, msg))
        return -1
    return int(value[:-1])


def _validate_deployment_strategy(strategy: DeploymentStrategy | None, errs: Errors) -> None:
    path = "spec.strategy"
    if strategy is None or strategy.type not in ("Recreate", "RollingUpdate"):
        errs.append(not_supported(f"{path}.type", strategy.type if strategy else "",
                                  ("Recreate", "RollingUpdate")))
        return
    ru = strategy.rollingUpdate
    if strategy.type == "Recreate":
        if ru is not None:
            errs.append(forbidden(f"{path}.rollingUpdate",
                                  "may not be specified when strategy `type` is 'Recreate'"))
        return
    if ru is None:
        errs.append(required(f"{path}.rollingUpdate", "this should be defaulted and never be nil"))
        return
    p = f"{path}.rollingUpdate"
    unavailable = _int_or_percent(ru.maxUnavailable, f"{p}.maxUnavailable", errs)
    surge = _int_or_percent(ru.maxSurge, f"{p}.maxSurge", errs)
    if unavailable == 0 and surge == 0:
        errs.append(invalid(f"{p}.maxUnavailable", ru.maxUnavailable,
                            "may not be 0 when `maxSurge` is 0"))
    if isinstance(ru.maxUnavailable, str) and unavailable > 100:
        errs.append(invalid(f"{p}.maxUnavailable", ru.maxUnavailable, "must not be greater than 100%"))


def validate_deployment(d: Deployment, old: Deployment | None, errs: Errors) -> None:
    spec = d.spec
    nonnegative(spec.replicas, "spec.replicas", errs)
    nonnegative(spec.minReadySeconds, "spec.minReadySeconds", errs)
    nonnegative(spec.revisionHistoryLimit, "spec.revisionHistoryLimit", errs)
    _selected_template(spec.selector, spec.template, "deployment", errs)
    validate_pod_template(spec.template, "spec.template", errs)
    _template_restart_policy(spec.template, "Deployment", errs)
    _validate_deployment_strategy(spec.strategy, errs)
    pds = spec.progressDeadlineSeconds
    if pds is not None:
        nonnegative(pds, "spec.progressDeadlineSeconds", errs)
        if pds <= (spec.minReadySeconds or 0):
            errs.append(invalid("spec.progressDeadlineSeconds", pds,
                                "must be greater than minReadySeconds"))
    if old is not None and spec.selector != old.spec.selector:
        errs.append(immutable("spec.selector", spec.selector))


def _validate_daemon_set_strategy(strategy: DaemonSetUpdateStrategy | None,
                                  errs: Errors) -> None:
    path = "spec.updateStrategy"
    if strategy is None or strategy.type not in ("RollingUpdate", "OnDelete"):
        errs.append(not_supported(f"{path}.type", strategy.type if strategy else "",
                                  ("RollingUpdate", "OnDelete")))
        return
    if strategy.type == "OnDelete":
        return
    ru = strategy.rollingUpdate
    if ru is None:
        errs.append(required(f"{path}.rollingUpdate"))
        return
    p = f"{path}.rollingUpdate"
    unavailable = _int_or_percent(ru.maxUnavailable, f"{p}.maxUnavailable", errs)
    surge = _int_or_percent(ru.maxSurge, f"{p}.maxSurge", errs)
    for name, value, number in (("maxUnavailable", ru.maxUnavailable, unavailable),
                                ("maxSurge", ru.maxSurge, surge)):
        if isinstance(value, str) and number > 100:
            errs.append(invalid(f"{p}.{name}", value, "must not be greater than 100%"))
    if unavailable and surge:
        errs.append(invalid(f"{p}.maxSurge", ru.maxSurge,
                            "may not be set when maxUnavailable is non-zero"))
    elif not unavailable and not surge:
        errs.append(required(f"{p}.maxUnavailable", "cannot be 0 when maxSurge is 0"))


def validate_daemon_set(ds: DaemonSet, old: DaemonSet | None, errs: Errors) -> None:
    spec = ds.spec
    _selected_template(spec.selector, spec.template, "daemonset", errs)
    validate_pod_template(spec.template, "spec.template", errs)
    _template_restart_policy(spec.template, "DaemonSet", errs)
    nonnegative(spec.minReadySeconds, "spec.minReadySeconds", errs)
    nonnegative(spec.revisionHistoryLimit, "spec.revisionHistoryLimit", errs)
    _validate_daemon_set_strategy(spec.updateStrategy, errs)
    if old is not None and spec.selector != old.spec.selector:
        errs.append(immutable("spec.selector", spec.selector))


def validate_job(job: Job, old: Job | None, errs: Errors) -> None:
    spec = job.spec
    for name in ("parallelism", "completions", "activeDeadlineSeconds", "backoffLimit",
                 "ttlSecondsAfterFinished"):
        nonnegative(getattr(spec, name), f"spec.{name}", errs)
    mode = spec.completionMode
    if mode is not None and mode not in ("NonIndexed", "Indexed"):
        errs.append(not_supported("spec.completionMode", mode, ("NonIndexed", "Indexed")))
    if mode == "Indexed" and spec.completions is None:
        errs.append(required("spec.completions", "when completion mode is Indexed"))
    _selected_template(spec.selector, spec.template, "job", errs)
    validate_pod_template(spec.template, "spec.template", errs)
    policy = spec.template.spec.restartPolicy
    if policy not in ("OnFailure", "Never"):
        errs.append(not_supported("spec.template.spec.restartPolicy", policy or "",
                                  ("OnFailure", "Never")))
    uid = job.metadata.uid
    if not spec.manualSelector and uid and spec.selector is not None:
        if (spec.selector.matchLabels or {}).get(CONTROLLER_UID_LABEL) != uid:
            errs.append(invalid("spec.selector", spec.selector, "`selector` not auto-generated"))
    if old is not None:
        _validate_job_update(job, old, errs)


def _validate_job_update(job: Job, old: Job, errs: Errors) -> None:
    spec, old_spec = job.spec, old.spec
    if spec.selector != old_spec.selector:
        errs.append(immutable("spec.selector", spec.selector))
    if spec.template != old_spec.template:
        errs.append(immutable("spec.template", spec.template))
    if spec.completionMode != old_spec.completionMode:
        errs.append(immutable("spec.completionMode", spec.completionMode))
    if spec.completions != old_spec.completions and not (
            spec.completionMode == "Indexed" and spec.completions == spec.parallelism):
        errs.append(immutable("spec.completions", spec.completions))
