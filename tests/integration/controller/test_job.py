"""Jobs against a real API server and controller manager, pod outcomes written through
the status subresource in place of a kubelet: completions and parallelism, backoffLimit,
activeDeadlineSeconds and ttlSecondsAfterFinished."""

from __future__ import annotations

from typing import Any

from tests.integration.controller.cluster import pods, set_pod_status
from tests.support.processes import wait_until
from tugboat.client import NotFound, SyncApiClient


def job(name: str, **spec: Any) -> dict[str, Any]:
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name},
            "spec": {**spec, "template": {"spec": {"restartPolicy": "Never", "containers": [
                {"name": "work", "image": "busybox:1.35", "command": ["true"]}]}}}}


def active(kube: SyncApiClient, ns: str, name: str) -> list[dict[str, Any]]:
    return [p for p in pods(kube, ns, f"job-name={name}")
            if p["status"].get("phase") not in ("Succeeded", "Failed")]


def condition(kube: SyncApiClient, ns: str, name: str) -> dict[str, Any] | None:
    conds = kube.get("jobs", name, ns).get("status", {}).get("conditions") or []
    return next((c for c in conds if c["status"] == "True"), None)


def test_completions_with_parallelism(kube: SyncApiClient, ns: str) -> None:
    kube.create("jobs", job("batch", completions=3, parallelism=2), ns)
    done = 0
    while done < 3:
        wait_until(lambda d=done: len(active(kube, ns, "batch")) == min(2, 3 - d), 15,
                   f"{min(2, 3 - done)} active pods after {done} done")
        assert len(active(kube, ns, "batch")) <= 2
        set_pod_status(kube, active(kube, ns, "batch")[0], "Succeeded", False)
        done += 1
    wait_until(lambda: (condition(kube, ns, "batch") or {}).get("type") == "Complete", 15,
               "Complete")
    status = kube.get("jobs", "batch", ns)["status"]
    assert status["succeeded"] == 3 and status["active"] == 0
    assert status["completionTime"] and status["startTime"]
    assert len(pods(kube, ns, "job-name=batch")) == 3  # finished pods are kept


def test_backoff_limit_fails_the_job(kube: SyncApiClient, ns: str) -> None:
    kube.create("jobs", job("flaky", backoffLimit=1), ns)
    for attempt in range(2):  # the first failure is retried (after 10s), the second is not
        wait_until(lambda: len(active(kube, ns, "flaky")) == 1, 20, f"attempt {attempt}")
        set_pod_status(kube, active(kube, ns, "flaky")[0], "Failed", False)
    wait_until(lambda: (condition(kube, ns, "flaky") or {}).get("type") == "Failed", 15,
               "Failed")
    cond = condition(kube, ns, "flaky")
    assert cond["reason"] == "BackoffLimitExceeded"
    assert kube.get("jobs", "flaky", ns)["status"]["failed"] == 2
    assert active(kube, ns, "flaky") == []


def test_active_deadline(kube: SyncApiClient, ns: str) -> None:
    kube.create("jobs", job("late", activeDeadlineSeconds=2), ns)
    wait_until(lambda: (condition(kube, ns, "late") or {}).get("reason") == "DeadlineExceeded",
               15, "DeadlineExceeded")
    wait_until(lambda: active(kube, ns, "late") == [], 10, "active pods deleted")


def test_ttl_after_finished_deletes_job_and_pods(kube: SyncApiClient, ns: str) -> None:
    kube.create("jobs", job("ttl", ttlSecondsAfterFinished=1), ns)
    wait_until(lambda: len(active(kube, ns, "ttl")) == 1, 15, "a pod")
    set_pod_status(kube, active(kube, ns, "ttl")[0], "Succeeded", False)

    def gone() -> bool:
        try:
            kube.get("jobs", "ttl", ns)
        except NotFound:
            return True
        return False

    wait_until(gone, 15, "job deleted")
    wait_until(lambda: pods(kube, ns, "job-name=ttl") == [], 15, "pods collected")
