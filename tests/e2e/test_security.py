"""securityContext on real Docker: no seccomp profile means Unconfined (Kubernetes' default,
not Docker's), RuntimeDefault means Docker's profile; user, groups and a read-only root
filesystem reach the process; runAsNonRoot refuses an image that runs as root."""

from __future__ import annotations

from tests.e2e.cluster import IMAGE, Api, waiting_reason
from tests.support.processes import wait_until

REPORT = ("grep Seccomp: /proc/self/status; id; "
          "touch /probe 2>/dev/null && echo rootfs-writable || echo rootfs-read-only; "
          "sleep 3600")


def _logs(api: Api, ns: str, name: str, container: str) -> str:
    r = api.http.get(f"/api/v1/namespaces/{ns}/pods/{name}/log",
                     params={"container": container})
    return r.text if r.status_code == 200 else ""


def test_security_context_reaches_the_process(api: Api, node: str, ns: str) -> None:
    def container(name: str, sc: dict | None = None) -> dict:
        c = {"name": name, "image": IMAGE, "imagePullPolicy": "IfNotPresent",
             "command": ["sh", "-c", REPORT]}
        return {**c, "securityContext": sc} if sc else c

    api.create(ns, {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "sec"}, "spec": {
        "nodeName": node, "terminationGracePeriodSeconds": 0,
        "securityContext": {"supplementalGroups": [4000]},
        "containers": [
            container("plain"),
            container("confined", {"seccompProfile": {"type": "RuntimeDefault"},
                                   "runAsUser": 1000, "runAsGroup": 3000,
                                   "readOnlyRootFilesystem": True,
                                   "allowPrivilegeEscalation": False}),
        ]}})
    api.wait_phase(ns, "sec", "Running")
    for name in ("plain", "confined"):
        wait_until(lambda n=name: "rootfs-" in _logs(api, ns, "sec", n), 15, f"{name} output")
    plain = _logs(api, ns, "sec", "plain").split("\n")
    confined = _logs(api, ns, "sec", "confined").split("\n")
    assert plain[0].split() == ["Seccomp:", "0"]  # unconfined
    assert plain[1].startswith("uid=0(root)") and plain[2] == "rootfs-writable"
    assert confined[0].split() == ["Seccomp:", "2"]  # a filter is loaded
    assert confined[1].startswith("uid=1000 gid=3000") and "4000" in confined[1]
    assert confined[2] == "rootfs-read-only"


def test_run_as_non_root_refuses_a_root_image(api: Api, node: str, ns: str) -> None:
    api.create(ns, {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "nonroot"}, "spec": {
        "nodeName": node, "terminationGracePeriodSeconds": 0,
        "securityContext": {"runAsNonRoot": True},
        "containers": [{"name": "app", "image": IMAGE, "imagePullPolicy": "IfNotPresent",
                        "command": ["sleep", "3600"]}]}})
    pod = api.wait_pod(ns, "nonroot",
                       lambda p: waiting_reason(p) == "CreateContainerConfigError", 20)
    waiting = pod["status"]["containerStatuses"][0]["state"]["waiting"]
    assert waiting["message"].startswith("container has runAsNonRoot and image will run as "
                                         "root (pod: \"nonroot_")
    assert pod["status"]["phase"] == "Pending"
    failed = [e for e in api.events(ns, "nonroot") if e["reason"] == "Failed"]
    assert failed and failed[0]["message"].startswith("Error: container has runAsNonRoot")
