"""CronJobs against a real API server and controller manager: what the API stores and
refuses (defaults, schedule and time-zone validation, the 52-character name, the status
subresource, kubectl's columns), and — the issue's check — a CronJob every minute runs a
Job, named for its scheduled minute and owned by the CronJob."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest

from tests.support.processes import ApiServerProcess, wait_until
from tugboat.client import Invalid, SyncApiClient

TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io"


def cronjob(name: str, schedule: str = "* * * * *", **spec: Any) -> dict[str, Any]:
    return {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": name},
            "spec": {"schedule": schedule, **spec, "jobTemplate": {"spec": {"template": {
                "spec": {"restartPolicy": "OnFailure", "containers": [
                    {"name": "tick", "image": "busybox:1.36", "command": ["date"]}]}}}}}}


def causes(kube: SyncApiClient, ns: str, body: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(Invalid) as e:
        kube.create("cronjobs", body, ns)
    return [(c.field, c.message) for c in e.value.status.details.causes]


def test_defaults_and_status_subresource(kube: SyncApiClient, ns: str) -> None:
    cj = kube.create("cronjobs", cronjob("nightly", "@daily", timeZone="Europe/Berlin"), ns)
    spec = cj["spec"]
    assert (spec["concurrencyPolicy"], spec["suspend"], spec["successfulJobsHistoryLimit"],
            spec["failedJobsHistoryLimit"]) == ("Allow", False, 3, 1)
    assert cj["metadata"]["generation"] == 1
    pod = spec["jobTemplate"]["spec"]["template"]["spec"]
    assert pod["dnsPolicy"] == "ClusterFirst"  # the pod template is defaulted
    cj["status"] = {"lastScheduleTime": "2026-01-01T00:00:00Z"}
    cj = kube.update("cronjobs", cj, ns)  # status moves only through /status
    assert cj.get("status", {}).get("lastScheduleTime") is None
    cj["status"] = {"lastScheduleTime": "2026-01-01T00:00:00Z"}
    cj = kube.update_status("cronjobs", cj, ns)
    assert cj["status"]["lastScheduleTime"] == "2026-01-01T00:00:00Z"
    assert cj["metadata"]["generation"] == 1


def test_validation_is_kubernetes(kube: SyncApiClient, ns: str) -> None:
    assert causes(kube, ns, cronjob("a", "61 * * * *")) == [
        ("spec.schedule", 'Invalid value: "61 * * * *": end of range (61) above maximum '
                          "(59): 61")]
    assert causes(kube, ns, cronjob("a", "CRON_TZ=UTC 0 * * * *")) == [
        ("spec.schedule", 'Invalid value: "CRON_TZ=UTC 0 * * * *": cannot use TZ or CRON_TZ '
                          "in schedule, use timeZone field instead")]
    assert causes(kube, ns, cronjob("a", "@hourly", timeZone="Mars/Olympus")) == [
        ("spec.timeZone", 'Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus')]
    assert causes(kube, ns, cronjob("a", "@hourly", concurrencyPolicy="Sometimes")) == [
        ("spec.concurrencyPolicy", 'Unsupported value: "Sometimes": supported values: '
                                   '"Allow", "Forbid", "Replace"')]
    long = "x" * 53
    assert causes(kube, ns, cronjob(long)) == [
        ("metadata.name", f'Invalid value: "{long}": must be no more than 52 characters')]
    assert kube.create("cronjobs", cronjob("x" * 52), ns)["metadata"]["name"] == "x" * 52


def test_table_columns(apiserver: ApiServerProcess, kube: SyncApiClient, ns: str) -> None:
    kube.create("cronjobs", cronjob("hourly", "@hourly", timeZone="Asia/Tokyo"), ns)
    r = httpx.get(f"{apiserver.url}/apis/batch/v1/namespaces/{ns}/cronjobs",
                  headers={"Accept": TABLE})
    table = r.json()
    assert [c["name"] for c in table["columnDefinitions"]] == [
        "Name", "Schedule", "Timezone", "Suspend", "Active", "Last Schedule", "Age",
        "Containers", "Images", "Selector"]
    assert table["rows"][0]["cells"][:6] == ["hourly", "@hourly", "Asia/Tokyo", "False", 0,
                                             "<none>"]


def test_every_minute_runs_a_job(kube: SyncApiClient, ns: str) -> None:
    kube.create("cronjobs", cronjob("tick"), ns)
    cj = kube.get("cronjobs", "tick", ns)

    def jobs() -> list[dict[str, Any]]:
        return kube.list("jobs", ns)["items"]

    wait_until(lambda: jobs(), 75, "a Job within a minute and a bit")
    [job] = jobs()
    meta = job["metadata"]
    stamp = meta["annotations"]["batch.kubernetes.io/cronjob-scheduled-timestamp"]
    scheduled = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    assert scheduled.second == 0
    assert meta["name"] == f"tick-{int(scheduled.timestamp()) // 60}"
    [owner] = meta["ownerReferences"]
    assert (owner["kind"], owner["name"], owner["uid"], owner["controller"]) == (
        "CronJob", "tick", cj["metadata"]["uid"], True)
    wait_until(lambda: kube.get("cronjobs", "tick", ns).get("status", {}).get("active"), 15,
               "the Job in status.active")
    status = kube.get("cronjobs", "tick", ns)["status"]
    assert [r["name"] for r in status["active"]] == [meta["name"]]
    assert status["lastScheduleTime"] == scheduled.strftime("%Y-%m-%dT%H:%M:%SZ")
    events = kube.list("events", ns, field_selector="involvedObject.name=tick")["items"]
    assert any(e["reason"] == "SuccessfulCreate" and e["message"] == f"Created job "
               f"{meta['name']}" for e in events)
