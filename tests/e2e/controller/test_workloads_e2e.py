"""End to end with real Docker (issue 6's checks): an RC heals after a pod is deleted and
after its container is killed; scaling to 5 and back to 1; a Deployment rolls from one
image tag to another without dropping below replicas - maxUnavailable ready pods, and
rolls back; Jobs complete, or stop at backoffLimit."""

from __future__ import annotations

import shutil
import subprocess
import threading
from typing import Any

from tests.e2e.controller.cluster import Cluster
from tests.integration.controller.cluster import pods
from tests.integration.controller.test_deployment import is_ready, rolled_out
from tests.support.processes import wait_until
from tugboat.client import SyncApiClient

SLEEPER = {"name": "app", "image": "busybox:1.35", "imagePullPolicy": "IfNotPresent",
           "command": ["sh", "-c", "sleep 3600"]}


def running(kube: SyncApiClient, ns: str, selector: str) -> list[dict[str, Any]]:
    return [p for p in pods(kube, ns, selector) if p["status"].get("phase") == "Running"
            and is_ready(p)]


def rc(name: str, replicas: int) -> dict[str, Any]:
    labels = {"app": name}
    return {"apiVersion": "v1", "kind": "ReplicationController", "metadata": {"name": name},
            "spec": {"replicas": replicas, "selector": labels, "template": {
                "metadata": {"labels": labels},
                "spec": {"terminationGracePeriodSeconds": 1, "containers": [SLEEPER]}}}}


def container_of(pod: dict[str, Any]) -> str:
    out = subprocess.run(["docker", "ps", "-q", "--filter",
                          f"label=io.tugboat.pod.uid={pod['metadata']['uid']}", "--filter",
                          "label=io.tugboat.container.name=app"],
                         capture_output=True, text=True, timeout=30)
    return out.stdout.split()[0]


def restarts(kube: SyncApiClient, ns: str, name: str) -> int:
    statuses = kube.get("pods", name, ns)["status"].get("containerStatuses") or []
    return sum(s.get("restartCount", 0) for s in statuses)


def test_rc_heals_and_scales(cluster: Cluster, kube: SyncApiClient, ns: str) -> None:
    kube.create("replicationcontrollers", rc("heal", 3), ns)
    wait_until(lambda: len(running(kube, ns, "app=heal")) == 3, 90, "3 running pods")
    nodes = {p["spec"]["nodeName"] for p in running(kube, ns, "app=heal")}
    assert nodes <= set(cluster.nodes)
    victim = running(kube, ns, "app=heal")[0]["metadata"]["name"]
    kube.delete("pods", victim, ns)
    wait_until(lambda: len(running(kube, ns, "app=heal")) == 3 and victim not in
               {p["metadata"]["name"] for p in pods(kube, ns, "app=heal", True)}, 60,
               "a replacement for the deleted pod")
    pod = running(kube, ns, "app=heal")[0]
    subprocess.run(["docker", "kill", container_of(pod)], check=True, capture_output=True)
    wait_until(lambda: restarts(kube, ns, pod["metadata"]["name"]) >= 1
               and len(running(kube, ns, "app=heal")) == 3, 60, "the killed container back")
    scale(cluster, kube, ns, "heal", 5)
    wait_until(lambda: len(running(kube, ns, "app=heal")) == 5, 60, "5 running pods")
    scale(cluster, kube, ns, "heal", 1)
    wait_until(lambda: len(pods(kube, ns, "app=heal", True)) == 1, 60, "1 pod")


def scale(cluster: Cluster, kube: SyncApiClient, ns: str, name: str, replicas: int) -> None:
    """`kubectl scale rc` when kubectl is installed, else the same call by hand."""
    if shutil.which("kubectl"):
        subprocess.run(["kubectl", "--server", cluster.api.url, "-n", ns, "scale", "rc", name,
                        f"--replicas={replicas}"], check=True, capture_output=True, timeout=60)
    else:
        kube.patch_scale("replicationcontrollers", name, replicas, ns)


def test_deployment_rolls_forward_and_back(kube: SyncApiClient, ns: str) -> None:
    labels = {"app": "web"}
    kube.create("deployments", {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
        "spec": {"replicas": 3, "selector": {"matchLabels": labels},
                 "strategy": {"type": "RollingUpdate",
                              "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 1}},
                 "template": {"metadata": {"labels": labels}, "spec": {
                     "terminationGracePeriodSeconds": 1, "containers": [{
                         **SLEEPER, "readinessProbe": {"exec": {"command": ["true"]},
                                                       "periodSeconds": 1}}]}}}}, ns)
    wait_until(lambda: rolled_out(kube, ns, "web", 3), 90, "first rollout")
    lowest = [3]
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.1):
            lowest[0] = min(lowest[0], len(running(kube, ns, "app=web")))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        kube.patch("deployments", "web", {"spec": {"template": {"spec": {"containers": [
            {"name": "app", "image": "busybox:latest"}]}}}}, ns, patch_type="strategic")
        wait_until(lambda: rolled_out(kube, ns, "web", 3) and {
            p["spec"]["containers"][0]["image"] for p in pods(kube, ns, "app=web", True)} ==
            {"busybox:latest"}, 120, "rolled to busybox:latest")
    finally:
        stop.set()
        sampler.join(5)
    assert lowest[0] >= 2, f"only {lowest[0]} ready pods during the rollout"
    first = next(r for r in kube.list("replicasets", ns)["items"]
                 if r["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "1")
    template = first["spec"]["template"]
    del template["metadata"]["labels"]["pod-template-hash"]
    kube.patch("deployments", "web", [{"op": "replace", "path": "/spec/template",
                                       "value": template}], ns, patch_type="json")
    wait_until(lambda: rolled_out(kube, ns, "web", 3) and {
        p["spec"]["containers"][0]["image"] for p in pods(kube, ns, "app=web", True)} ==
        {"busybox:1.35"}, 120, "rolled back to busybox:1.35")


def job(name: str, command: str, **spec: Any) -> dict[str, Any]:
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name},
            "spec": {**spec, "template": {"spec": {"restartPolicy": "Never", "containers": [
                {**SLEEPER, "command": ["sh", "-c", command]}]}}}}


def job_condition(kube: SyncApiClient, ns: str, name: str) -> dict[str, Any] | None:
    conds = kube.get("jobs", name, ns).get("status", {}).get("conditions") or []
    return next((c for c in conds if c["status"] == "True"), None)


def test_jobs_complete_or_stop_at_backoff_limit(kube: SyncApiClient, ns: str) -> None:
    kube.create("jobs", job("ok", "sleep 1", completions=3, parallelism=2), ns)
    kube.create("jobs", job("bad", "exit 1", backoffLimit=1), ns)
    most = [0]

    def complete() -> bool:
        active = [p for p in pods(kube, ns, "job-name=ok")
                  if p["status"].get("phase") in ("Pending", "Running")]
        most[0] = max(most[0], len(active))
        return (job_condition(kube, ns, "ok") or {}).get("type") == "Complete"

    wait_until(complete, 120, "job ok Complete")
    assert most[0] <= 2
    assert kube.get("jobs", "ok", ns)["status"]["succeeded"] == 3
    wait_until(lambda: (job_condition(kube, ns, "bad") or {}).get("reason")
               == "BackoffLimitExceeded", 120, "job bad Failed")
    assert kube.get("jobs", "bad", ns)["status"]["failed"] == 2
