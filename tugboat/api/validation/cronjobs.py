"""CronJob validation (ValidateCronJobCreate/Update): the schedule must parse as robfig/cron
parses it and may not carry its own `TZ=`/`CRON_TZ=` (the timeZone field says that), the
time zone must be an IANA name, and the name leaves room for the `-<minutes>` suffix of
the Jobs it makes (52 characters, so a Job's name still fits a 63-character label)."""

from __future__ import annotations

from tugboat.api import cronschedule
from tugboat.api.batch import CronJob, JobSpec
from tugboat.api.validation.fielderrors import (
    Errors,
    invalid,
    nonnegative,
    not_supported,
    required,
)
from tugboat.api.validation.pods import validate_pod_template

MAX_NAME_LENGTH = 52  # DNS1035LabelMaxLength - 11
CONCURRENCY_POLICIES = ("Allow", "Forbid", "Replace")
_JOB = "spec.jobTemplate.spec"


def validate_cron_job(cron_job: CronJob, old: CronJob | None, errs: Errors) -> None:
    name = cron_job.metadata.name or ""
    if old is None and len(name) > MAX_NAME_LENGTH:
        errs.append(invalid("metadata.name", name,
                            f"must be no more than {MAX_NAME_LENGTH} characters"))
    spec = cron_job.spec
    # an update may keep a TZ= its stored schedule already had (created before 1.27)
    allow_tz = old is not None and "TZ" in old.spec.schedule
    if not spec.schedule:
        errs.append(required("spec.schedule"))
    else:
        _validate_schedule(spec.schedule, allow_tz, spec.timeZone is not None, errs)
    nonnegative(spec.startingDeadlineSeconds, "spec.startingDeadlineSeconds", errs)
    if not spec.concurrencyPolicy:
        errs.append(required("spec.concurrencyPolicy"))
    elif spec.concurrencyPolicy not in CONCURRENCY_POLICIES:
        errs.append(not_supported("spec.concurrencyPolicy", spec.concurrencyPolicy,
                                  CONCURRENCY_POLICIES))
    nonnegative(spec.successfulJobsHistoryLimit, "spec.successfulJobsHistoryLimit", errs)
    nonnegative(spec.failedJobsHistoryLimit, "spec.failedJobsHistoryLimit", errs)
    _validate_time_zone(spec.timeZone, errs)
    _validate_job_template(spec.jobTemplate.spec, errs)


def _validate_schedule(schedule: str, allow_tz: bool, has_zone: bool, errs: Errors) -> None:
    try:
        cronschedule.parse(schedule)
    except cronschedule.ScheduleError as e:
        errs.append(invalid("spec.schedule", schedule, str(e)))
    if allow_tz and "TZ" in schedule and has_zone:
        errs.append(invalid("spec.schedule", schedule,
                            "cannot use both timeZone field and TZ or CRON_TZ in schedule"))
    elif not allow_tz and "TZ" in schedule:
        errs.append(invalid("spec.schedule", schedule,
                            "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"))


def _validate_time_zone(zone: str | None, errs: Errors) -> None:
    if zone is None:
        return
    if not zone:
        errs.append(invalid("spec.timeZone", zone, "timeZone must be nil or non-empty string"))
        return
    if zone.lower() == "local":
        errs.append(invalid("spec.timeZone", zone, "timeZone must be an explicit time zone as "
                                                   "defined in https://www.iana.org/time-zones"))
        return
    try:
        cronschedule.location(zone)
    except cronschedule.ScheduleError as e:
        errs.append(invalid("spec.timeZone", zone, str(e)))


def _validate_job_template(spec: JobSpec, errs: Errors) -> None:
    """ValidateJobTemplateSpec: the Job's counts and pod template; its selector is
    generated for each Job, so the template may not set one."""
    for field in ("parallelism", "completions", "activeDeadlineSeconds", "backoffLimit",
                  "ttlSecondsAfterFinished"):
        nonnegative(getattr(spec, field), f"{_JOB}.{field}", errs)
    mode = spec.completionMode
    if mode is not None and mode not in ("NonIndexed", "Indexed"):
        errs.append(not_supported(f"{_JOB}.completionMode", mode, ("NonIndexed", "Indexed")))
    validate_pod_template(spec.template, f"{_JOB}.template", errs)
    policy = spec.template.spec.restartPolicy
    if policy not in ("OnFailure", "Never"):
        errs.append(not_supported(f"{_JOB}.template.spec.restartPolicy", policy or "",
                                  ("OnFailure", "Never")))
    if spec.selector is not None and not spec.manualSelector:
        errs.append(invalid(f"{_JOB}.selector", spec.selector, "`selector` will be auto-generated"))
    if spec.manualSelector:
        errs.append(not_supported(f"{_JOB}.manualSelector", spec.manualSelector,
                                  ("nil", "false")))
