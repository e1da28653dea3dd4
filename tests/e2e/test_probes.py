"""Probes on real Docker (S6–S8): liveness and readiness with each handler — httpGet
(busybox httpd), tcpSocket (nc -ll) and exec — a startup probe guarding a slow starter, a
failing startup probe, and an exec probe that overruns its timeout. All pods start
together (one namespace for the module); each test then checks one of them."""

from __future__ import annotations

import secrets
import subprocess
import time
from typing import Any

import pytest

from tests.e2e.cluster import (
    Api,
    condition,
    container_status,
    node_containers,
    pod_manifest,
    restarts,
)

# timeoutSeconds 3: a loaded machine must not fail a probe that should pass
FAST = {"periodSeconds": 1, "failureThreshold": 1, "timeoutSeconds": 3}
HTTPD = "mkdir -p /w && echo ok > /w/healthz && httpd -p 8080 -h /w"


def probe(kind: str, **params: Any) -> dict[str, Any]:
    handlers = {"http": {"httpGet": {"path": "/healthz", "port": 8080}},
                "tcp": {"tcpSocket": {"port": 8081}},
                "exec": {"exec": {"command": ["cat", "/tmp/healthy"]}}}
    return {**handlers[kind], **FAST, **params}


PODS: dict[str, tuple[str, dict[str, Any]]] = {
    # liveness: healthy for ~2 s, then failing → killed and restarted
    "live-http": (f"{HTTPD}; sleep 2; rm /w/healthz; sleep 3600",
                  {"livenessProbe": probe("http")}),
    "live-tcp": ("nc -ll -p 8081 -e true & sleep 2; kill $!; sleep 3600",
                 {"livenessProbe": probe("tcp")}),
    "live-exec": ("touch /tmp/healthy; sleep 2; rm /tmp/healthy; sleep 3600",
                  {"livenessProbe": probe("exec")}),
    # readiness: the test makes each healthy, then unhealthy again (docker exec)
    "ready-http": ("mkdir -p /w && httpd -f -p 8080 -h /w", {"readinessProbe": probe("http")}),
    "ready-tcp": ("sleep 3600", {"readinessProbe": probe("tcp")}),
    "ready-exec": ("sleep 3600", {"readinessProbe": probe("exec")}),
    # a slow starter (4 s) whose liveness probe would kill it at once without startup
    "slow-guarded": ("sleep 4; touch /tmp/healthy; sleep 3600",
                     {"livenessProbe": probe("exec", failureThreshold=2),
                      "startupProbe": probe("exec", failureThreshold=15)}),
    "slow-unguarded": ("sleep 4; touch /tmp/healthy; sleep 3600",
                       {"livenessProbe": probe("exec", failureThreshold=2)}),
    "startup-fails": ("sleep 3600", {"startupProbe": probe("exec", failureThreshold=2)}),
    # an exec readiness probe that always overruns its 1 s timeout
    "exec-timeout": ("sleep 3600", {"readinessProbe": {
        "exec": {"command": ["sh", "-c", "sleep 30"]}, "periodSeconds": 1,
        "timeoutSeconds": 1}}),
}


@pytest.fixture(scope="module")
def probes_ns(api: Api, kubelet: Any) -> str:
    ns = api.namespace(f"probes-{secrets.token_hex(3)}")
    for name, (command, probes) in PODS.items():
        api.create(ns, pod_manifest(name, kubelet.node, command, grace=1, **probes))
    return ns


@pytest.mark.parametrize("name", ["live-http", "live-tcp", "live-exec"])
def test_liveness_failure_restarts_the_container(api: Api, probes_ns: str, name: str) -> None:
    pod = api.wait_pod(probes_ns, name, lambda p: restarts(p) >= 1, 30, f"{name} restarted")
    assert pod["status"]["phase"] == "Running"
    events = api.events(probes_ns, name)
    unhealthy = [e["message"] for e in events if e["reason"] == "Unhealthy"]
    assert unhealthy and unhealthy[0].startswith("Liveness probe failed")
    killing = [e["message"] for e in events if e["reason"] == "Killing"]
    assert any("failed liveness probe, will be restarted" in m for m in killing)


HEAL = {"ready-http": (["sh", "-c", "echo ok > /w/healthz"], ["rm", "/w/healthz"]),
        "ready-tcp": (["sh", "-c", "nc -ll -p 8081 -e true &"], ["killall", "nc"]),
        "ready-exec": (["touch", "/tmp/healthy"], ["rm", "/tmp/healthy"])}


def docker_exec(pod: dict[str, Any], command: list[str]) -> None:
    cid = container_status(pod)["containerID"][len("docker://"):]
    subprocess.run(["docker", "exec", cid, *command], check=True, capture_output=True)


@pytest.mark.parametrize("name", ["ready-http", "ready-tcp", "ready-exec"])
def test_readiness_follows_the_probe(api: Api, probes_ns: str, name: str) -> None:
    pod = api.wait_pod(probes_ns, name, lambda p: container_status(p).get("started") is True
                       and condition(p, "Ready") == "False", 20, f"{name} running, unready")
    heal, hurt = HEAL[name]
    docker_exec(pod, heal)
    api.wait_pod(probes_ns, name, lambda p: condition(p, "Ready") == "True", 10,
                 f"{name} ready")
    docker_exec(pod, hurt)
    pod = api.wait_pod(probes_ns, name, lambda p: condition(p, "Ready") == "False", 10,
                       f"{name} unready again")
    assert restarts(pod) == 0 and pod["status"]["phase"] == "Running"
    assert container_status(pod)["ready"] is False
    assert condition(pod, "ContainersReady") == "False"
    assert any(e["reason"] == "Unhealthy" and e["message"].startswith("Readiness probe failed")
               for e in api.events(probes_ns, name))


def test_startup_probe_guards_a_slow_starter(api: Api, probes_ns: str) -> None:
    pod = api.wait_pod(probes_ns, "slow-guarded",
                       lambda p: container_status(p).get("started") is True, 30, "started")
    assert restarts(pod) == 0
    assert condition(pod, "Ready") == "True"
    unguarded = api.wait_pod(probes_ns, "slow-unguarded", lambda p: restarts(p) >= 1, 30)
    assert unguarded["status"]["phase"] == "Running"


def test_a_failing_startup_probe_kills_the_container(api: Api, probes_ns: str) -> None:
    pod = api.wait_pod(probes_ns, "startup-fails", lambda p: restarts(p) >= 1, 30)
    assert container_status(pod)["started"] is False
    killing = [e["message"] for e in api.events(probes_ns, "startup-fails")
               if e["reason"] == "Killing"]
    assert any("failed startup probe" in m for m in killing)


def test_an_overrunning_exec_probe_fails_and_is_killed(api: Api, probes_ns: str,
                                                        kubelet: Any) -> None:
    pod = api.wait_pod(probes_ns, "exec-timeout",
                       lambda p: restarts(p) == 0 and condition(p, "Ready") == "False"
                       and container_status(p).get("state", {}).get("running") is not None)
    time.sleep(4)  # four probes, each killed after 1 s: at most one runs at any moment
    cid = container_status(api.pod(probes_ns, "exec-timeout"))["containerID"][len("docker://"):]
    assert cid in node_containers(kubelet.node)
    ps = subprocess.run(["docker", "exec", cid, "ps", "-o", "args"], capture_output=True,
                        text=True, check=True).stdout
    assert ps.count("sleep 30") <= 1, ps
    assert condition(api.pod(probes_ns, "exec-timeout"), "Ready") == "False"
    messages = [e["message"] for e in api.events(probes_ns, "exec-timeout")
                if e["reason"] == "Unhealthy"]
    assert messages and "timed out" in messages[0]
    assert pod["status"]["phase"] == "Running"
