"""batch/v1 Job: run pods to completion (completions, parallelism, backoffLimit, deadlines);
and CronJob: a Job template run on a cron schedule."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from tugboat.api.fieldtypes import Int32, Int64
from tugboat.api.meta import (
    K8sModel,
    LabelSelector,
    ObjectMeta,
    ObjectReference,
    PassThrough,
    Time,
)
from tugboat.api.pod import PodTemplateSpec

# The labels Kubernetes generates on a Job's pod template (and selects on) when the user
# does not set manualSelector; the unprefixed pair is kept for old clients, as Kubernetes does.
CONTROLLER_UID_LABEL = "batch.kubernetes.io/controller-uid"
JOB_NAME_LABEL = "batch.kubernetes.io/job-name"
LEGACY_CONTROLLER_UID_LABEL = "controller-uid"
LEGACY_JOB_NAME_LABEL = "job-name"


class PodFailurePolicyOnExitCodesRequirement(PassThrough):
    operator: str  # In, NotIn
    values: list[Int32]


class PodFailurePolicyOnPodConditionsPattern(PassThrough):
    type: str


class PodFailurePolicyRule(PassThrough):
    action: str  # FailJob, FailIndex, Ignore, Count
    onExitCodes: PodFailurePolicyOnExitCodesRequirement | None = None
    onPodConditions: list[PodFailurePolicyOnPodConditionsPattern] | None = None


class PodFailurePolicy(PassThrough):
    rules: list[PodFailurePolicyRule]


class SuccessPolicy(PassThrough):
    rules: list[dict[str, Any]]


class JobSpec(K8sModel):
    parallelism: Int32 | None = None
    completions: Int32 | None = None
    activeDeadlineSeconds: Int64 | None = None
    backoffLimit: Int32 | None = None
    backoffLimitPerIndex: Int32 | None = None
    maxFailedIndexes: Int32 | None = None
    podFailurePolicy: PodFailurePolicy | None = None
    successPolicy: SuccessPolicy | None = None
    ttlSecondsAfterFinished: Int32 | None = None
    completionMode: str | None = None
    suspend: bool | None = None
    podReplacementPolicy: str | None = None
    manualSelector: bool | None = None
    selector: LabelSelector | None = None
    template: PodTemplateSpec = Field(default_factory=PodTemplateSpec)


class JobCondition(K8sModel):
    type: str
    status: str
    lastProbeTime: Time | None = None
    lastTransitionTime: Time | None = None
    reason: str | None = None
    message: str | None = None


class JobStatus(K8sModel):
    active: Int32 | None = None
    succeeded: Int32 | None = None
    failed: Int32 | None = None
    terminating: Int32 | None = None
    ready: Int32 | None = None
    startTime: Time | None = None
    completionTime: Time | None = None
    completedIndexes: str | None = None
    failedIndexes: str | None = None
    uncountedTerminatedPods: dict[str, Any] | None = None
    conditions: list[JobCondition] | None = None


class Job(K8sModel):
    apiVersion: str = "batch/v1"
    kind: str = "Job"
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    spec: JobSpec = Field(default_factory=JobSpec)
    status: JobStatus = Field(default_factory=JobStatus)


# CronJob (batch/v1): a Job made on a cron schedule. The controller annotates each Job it
# makes with the scheduled time, written in the CronJob's time zone.
CRONJOB_SCHEDULED_TIMESTAMP_ANNOTATION = "batch.kubernetes.io/cronjob-scheduled-timestamp"


class JobTemplateSpec(K8sModel):
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    spec: JobSpec = Field(default_factory=JobSpec)


class CronJobSpec(K8sModel):
    schedule: str = ""
    timeZone: str | None = None
    startingDeadlineSeconds: Int64 | None = None
    concurrencyPolicy: str | None = None  # Allow, Forbid, Replace
    suspend: bool | None = None
    jobTemplate: JobTemplateSpec = Field(default_factory=JobTemplateSpec)
    successfulJobsHistoryLimit: Int32 | None = None
    failedJobsHistoryLimit: Int32 | None = None


class CronJobStatus(K8sModel):
    active: list[ObjectReference] | None = None
    lastScheduleTime: Time | None = None
    lastSuccessfulTime: Time | None = None


class CronJob(K8sModel):
    apiVersion: str = "batch/v1"
    kind: str = "CronJob"
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    spec: CronJobSpec = Field(default_factory=CronJobSpec)
    status: CronJobStatus = Field(default_factory=CronJobStatus)
