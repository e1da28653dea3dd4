"""Termination on real Docker: graceful deletion (SIGTERM reaches the process, which exits
cleanly; the kubelet then removes the pod object and the containers), a process that
ignores SIGTERM killed when the grace period ends, and forced deletion."""

from __future__ import annotations

import time
from pathlib import Path

from tests.e2e.cluster import Api, inspect, node_containers, pod_manifest
from tests.support.processes import wait_until


def _uid_filter(pod: dict) -> str:
    return f"label=io.tugboat.pod.uid={pod['metadata']['uid']}"


def test_graceful_deletion(api: Api, node: str, ns: str, tmp_path: Path) -> None:
    marker = tmp_path / "graceful"
    marker.mkdir()
    pod = pod_manifest("graceful", node,
                       "trap 'echo got TERM > /host/bye; exit 0' TERM; "
                       "while true; do sleep 0.2; done", grace=20,
                       volumeMounts=[{"name": "host", "mountPath": "/host"}])
    pod["spec"]["volumes"] = [{"name": "host", "hostPath": {"path": str(marker),
                                                            "type": "Directory"}}]
    created = api.create(ns, pod)
    api.wait_phase(ns, "graceful", "Running")
    started = time.monotonic()
    r = api.delete(ns, "graceful")
    assert r.status_code == 200 and r.json()["metadata"]["deletionTimestamp"]
    api.wait_gone(ns, "graceful", 20)
    assert time.monotonic() - started < 10  # it exited on SIGTERM, well before 20 s
    assert (marker / "bye").read_text().strip() == "got TERM"
    wait_until(lambda: not node_containers(node, _uid_filter(created)), 10,
               "containers removed")
    assert any(e["reason"] == "Killing" for e in api.events(ns, "graceful"))


def test_grace_period_ends_in_sigkill(api: Api, node: str, ns: str) -> None:
    created = api.create(ns, pod_manifest("stubborn", node, "trap '' TERM; sleep 3600",
                                          grace=2))
    api.wait_phase(ns, "stubborn", "Running")
    [main] = [c for c in node_containers(node, _uid_filter(created))
              if inspect(c)["Config"]["Labels"]["io.tugboat.container.name"] == "main"]
    started = time.monotonic()
    api.delete(ns, "stubborn")
    wait_until(lambda: not inspect(main)["State"]["Running"], 15, "stubborn stopped")
    took = time.monotonic() - started
    assert 1.5 <= took < 8, took
    assert inspect(main)["State"]["ExitCode"] == 137
    api.wait_gone(ns, "stubborn", 15)


def test_forced_deletion(api: Api, node: str, ns: str) -> None:
    created = api.create(ns, pod_manifest("forced", node, "sleep 3600", grace=30))
    api.wait_phase(ns, "forced", "Running")
    r = api.delete(ns, "forced", grace=0)
    assert r.status_code == 200
    assert api.pod(ns, "forced") is None  # gone at once
    wait_until(lambda: not node_containers(node, _uid_filter(created)), 15,
               "containers of the force-deleted pod removed")


def test_a_huge_grace_period_still_sends_sigterm(api: Api, node: str, ns: str) -> None:
    """terminationGracePeriodSeconds 2^62 is a valid int64 (Kubernetes accepts it); the
    stop call to Docker is clamped to what Docker and the HTTP client can take, so SIGTERM
    still arrives (the unclamped timeout overflowed the socket and nothing was sent)."""
    api.create(ns, pod_manifest("patient", node,
                                "trap 'exit 0' TERM; while true; do sleep 0.2; done",
                                grace=2**62))
    api.wait_phase(ns, "patient", "Running")
    r = api.delete(ns, "patient")
    assert r.status_code == 200
    assert r.json()["metadata"]["deletionTimestamp"] == "9999-12-31T23:59:59Z"
    api.wait_gone(ns, "patient", 20)
