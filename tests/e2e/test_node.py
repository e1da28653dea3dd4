"""The kubelet's Node on a real host: registration (labels, capacity, addresses, the
kubelet endpoint, nodeInfo, conditions), the Lease it renews, the stats summary — and an
honest Ready: a Docker outage (the engine's socket cut by a relay) makes the node NotReady
with a reason while the kubelet keeps running, and it recovers when Docker returns,
without restarting the pod that ran throughout."""

from __future__ import annotations

import secrets
from pathlib import Path

import httpx

from tests.e2e.cluster import (
    Api,
    KubeletProcess,
    container_status,
    pod_manifest,
    remove_node_containers,
)
from tests.e2e.dockerproxy import DockerProxy
from tests.support.processes import wait_until


def ready(node: dict | None) -> tuple[str | None, str | None, str]:
    for c in ((node or {}).get("status") or {}).get("conditions") or []:
        if c["type"] == "Ready":
            return c["status"], c.get("reason"), c.get("message", "")
    return None, None, ""


def test_registration_lease_and_stats(api: Api, kubelet: KubeletProcess, ns: str) -> None:
    node = api.node(kubelet.node)
    assert node is not None
    labels = node["metadata"]["labels"]
    assert labels["kubernetes.io/hostname"] == kubelet.node
    assert labels["kubernetes.io/os"] == "linux" and labels["kubernetes.io/arch"]
    st = node["status"]
    assert {"cpu", "memory", "pods", "ephemeral-storage"} <= set(st["capacity"])
    assert st["capacity"]["pods"] == "110" and st["allocatable"]
    assert {"type": "InternalIP", "address": "127.0.0.1"} in st["addresses"]
    assert {"type": "Hostname", "address": kubelet.node} in st["addresses"]
    assert st["daemonEndpoints"]["kubeletEndpoint"]["Port"] == kubelet.port
    info = st["nodeInfo"]
    assert info["kubeletVersion"] == "v1.32.4-tugboat"
    assert info["containerRuntimeVersion"].startswith("docker://")
    assert info["osImage"] and info["kernelVersion"] and info["architecture"]
    types = {c["type"]: c["status"] for c in st["conditions"]}
    assert types == {"Ready": "True", "MemoryPressure": "False", "DiskPressure": "False",
                     "PIDPressure": "False"}
    lease = api.http.get(f"/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/"
                         f"{kubelet.node}").json()
    assert lease["spec"]["holderIdentity"] == kubelet.node
    assert lease["spec"]["leaseDurationSeconds"] == 40 and lease["spec"]["renewTime"]
    assert lease["metadata"]["ownerReferences"][0]["kind"] == "Node"

    api.create(ns, pod_manifest("busy", kubelet.node, "while true; do :; done",
                                resources={"limits": {"cpu": "200m"}}))
    api.wait_phase(ns, "busy", "Running")
    summary = httpx.get(f"http://127.0.0.1:{kubelet.port}/stats/summary", timeout=20).json()
    assert summary["node"]["nodeName"] == kubelet.node
    assert summary["node"]["memory"]["workingSetBytes"] > 0
    [pod] = [p for p in summary["pods"] if p["podRef"]["namespace"] == ns]
    [main] = pod["containers"]
    assert main["name"] == "main" and main["memory"]["workingSetBytes"] > 0
    assert main["cpu"]["usageCoreNanoSeconds"] > 0


def test_docker_outage_makes_the_node_not_ready_until_it_returns(
        api: Api, tmp_path: Path, cluster_api: object) -> None:
    proxy = DockerProxy(tmp_path / "docker.sock")
    proxy.start()
    node = f"e2e-outage-{secrets.token_hex(3)}"
    kubelet = KubeletProcess(api.url, node, tmp_path / node,
                             ["--node-status-update-frequency", "1s"],
                             env={"DOCKER_HOST": proxy.url})
    try:
        kubelet.start()
        ns = api.namespace(f"outage-{secrets.token_hex(2)}")
        wait_until(lambda: ready(api.node(node))[0] == "True", 20, "node Ready")
        api.create(ns, pod_manifest("survivor", node, "sleep 3600"))
        before = container_status(api.wait_phase(ns, "survivor", "Running"))["containerID"]

        proxy.stop()
        wait_until(lambda: ready(api.node(node))[0] == "False", 20, "node NotReady")
        status, reason, message = ready(api.node(node))
        assert reason == "KubeletNotReady" and "container runtime is down" in message
        assert kubelet.proc is not None and kubelet.proc.poll() is None  # still running

        proxy.start()
        wait_until(lambda: ready(api.node(node))[0] == "True", 20, "node Ready again")
        pod = api.pod(ns, "survivor")
        assert container_status(pod)["containerID"] == before
        assert container_status(pod)["restartCount"] == 0
    finally:
        kubelet.stop()
        proxy.stop()
        remove_node_containers(node)
