"""Static pods (S5) on real Docker: run from the manifests folder, mirrored in the API with
the config.mirror annotation, restarted whatever their restartPolicy, never probed, a
deleted mirror recreated without touching the containers, a removed manifest cleaned up —
and a kubelet with no reachable API server still runs them."""

from __future__ import annotations

import secrets
from pathlib import Path

from tests.e2e.cluster import (
    Api,
    KubeletProcess,
    container_status,
    node_containers,
    remove_node_containers,
    restarts,
)
from tests.support.processes import free_port, wait_until

MIRROR = "kubernetes.io/config.mirror"


def manifest(name: str, command: str, extra: str = "") -> str:
    return f"""apiVersion: v1
kind: Pod
metadata:
  name: {name}
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: busybox:1.35
    command: ["sh", "-c", "{command}"]
{extra}"""


FAILING_LIVENESS = """    livenessProbe:
      exec: {command: ["false"]}
      periodSeconds: 1
      failureThreshold: 1
"""


def test_static_pods(api: Api, node: str, manifests: Path) -> None:
    tag = secrets.token_hex(2)
    restarter, probed = f"restarter-{tag}", f"probed-{tag}"
    (manifests / f"{restarter}.yaml").write_text(manifest(restarter, "sleep 1; exit 0"))
    (manifests / f"{probed}.yaml").write_text(manifest(probed, "sleep 3600", FAILING_LIVENESS))
    mirror, probed_mirror = f"{restarter}-{node}", f"{probed}-{node}"

    pod = api.wait_pod("default", mirror, lambda p: restarts(p) >= 1, 30,
                       "static pod restarted despite restartPolicy Never")
    meta = pod["metadata"]
    assert meta["annotations"][MIRROR] == meta["annotations"]["kubernetes.io/config.hash"]
    assert pod["spec"]["nodeName"] == node and pod["status"]["phase"] == "Running"

    pod = api.wait_phase("default", probed_mirror, "Running")
    first_id = container_status(pod)["containerID"]
    wait_until(lambda: True, 0.1)
    import time
    time.sleep(3)  # three periods of a liveness probe that would fail: never run
    pod = api.pod("default", probed_mirror)
    assert restarts(pod) == 0 and container_status(pod)["containerID"] == first_id

    old_uid = pod["metadata"]["uid"]
    assert api.delete("default", probed_mirror).status_code == 200
    pod = api.wait_pod("default", probed_mirror,
                       lambda p: p["metadata"]["uid"] != old_uid
                       and not p["metadata"].get("deletionTimestamp")
                       and (p.get("status") or {}).get("phase") == "Running", 20,
                       "mirror pod recreated")
    assert container_status(pod)["containerID"] == first_id  # the static pod kept running

    (manifests / f"{probed}.yaml").unlink()
    (manifests / f"{restarter}.yaml").unlink()
    api.wait_gone("default", probed_mirror, 20)
    api.wait_gone("default", mirror, 20)
    wait_until(lambda: not node_containers(node, f"label=io.tugboat.pod.name={probed_mirror}"),
               15, "static pod's containers removed")


def test_static_pods_run_without_an_api_server(tmp_path: Path) -> None:
    folder = tmp_path / "manifests"
    folder.mkdir()
    (folder / "lonely.yaml").write_text(manifest("lonely", "sleep 3600"))
    node = f"e2e-noapi-{secrets.token_hex(3)}"
    dead = f"http://127.0.0.1:{free_port()}"  # nothing listens here
    kubelet = KubeletProcess(dead, node, tmp_path / node,
                             ["--manifests-dir", str(folder), "--file-check-frequency", "1s"])
    try:
        kubelet.start()
        wait_until(lambda: len(node_containers(node, "status=running")) == 2, 20,
                   "the static pod running (sandbox and container)")
    finally:
        kubelet.stop()
        remove_node_containers(node)
