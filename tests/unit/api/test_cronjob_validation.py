"""CronJob defaults and validation: Kubernetes' defaults, its schedule and time-zone
rules (TZ= refused on create but kept on an update of an old object), the 52-character
name, and the Job template's own rules."""

from __future__ import annotations

from typing import Any

from tugboat.api.batch import CronJob
from tugboat.api.defaults import apply_defaults
from tugboat.api.validation import validate


def cron_job(name: str = "tick", **spec: Any) -> CronJob:
    obj = CronJob.model_validate({
        "metadata": {"name": name, "namespace": "ns"},
        "spec": {"schedule": "*/5 * * * *", **spec, "jobTemplate": {"spec": {"template": {
            "spec": {"restartPolicy": "OnFailure",
                     "containers": [{"name": "c", "image": "busybox:1.36"}]}}}}}})
    apply_defaults(obj)
    return obj


def fields(obj: CronJob, old: CronJob | None = None) -> list[tuple[str, str]]:
    return [(c.field or "", c.message or "") for c in validate(obj, old)]


def test_defaults() -> None:
    spec = cron_job().spec
    assert (spec.concurrencyPolicy, spec.suspend, spec.successfulJobsHistoryLimit,
            spec.failedJobsHistoryLimit) == ("Allow", False, 3, 1)
    assert spec.jobTemplate.spec.template.spec.terminationGracePeriodSeconds == 30
    assert spec.jobTemplate.spec.backoffLimit is None  # each Job is defaulted on its own


def test_valid() -> None:
    assert fields(cron_job(timeZone="America/New_York", startingDeadlineSeconds=30)) == []
    assert fields(cron_job("x" * 52, schedule="@weekly")) == []


def test_time_zones() -> None:
    assert fields(cron_job(timeZone="")) == [
        ("spec.timeZone", 'Invalid value: "": timeZone must be nil or non-empty string')]
    assert fields(cron_job(timeZone="Local")) == [
        ("spec.timeZone", 'Invalid value: "Local": timeZone must be an explicit time zone as '
                          "defined in https://www.iana.org/time-zones")]
    assert fields(cron_job(timeZone="Europe/Nowhere")) == [
        ("spec.timeZone", 'Invalid value: "Europe/Nowhere": unknown time zone Europe/Nowhere')]


def test_tz_in_schedule_only_on_an_update_of_an_old_object() -> None:
    old = cron_job(schedule="TZ=UTC 0 * * * *")
    assert fields(old)[0][1].endswith("use timeZone field instead")
    assert fields(cron_job(schedule="TZ=UTC 5 * * * *"), old) == []
    assert fields(cron_job(schedule="TZ=UTC 5 * * * *", timeZone="UTC"), old) == [
        ("spec.schedule", 'Invalid value: "TZ=UTC 5 * * * *": cannot use both timeZone field '
                          "and TZ or CRON_TZ in schedule")]


def test_spec_rules() -> None:
    assert fields(cron_job("x" * 53)) == [
        ("metadata.name", f'Invalid value: "{"x" * 53}": must be no more than 52 characters')]
    assert fields(cron_job(schedule="")) == [("spec.schedule", "Required value")]
    assert fields(cron_job(startingDeadlineSeconds=-1, failedJobsHistoryLimit=-1)) == [
        ("spec.startingDeadlineSeconds", "Invalid value: -1: must be greater than or equal to 0"),
        ("spec.failedJobsHistoryLimit", "Invalid value: -1: must be greater than or equal to 0")]
    obj = cron_job()
    obj.spec.jobTemplate.spec.template.spec.restartPolicy = "Always"
    assert fields(obj) == [("spec.jobTemplate.spec.template.spec.restartPolicy",
                            'Unsupported value: "Always": supported values: "OnFailure", '
                            '"Never"')]
