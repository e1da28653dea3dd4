"""CronJob defaulting (SetDefaults_CronJob): Allow concurrent runs, not suspended, keep
three successful and one failed Job. The Job template's own fields are not defaulted here
(Kubernetes defaults only the pod template inside it); each Job made from it is defaulted
when it is created."""

from __future__ import annotations

from tugboat.api.batch import CronJob
from tugboat.api.defaults.pods import default_template


def default_cron_job(cron_job: CronJob) -> None:
    spec = cron_job.spec
    if spec.concurrencyPolicy is None:
        spec.concurrencyPolicy = "Allow"
    if spec.suspend is None:
        spec.suspend = False
    if spec.successfulJobsHistoryLimit is None:
        spec.successfulJobsHistoryLimit = 3
    if spec.failedJobsHistoryLimit is None:
        spec.failedJobsHistoryLimit = 1
    default_template(spec.jobTemplate.spec.template)
