"""The CronJob controller against fake informers, a recording client and a clock the test
moves: which Job it starts and when, the concurrency policies, the starting deadline, the
too-many-missed warning, suspension, history limits and the status it keeps."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.unit.controller.fakes import context
from tugboat.controller.context import ControllerContext
from tugboat.controller.cronjob import CronJobController

pytestmark = pytest.mark.anyio
UTC = dt.timezone.utc
TEMPLATE = {"metadata": {"labels": {"team": "ops"}, "annotations": {"note": "n"}},
            "spec": {"template": {"spec": {
                "restartPolicy": "OnFailure",
                "containers": [{"name": "c", "image": "busybox:1.36"}]}}}}


def epoch(*args: int) -> float:
    return dt.datetime(*args, tzinfo=UTC).timestamp()


def minutes(*args: int) -> int:
    return int(epoch(*args)) // 60


def cronjob(status: dict[str, Any] | None = None, **spec: Any) -> dict[str, Any]:
    return {"metadata": {"name": "tick", "namespace": "ns", "uid": "cj-uid",
                         "creationTimestamp": "2026-03-07T10:00:30Z"},
            "spec": {"schedule": "* * * * *", "concurrencyPolicy": "Allow",
                     "jobTemplate": TEMPLATE, **spec},
            "status": status or {}}


def owned_job(name: str, condition: str | None = None, start: str = "2026-03-07T10:00:00Z",
              uid: str | None = None) -> dict[str, Any]:
    status: dict[str, Any] = {"startTime": start}
    if condition:
        status["conditions"] = [{"type": condition, "status": "True"}]
        if condition == "Complete":
            status["completionTime"] = start.replace(":00Z", ":30Z")
    return {"metadata": {"name": name, "namespace": "ns", "uid": uid or f"uid-{name}",
                         "ownerReferences": [{"apiVersion": "batch/v1", "kind": "CronJob",
                                              "name": "tick", "uid": "cj-uid",
                                              "controller": True}]},
            "spec": {"template": TEMPLATE["spec"]["template"]}, "status": status}


def ref(name: str) -> dict[str, Any]:
    return {"kind": "Job", "apiVersion": "batch/v1", "namespace": "ns", "name": name,
            "uid": f"uid-{name}"}


def controller(at: float, cj: dict[str, Any], *jobs: dict[str, Any]
               ) -> tuple[CronJobController, ControllerContext]:
    ctx = context()
    ctx.wall.now = at  # type: ignore[attr-defined]
    c = CronJobController(ctx)
    c.zone = UTC
    ctx.informers["cronjobs"].add(cj)
    for job in jobs:
        ctx.informers["jobs"].add(job)
    return c, ctx


def created_jobs(ctx: ControllerContext) -> list[dict[str, Any]]:
    return [call[2] for call in ctx.client.writes("create", "jobs")]  # type: ignore[attr-defined]


def last_status(ctx: ControllerContext) -> dict[str, Any]:
    return ctx.client.writes("update/status", "cronjobs")[-1][2]["status"]  # type: ignore


def reasons(ctx: ControllerContext) -> list[str]:
    return [e[1] for e in ctx.recorder.events]  # type: ignore[attr-defined]


async def test_starts_the_job_of_the_scheduled_minute_and_requeues_for_the_next() -> None:
    c, ctx = controller(epoch(2026, 3, 7, 10, 1, 10), cronjob())
    delay = await c.reconcile("ns/tick")
    [job] = created_jobs(ctx)
    meta = job["metadata"]
    assert meta["name"] == f"tick-{minutes(2026, 3, 7, 10, 1)}"
    assert meta["labels"] == {"team": "ops"}
    assert meta["annotations"] == {
        "note": "n", "batch.kubernetes.io/cronjob-scheduled-timestamp": "2026-03-07T10:01:00Z"}
    assert meta["ownerReferences"] == [{"apiVersion": "batch/v1", "kind": "CronJob",
                                        "name": "tick", "uid": "cj-uid", "controller": True,
                                        "blockOwnerDeletion": True}]
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "OnFailure"
    status = last_status(ctx)
    assert status["lastScheduleTime"] == "2026-03-07T10:01:00Z"
    assert [r["name"] for r in status["active"]] == [meta["name"]]
    assert reasons(ctx) == ["SuccessfulCreate"]
    assert delay == pytest.approx(50.1)


async def test_nothing_before_the_first_scheduled_time() -> None:
    c, ctx = controller(epoch(2026, 3, 7, 10, 0, 50), cronjob())
    assert await c.reconcile("ns/tick") == pytest.approx(10.1)
    assert created_jobs(ctx) == [] and ctx.client.calls == []  # type: ignore[attr-defined]


async def test_a_processed_time_is_not_started_again() -> None:
    name = f"tick-{minutes(2026, 3, 7, 10, 1)}"
    cj = cronjob({"lastScheduleTime": "2026-03-07T10:01:00Z", "active": [ref(name)]})
    c, ctx = controller(epoch(2026, 3, 7, 10, 1, 30), cj, owned_job(name))
    assert await c.reconcile("ns/tick") == pytest.approx(30.1)
    assert created_jobs(ctx) == []


async def test_forbid_skips_while_a_job_runs() -> None:
    cj = cronjob({"lastScheduleTime": "2026-03-07T10:01:00Z", "active": [ref("tick-old")]},
                 concurrencyPolicy="Forbid")
    c, ctx = controller(epoch(2026, 3, 7, 10, 2, 5), cj, owned_job("tick-old"))
    await c.reconcile("ns/tick")
    assert created_jobs(ctx) == []
    assert reasons(ctx) == ["JobAlreadyActive"]


async def test_replace_deletes_the_running_job_first() -> None:
    cj = cronjob({"lastScheduleTime": "2026-03-07T10:01:00Z", "active": [ref("tick-old")]},
                 concurrencyPolicy="Replace")
    c, ctx = controller(epoch(2026, 3, 7, 10, 2, 5), cj, owned_job("tick-old"))
    await c.reconcile("ns/tick")
    [deleted] = ctx.client.writes("delete", "jobs")  # type: ignore[attr-defined]
    assert deleted[2] == "tick-old" and deleted[3]["propagation_policy"] == "Background"
    assert len(created_jobs(ctx)) == 1
    assert [r["name"] for r in last_status(ctx)["active"]] == [
        f"tick-{minutes(2026, 3, 7, 10, 2)}"]
    assert reasons(ctx) == ["SuccessfulDelete", "SuccessfulCreate"]


async def test_allow_runs_alongside() -> None:
    cj = cronjob({"lastScheduleTime": "2026-03-07T10:01:00Z", "active": [ref("tick-old")]})
    c, ctx = controller(epoch(2026, 3, 7, 10, 2, 5), cj, owned_job("tick-old"))
    await c.reconcile("ns/tick")
    assert len(created_jobs(ctx)) == 1 and len(last_status(ctx)["active"]) == 2


async def test_starting_deadline_skips_a_time_missed_by_too_much() -> None:
    cj = cronjob({"lastScheduleTime": "2026-03-07T10:00:00Z"}, schedule="*/5 * * * *",
                 startingDeadlineSeconds=10)
    c, ctx = controller(epoch(2026, 3, 7, 10, 5, 30), cj)  # 10:05 is 30 s late
    assert await c.reconcile("ns/tick") == pytest.approx(270.1)
    assert created_jobs(ctx) == []
    cj["spec"]["startingDeadlineSeconds"] = 60
    c, ctx = controller(epoch(2026, 3, 7, 10, 5, 30), cj)
    await c.reconcile("ns/tick")
    assert len(created_jobs(ctx)) == 1


async def test_too_many_missed_start_times_warns_and_starts_the_latest() -> None:
    c, ctx = controller(epoch(2026, 3, 9, 10, 0, 30), cronjob())  # two days of minutes
    await c.reconcile("ns/tick")
    assert reasons(ctx) == ["TooManyMissedTimes", "SuccessfulCreate"]
    assert ctx.recorder.events[0][2].startswith(  # type: ignore[attr-defined]
        "too many missed start times: 2880. Set or decrease .spec.startingDeadlineSeconds")
    assert created_jobs(ctx)[0]["metadata"]["name"] == f"tick-{minutes(2026, 3, 9, 10, 0)}"


async def test_suspended_starts_nothing() -> None:
    c, ctx = controller(epoch(2026, 3, 7, 10, 3), cronjob(suspend=True))
    assert await c.reconcile("ns/tick") is None
    assert created_jobs(ctx) == []


async def test_time_zone_sets_the_wall_clock_and_the_annotation() -> None:
    cj = cronjob(schedule="0 9 * * *", timeZone="Asia/Tokyo")
    cj["metadata"]["creationTimestamp"] = "2026-03-06T00:00:00Z"
    c, ctx = controller(epoch(2026, 3, 7, 0, 0, 20), cj)  # 09:00:20 in Tokyo
    await c.reconcile("ns/tick")
    [job] = created_jobs(ctx)
    assert job["metadata"]["annotations"][
        "batch.kubernetes.io/cronjob-scheduled-timestamp"] == "2026-03-07T09:00:00+09:00"


async def test_finished_jobs_leave_active_and_history_is_trimmed() -> None:
    done = [owned_job(f"tick-{i}", "Complete", f"2026-03-07T10:0{i}:00Z") for i in range(1, 5)]
    failed = [owned_job(f"tick-f{i}", "Failed", f"2026-03-07T09:0{i}:00Z") for i in range(1, 3)]
    cj = cronjob({"lastScheduleTime": "2026-03-07T10:04:00Z", "active": [ref("tick-4")]},
                 successfulJobsHistoryLimit=3, failedJobsHistoryLimit=1)
    c, ctx = controller(epoch(2026, 3, 7, 10, 4, 40), cj, *done, *failed)
    await c.reconcile("ns/tick")
    deleted = [call[2] for call in ctx.client.writes("delete", "jobs")]  # type: ignore
    assert deleted == ["tick-1", "tick-f1"]
    status = last_status(ctx)
    assert "active" not in status
    assert status["lastSuccessfulTime"] == "2026-03-07T10:04:30Z"
    assert reasons(ctx) == ["SuccessfulDelete", "SuccessfulDelete", "SawCompletedJob"]
    assert ctx.recorder.events[-1][2] == "Saw completed job: tick-4, condition: Complete"  # type: ignore
