"""Pod phases on real Docker (S2): Running, Succeeded, Failed (an error exit, and an
OOM kill under a memory limit), and Pending on a missing image (ErrImagePull then
ImagePullBackOff; ErrImageNeverPull) — created together, checked one by one. Unknown
belongs to the node lifecycle controller."""

from __future__ import annotations

from tests.e2e.cluster import (
    Api,
    condition,
    container_status,
    node_containers,
    pod_manifest,
    waiting_reason,
)


def test_phases(api: Api, node: str, ns: str) -> None:
    api.create(ns, pod_manifest("running", node, "sleep 3600"))
    api.create(ns, pod_manifest("succeeds", node, "exit 0", restart_policy="Never"))
    api.create(ns, pod_manifest("fails", node, "exit 7", restart_policy="Never"))
    api.create(ns, pod_manifest("no-image", node, image="tugboat/does-not-exist:1"))
    api.create(ns, pod_manifest("never-pull", node, image="tugboat/does-not-exist:2",
                                imagePullPolicy="Never"))
    api.create(ns, pod_manifest("oom", node, "tail /dev/zero", restart_policy="Never",
                                resources={"limits": {"memory": "16Mi"}}))

    pod = api.wait_phase(ns, "running", "Running")
    st = pod["status"]
    assert st["podIP"] and st["hostIP"] == "127.0.0.1" and st["startTime"]
    cs = container_status(pod)
    assert cs["containerID"].startswith("docker://") and cs["imageID"].startswith("docker://")
    api.wait_pod(ns, "running", lambda p: condition(p, "Ready") == "True")

    term = container_status(api.wait_phase(ns, "succeeds", "Succeeded"))["state"]["terminated"]
    assert (term["exitCode"], term["reason"]) == (0, "Completed")
    assert condition(api.pod(ns, "succeeds"), "Ready") == "False"

    term = container_status(api.wait_phase(ns, "fails", "Failed"))["state"]["terminated"]
    assert (term["exitCode"], term["reason"]) == (7, "Error")

    api.wait_pod(ns, "no-image", lambda p: waiting_reason(p) == "ErrImagePull", 20)
    pod = api.wait_pod(ns, "no-image", lambda p: waiting_reason(p) == "ImagePullBackOff", 20)
    assert pod["status"]["phase"] == "Pending"
    pod = api.wait_pod(ns, "never-pull", lambda p: waiting_reason(p) == "ErrImageNeverPull")
    assert pod["status"]["phase"] == "Pending"
    term = container_status(api.wait_phase(ns, "oom", "Failed"))["state"]["terminated"]
    assert term["reason"] == "OOMKilled" and term["exitCode"] == 137
    reasons = {e["reason"] for e in api.events(ns, "no-image")}
    assert {"Pulling", "Failed", "BackOff"} <= reasons


def test_every_container_is_labelled_and_docker_never_restarts(api: Api, node: str,
                                                              ns: str) -> None:
    pod = api.create(ns, pod_manifest("labelled", node, "sleep 3600"))
    api.wait_phase(ns, "labelled", "Running")
    ids = node_containers(node, f"label=io.tugboat.pod.uid={pod['metadata']['uid']}")
    assert len(ids) == 2  # the sandbox and the container
    from tests.e2e.cluster import inspect
    for cid in ids:
        info = inspect(cid)
        labels = info["Config"]["Labels"]
        assert labels["io.tugboat.pod.name"] == "labelled"
        assert labels["io.tugboat.pod.namespace"] == ns
        assert labels["io.tugboat.node"] == node
        assert labels["io.tugboat.container.attempt"] == "0"
        assert labels["io.tugboat.container.name"] in ("POD", "main")
        assert info["HostConfig"]["RestartPolicy"]["Name"] == "no"
