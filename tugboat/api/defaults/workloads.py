"""Workload defaulting: replicas, strategies, history limits, Job completions and the
Job's generated selector, and the pod template inside each."""

from __future__ import annotations

from tugboat.api.apps import (
    DaemonSet,
    DaemonSetUpdateStrategy,
    Deployment,
    DeploymentStrategy,
    ReplicaSet,
    RollingUpdateDaemonSet,
    RollingUpdateDeployment,
)
from tugboat.api.batch import (
    CONTROLLER_UID_LABEL,
    JOB_NAME_LABEL,
    LEGACY_CONTROLLER_UID_LABEL,
    LEGACY_JOB_NAME_LABEL,
    Job,
)
from tugboat.api.core import ReplicationController
from tugboat.api.defaults.pods import default_template
from tugboat.api.meta import LabelSelector


def default_replication_controller(rc: ReplicationController) -> None:
    spec = rc.spec
    labels = spec.template.metadata.labels if spec.template is not None else None
    if labels:
        if not spec.selector:
            spec.selector = dict(labels)
        if not rc.metadata.labels:
            rc.metadata.labels = dict(labels)
    if spec.replicas is None:
        spec.replicas = 1
    default_template(spec.template)


def default_replica_set(rs: ReplicaSet) -> None:
    if rs.spec.replicas is None:
        rs.spec.replicas = 1
    default_template(rs.spec.template)


def default_deployment(d: Deployment) -> None:
    spec = d.spec
    if spec.replicas is None:
        spec.replicas = 1
    if spec.strategy is None:
        spec.strategy = DeploymentStrategy()
    strategy = spec.strategy
    if not strategy.type:
        strategy.type = "RollingUpdate"
    if strategy.type == "RollingUpdate":
        if strategy.rollingUpdate is None:
            strategy.rollingUpdate = RollingUpdateDeployment()
        if strategy.rollingUpdate.maxUnavailable is None:
            strategy.rollingUpdate.maxUnavailable = "25%"
        if strategy.rollingUpdate.maxSurge is None:
            strategy.rollingUpdate.maxSurge = "25%"
    if spec.revisionHistoryLimit is None:
        spec.revisionHistoryLimit = 10
    if spec.progressDeadlineSeconds is None:
        spec.progressDeadlineSeconds = 600
    default_template(spec.template)


def default_daemon_set(ds: DaemonSet) -> None:
    spec = ds.spec
    if spec.updateStrategy is None:
        spec.updateStrategy = DaemonSetUpdateStrategy()
    strategy = spec.updateStrategy
    if not strategy.type:
        strategy.type = "RollingUpdate"
    if strategy.type == "RollingUpdate":
        if strategy.rollingUpdate is None:
            strategy.rollingUpdate = RollingUpdateDaemonSet()
        if strategy.rollingUpdate.maxUnavailable is None:
            strategy.rollingUpdate.maxUnavailable = 1
        if strategy.rollingUpdate.maxSurge is None:
            strategy.rollingUpdate.maxSurge = 0
    if spec.revisionHistoryLimit is None:
        spec.revisionHistoryLimit = 10
    default_template(spec.template)


def default_job(job: Job) -> None:
    spec = job.spec
    if spec.completions is None and spec.parallelism is None:
        spec.completions = 1
    if spec.parallelism is None:
        spec.parallelism = 1
    if spec.backoffLimit is None:
        spec.backoffLimit = 2147483647 if spec.backoffLimitPerIndex is not None else 6
    labels = spec.template.metadata.labels
    if labels and not job.metadata.labels:
        job.metadata.labels = dict(labels)
    if spec.completionMode is None:
        spec.completionMode = "NonIndexed"
    if spec.suspend is None:
        spec.suspend = False
    if spec.podReplacementPolicy is None and spec.podFailurePolicy is None:
        spec.podReplacementPolicy = "TerminatingOrFailed"
    default_template(spec.template)


def default_job_selector(job: Job) -> None:
    """The job registry's generateSelector: unless manualSelector, label the pod template
    with the job's name and uid and select on the uid. Needs metadata.uid, so the apiserver
    calls it after assigning one; a no-op before."""
    uid = job.metadata.uid
    if job.spec.manualSelector or not uid:
        return
    template_meta = job.spec.template.metadata
    before = template_meta.labels or {}
    labels = dict(before)
    name = job.metadata.name or ""
    labels.setdefault(LEGACY_JOB_NAME_LABEL, name)
    labels.setdefault(JOB_NAME_LABEL, name)
    labels.setdefault(LEGACY_CONTROLLER_UID_LABEL, uid)
    labels.setdefault(CONTROLLER_UID_LABEL, uid)
    template_meta.labels = labels
    if job.spec.selector is None:
        job.spec.selector = LabelSelector()
    match = dict(job.spec.selector.matchLabels or {})
    match.setdefault(CONTROLLER_UID_LABEL, uid)
    job.spec.selector.matchLabels = match
    # Kubernetes' job labels default to (the same map as) the template's, so they gain the
    # generated labels too when the user set none of their own.
    if not job.metadata.labels or job.metadata.labels == before:
        job.metadata.labels = dict(labels)
