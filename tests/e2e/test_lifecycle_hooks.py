"""Lifecycle hooks, QoS classes, OOM scores and activeDeadlineSeconds on real Docker:
preStop (exec and httpGet) runs before the stop signal when a pod is deleted and leaves its
mark on a hostPath; postStart runs in the container before it counts as Running, and a
failing one is a FailedPostStartHook event and a restart; every pod gets its QoS class and
each container (and sandbox) Docker's OomScoreAdj for it; a pod past its deadline fails."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from typing import Any

from tests.e2e.cluster import (
    Api,
    container_status,
    docker,
    inspect,
    node_containers,
    phase_of,
    pod_manifest,
    restarts,
)
from tests.support.processes import wait_until
from tugboat.kubelet.qos import oom_score_floor

LOOP = "trap 'echo term >> /host/log; exit 0' TERM; while true; do sleep 0.2; done"


def _with_host_dir(pod: dict[str, Any], folder: Path) -> dict[str, Any]:
    folder.chmod(0o777)
    pod["spec"]["containers"][0]["volumeMounts"] = [{"name": "host", "mountPath": "/host"}]
    pod["spec"]["volumes"] = [{"name": "host", "hostPath": {"path": str(folder),
                                                            "type": "Directory"}}]
    return pod


def _containers_of(node: str, pod: dict[str, Any]) -> dict[str, str]:
    """Container name (POD for the sandbox) -> id, latest attempt."""
    found: dict[str, tuple[int, str]] = {}
    for cid in node_containers(node, f"label=io.tugboat.pod.uid={pod['metadata']['uid']}"):
        labels = inspect(cid)["Config"]["Labels"]
        name, attempt = labels["io.tugboat.container.name"], int(
            labels["io.tugboat.container.attempt"])
        if name not in found or found[name][0] < attempt:
            found[name] = (attempt, cid)
    return {name: cid for name, (_a, cid) in found.items()}


def _reasons(api: Api, ns: str, name: str) -> dict[str, str]:
    return {e["reason"]: e["message"] for e in api.events(ns, name)}


def test_pre_stop_exec_runs_before_sigterm(api: Api, node: str, ns: str,
                                           tmp_path: Path) -> None:
    pod = _with_host_dir(pod_manifest("prestop", node, LOOP, grace=20, lifecycle={
        "preStop": {"exec": {"command": ["sh", "-c", "echo prestop >> /host/log"]}}}), tmp_path)
    api.create(ns, pod)
    api.wait_phase(ns, "prestop", "Running")
    started = time.monotonic()
    assert api.delete(ns, "prestop").status_code == 200
    api.wait_gone(ns, "prestop", 20)
    assert time.monotonic() - started < 15  # well within the grace period
    assert (tmp_path / "log").read_text().split() == ["prestop", "term"]
    assert "FailedPreStopHook" not in _reasons(api, ns, "prestop")


def test_pre_stop_http_get_reaches_the_containers_own_server(api: Api, node: str, ns: str,
                                                             tmp_path: Path) -> None:
    script = ("mkdir -p /www/cgi-bin; "
              "printf '#!/bin/sh\\necho http-prestop >> /host/log\\n"
              "printf \"Content-Type: text/plain\\\\r\\\\n\\\\r\\\\nbye\"\\n' "
              "> /www/cgi-bin/quit; chmod +x /www/cgi-bin/quit; "
              "httpd -f -p 8080 -h /www & trap 'kill $!; exit 0' TERM; wait")
    pod = _with_host_dir(pod_manifest("httpstop", node, script, grace=20, lifecycle={
        "preStop": {"httpGet": {"path": "/cgi-bin/quit", "port": "web"}}},
        ports=[{"name": "web", "containerPort": 8080}],
        readinessProbe={"tcpSocket": {"port": 8080}, "periodSeconds": 1}), tmp_path)
    api.create(ns, pod)
    api.wait_pod(ns, "httpstop", lambda p: container_status(p).get("ready") is True, 30,
                 "httpd ready")
    assert api.delete(ns, "httpstop").status_code == 200
    api.wait_gone(ns, "httpstop", 20)
    assert (tmp_path / "log").read_text().split() == ["http-prestop"]


def test_post_start_writes_what_the_command_reads(api: Api, node: str, ns: str) -> None:
    command = ("until [ -f /tmp/hook ]; do sleep 0.1; done; "
               "echo \"read: $(cat /tmp/hook)\"; exec sleep 3600")
    hook = ["sh", "-c", "sleep 2; echo from-hook > /tmp/hook"]
    created = api.create(ns, pod_manifest("poststart", node, command, lifecycle={
        "postStart": {"exec": {"command": hook}}}))
    running = api.wait_phase(ns, "poststart", "Running")
    seen_running = time.time()
    assert container_status(running)["state"].get("running")
    main = _containers_of(node, created)["main"]
    # Until its postStart finished (2 s), the container was not reported Running.
    started = inspect(main)["State"]["StartedAt"]
    started_at = datetime.fromisoformat(started[:26].rstrip("Z") + "+00:00").timestamp()
    assert seen_running - started_at >= 1.5, (started, seen_running)
    wait_until(lambda: "read: from-hook" in docker("logs", main), 10, "the command read it")
    assert "FailedPostStartHook" not in _reasons(api, ns, "poststart")


def test_a_failing_post_start_is_an_event_and_a_restart(api: Api, node: str, ns: str) -> None:
    api.create(ns, pod_manifest("badhook", node, "trap 'exit 0' TERM; "
                                "while true; do sleep 0.2; done", lifecycle={
        "postStart": {"exec": {"command": ["sh", "-c", "echo nope; exit 7"]}}}))
    api.wait_pod(ns, "badhook", lambda p: restarts(p) >= 1, 40, "restarted after its hook")
    reasons = _reasons(api, ns, "badhook")
    assert reasons["FailedPostStartHook"] == "PostStartHook failed"
    assert reasons["Killing"] == "FailedPostStartHook"
    pod = api.pod(ns, "badhook")
    assert phase_of(pod) != "Running" or not container_status(pod).get("ready")


def _qos_pod(name: str, node: str, resources: dict[str, Any]) -> dict[str, Any]:
    return pod_manifest(name, node, "exec sleep 3600", resources=resources)


def _burstable_score(request_bytes: int) -> int:
    total = next(int(line.split()[1]) * 1024 for line in
                 Path("/proc/meminfo").read_text().splitlines()
                 if line.startswith("MemTotal:"))
    score = 1000 - (1000 * request_bytes) // total
    return 3 if score < 3 else (999 if score == 1000 else score)


def test_qos_classes_and_oom_scores(api: Api, node: str, ns: str) -> None:
    # A host without CAP_SYS_RESOURCE cannot lower a score below its own: the kubelet
    # raises Guaranteed's and the sandbox's to it (as containerd's restrict_oom_score_adj).
    floor = oom_score_floor()
    low = (lambda v: v) if floor is None else (lambda v: max(v, floor))
    pods = {
        "guaranteed": ({"limits": {"cpu": "100m", "memory": "64Mi"}}, "Guaranteed", low(-997)),
        "burstable": ({"requests": {"memory": "256Mi"}}, "Burstable",
                      _burstable_score(256 * 1024**2)),
        "besteffort": ({}, "BestEffort", 1000),
    }
    created = {}
    for name, (resources, qos, _score) in pods.items():
        created[name] = api.create(ns, _qos_pod(name, node, resources))
        assert created[name]["status"]["qosClass"] == qos
    for name, (_resources, _qos, score) in pods.items():
        api.wait_phase(ns, name, "Running")
        ids = _containers_of(node, created[name])
        assert inspect(ids["main"])["HostConfig"]["OomScoreAdj"] == score, name
        assert inspect(ids["POD"])["HostConfig"]["OomScoreAdj"] == low(-998), name


def test_active_deadline_fails_the_pod(api: Api, node: str, ns: str) -> None:
    pod = pod_manifest("deadline", node, "exec sleep 3600")
    pod["spec"]["activeDeadlineSeconds"] = 3
    created = api.create(ns, pod)
    api.wait_phase(ns, "deadline", "Running")
    failed = api.wait_phase(ns, "deadline", "Failed", 20)
    status = failed["status"]
    assert status["reason"] == "DeadlineExceeded"
    assert status["message"] == "Pod was active on the node longer than the specified deadline"
    assert _reasons(api, ns, "deadline")["DeadlineExceeded"] == status["message"]
    main = _containers_of(node, created)["main"]
    wait_until(lambda: not inspect(main)["State"]["Running"], 10, "main stopped")
