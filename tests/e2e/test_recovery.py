"""Recovery on real Docker: a kubelet killed and started again adopts its running
containers (no restarts, same container ids, finished pods stay finished) and removes the
containers of pods deleted while it was down; and two kubelets with different node names
share one Docker engine, each touching only its own node's containers."""

from __future__ import annotations

import secrets
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.cluster import (
    Api,
    KubeletProcess,
    container_status,
    node_containers,
    pod_manifest,
    remove_node_containers,
)
from tests.support.processes import wait_until


@pytest.fixture
def spare_kubelets(api: Api, tmp_path: Path) -> Iterator[list[KubeletProcess]]:
    """Kubelets a test starts itself; all stopped and cleaned up afterwards."""
    started: list[KubeletProcess] = []
    yield started
    for k in started:
        k.stop()
        remove_node_containers(k.node)


def kubelet_for(api: Api, tmp_path: Path, started: list[KubeletProcess], prefix: str
                ) -> KubeletProcess:
    node = f"e2e-{prefix}-{secrets.token_hex(3)}"
    k = KubeletProcess(api.url, node, tmp_path / node, ["--backoff-base", "1s",
                                                        "--backoff-max", "4s"])
    k.start()
    started.append(k)
    wait_until(lambda: api.node(node) is not None, 20, f"node {node} registered")
    return k


def test_restart_adopts_containers_and_removes_orphans(
        api: Api, tmp_path: Path, spare_kubelets: list[KubeletProcess]) -> None:
    k = kubelet_for(api, tmp_path, spare_kubelets, "restart")
    ns = api.namespace(f"restart-{secrets.token_hex(2)}")
    steady_pod = api.create(ns, pod_manifest("steady", k.node, "sleep 3600",
                                             readinessProbe={"exec": {"command": ["true"]},
                                                             "periodSeconds": 1}))
    api.create(ns, pod_manifest("done", k.node, "exit 0", restart_policy="Never"))
    doomed = api.create(ns, pod_manifest("doomed", k.node, "sleep 3600"))
    steady = api.wait_pod(ns, "steady", lambda p: container_status(p).get("ready") is True)
    api.wait_phase(ns, "done", "Succeeded")
    api.wait_phase(ns, "doomed", "Running")
    steady_ids = set(node_containers(k.node, f"label=io.tugboat.pod.uid="
                                             f"{steady_pod['metadata']['uid']}"))
    doomed_filter = f"label=io.tugboat.pod.uid={doomed['metadata']['uid']}"
    doomed_ids = set(node_containers(k.node, doomed_filter))
    assert len(doomed_ids) == 2 and len(steady_ids) == 2

    k.stop(signal.SIGKILL)  # a crash, not a clean stop
    running = set(node_containers(k.node, "status=running"))
    assert steady_ids | doomed_ids <= running  # containers outlive their kubelet
    assert api.delete(ns, "doomed", grace=0).status_code == 200
    k.start()

    wait_until(lambda: not node_containers(k.node, doomed_filter), 30,
               "the deleted pod's containers removed")
    pod = api.wait_pod(ns, "steady", lambda p: container_status(p).get("ready") is True)
    assert container_status(pod)["containerID"] == container_status(steady)["containerID"]
    assert container_status(pod)["restartCount"] == 0
    assert api.pod(ns, "done")["status"]["phase"] == "Succeeded"
    # steady's sandbox and container: the very same containers, still running
    assert steady_ids <= set(node_containers(k.node, "status=running"))


def test_two_kubelets_share_one_engine(api: Api, tmp_path: Path,
                                       spare_kubelets: list[KubeletProcess]) -> None:
    a = kubelet_for(api, tmp_path, spare_kubelets, "two-a")
    b = kubelet_for(api, tmp_path, spare_kubelets, "two-b")
    ns = api.namespace(f"two-{secrets.token_hex(2)}")
    api.create(ns, pod_manifest("on-a", a.node, "echo I am a; sleep 3600"))
    api.create(ns, pod_manifest("on-b", b.node, "echo I am b; sleep 3600"))
    api.wait_phase(ns, "on-a", "Running")
    api.wait_phase(ns, "on-b", "Running")
    assert len(node_containers(a.node)) == 2 and len(node_containers(b.node)) == 2
    for pod in ("on-a", "on-b"):
        wait_until(lambda p=pod: api.http.get(f"/api/v1/namespaces/{ns}/pods/{p}/log").text
                   == f"I am {p[-1]}\n", 10, f"{pod}'s logs through its own kubelet")
    b_before = set(node_containers(b.node))

    a.stop()  # a stopped kubelet's containers are not b's business
    api.delete(ns, "on-b", grace=0)
    wait_until(lambda: not node_containers(b.node), 20, "b removed its pod's containers")
    assert len(node_containers(a.node, "status=running")) == 2
    assert b_before.isdisjoint(node_containers(a.node))
