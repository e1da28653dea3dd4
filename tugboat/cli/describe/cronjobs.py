"""`tug describe cronjob`: kubectl's describeCronJob page — schedule and policies, the
Job template (selector, counts, pod template), the last schedule time and the names of
the active Jobs."""

from __future__ import annotations

from typing import Any

from tugboat.cli.describe.podspec import describe_pod_template
from tugboat.cli.describe.writer import (
    PrefixWriter,
    annotations_multiline,
    get,
    labels_multiline,
    rfc1123z,
    selector_text,
)
from tugboat.cli.session import Session

Obj = dict[str, Any]


def _or_unset(value: Any, unit: str = "") -> str:
    return "<unset>" if value is None else f"{value}{unit}"


def describe_cron_job(session: Session, w: PrefixWriter, obj: Obj) -> None:
    meta, spec = obj.get("metadata") or {}, obj.get("spec") or {}
    w.write(0, f"Name:\t{meta.get('name')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace')}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, f"Schedule:\t{spec.get('schedule', '')}\n")
    w.write(0, f"Concurrency Policy:\t{spec.get('concurrencyPolicy', '')}\n")
    suspend = spec.get("suspend")
    w.write(0, f"Suspend:\t{'<unset>' if suspend is None else str(suspend)}\n")
    w.write(0, "Successful Job History Limit:\t"
               f"{_or_unset(spec.get('successfulJobsHistoryLimit'))}\n")
    w.write(0, f"Failed Job History Limit:\t{_or_unset(spec.get('failedJobsHistoryLimit'))}\n")
    w.write(0, "Starting Deadline Seconds:\t"
               f"{_or_unset(spec.get('startingDeadlineSeconds'), 's')}\n")
    _job_template(w, get(spec, "jobTemplate", "spec") or {})
    last = get(obj, "status", "lastScheduleTime")
    w.write(0, f"Last Schedule Time:\t{rfc1123z(last) if last else '<unset>'}\n")
    active = [r.get("name", "") for r in get(obj, "status", "active") or []]
    w.write(0, f"Active Jobs:\t{', '.join(active) if active else '<none>'}\n")


def _job_template(w: PrefixWriter, spec: Obj) -> None:
    selector = spec.get("selector")
    w.write(0, f"Selector:\t{'<unset>' if selector is None else selector_text(selector)}\n")
    w.write(0, f"Parallelism:\t{_or_unset(spec.get('parallelism'))}\n")
    w.write(0, f"Completions:\t{_or_unset(spec.get('completions'))}\n")
    if spec.get("activeDeadlineSeconds") is not None:
        w.write(0, f"Active Deadline Seconds:\t{spec['activeDeadlineSeconds']}s\n")
    describe_pod_template(w, spec.get("template"))
