"""StatefulSets end to end with real Docker: a 3-replica set behind a headless Service
starts web-0, web-1 and web-2 in order (each created only after the one before was
Ready), each container's hostname is its pod's name, the Service's endpoints carry the
pods' hostnames, and a deleted pod comes back under the same name. (Claims and their data
surviving a pod's deletion come with the storage work.)"""

from __future__ import annotations

import subprocess
from typing import Any

from tests.e2e.controller.cluster import Cluster
from tests.integration.controller.cluster import pods
from tests.support.processes import wait_until
from tugboat.api.meta import parse_rfc3339
from tugboat.client import SyncApiClient

SLEEPER = {"name": "app", "image": "busybox:1.35", "imagePullPolicy": "IfNotPresent",
           "command": ["sh", "-c", "sleep 3600"],
           "readinessProbe": {"exec": {"command": ["true"]}, "periodSeconds": 1}}


def ready_pods(kube: SyncApiClient, ns: str) -> list[str]:
    return sorted(p["metadata"]["name"] for p in pods(kube, ns)
                  if p["status"].get("phase") == "Running" and any(
                      c["type"] == "Ready" and c["status"] == "True"
                      for c in p["status"].get("conditions") or []))


def ready_at(pod: dict[str, Any]) -> float:
    cond = next(c for c in pod["status"]["conditions"] if c["type"] == "Ready")
    return parse_rfc3339(cond["lastTransitionTime"]).timestamp()


def created_at(pod: dict[str, Any]) -> float:
    return parse_rfc3339(pod["metadata"]["creationTimestamp"]).timestamp()


def container_hostname(pod: dict[str, Any]) -> str:
    ids = subprocess.run(["docker", "ps", "-q", "--filter",
                          f"label=io.tugboat.pod.uid={pod['metadata']['uid']}", "--filter",
                          "label=io.tugboat.container.name=app"],
                         capture_output=True, text=True, timeout=30).stdout.split()
    out = subprocess.run(["docker", "exec", ids[0], "hostname"], capture_output=True,
                         text=True, timeout=30, check=True)
    return out.stdout.strip()


def test_ordered_start_stable_names_and_hostnames(cluster: Cluster, kube: SyncApiClient,
                                                  ns: str) -> None:
    labels = {"app": "web"}
    kube.create("services", {"metadata": {"name": "nginx"}, "spec": {
        "clusterIP": "None", "selector": labels, "ports": [{"port": 80}]}}, ns)
    kube.create("statefulsets", {"apiVersion": "apps/v1", "kind": "StatefulSet",
                                 "metadata": {"name": "web"}, "spec": {
        "replicas": 3, "serviceName": "nginx", "selector": {"matchLabels": labels},
        "template": {"metadata": {"labels": labels}, "spec": {
            "terminationGracePeriodSeconds": 1, "containers": [SLEEPER]}}}}, ns)
    wait_until(lambda: ready_pods(kube, ns) == ["web-0", "web-1", "web-2"], 120,
               "web-0, web-1, web-2 ready")
    by_name = {p["metadata"]["name"]: p for p in pods(kube, ns)}
    for before, after in (("web-0", "web-1"), ("web-1", "web-2")):
        # creationTimestamp has whole seconds: the next pod is never created earlier
        assert created_at(by_name[after]) >= int(ready_at(by_name[before]))
    assert container_hostname(by_name["web-1"]) == "web-1"
    wait_until(lambda: sorted(a.get("hostname", "") for s in kube.get(
        "endpoints", "nginx", ns).get("subsets") or [] for a in s.get("addresses") or [])
        == ["web-0", "web-1", "web-2"], 30, "endpoints with the pods' hostnames")

    old_uid = by_name["web-1"]["metadata"]["uid"]
    kube.delete("pods", "web-1", ns)
    wait_until(lambda: "web-1" in ready_pods(kube, ns)
               and kube.get("pods", "web-1", ns)["metadata"]["uid"] != old_uid, 90,
               "web-1 back under its name")
    wait_until(lambda: kube.get("statefulsets", "web", ns)["status"]["readyReplicas"] == 3,
               30, "the status counting web-1 ready again")
    status = kube.get("statefulsets", "web", ns)["status"]
    assert status["currentRevision"] == status["updateRevision"]
