"""Init containers and native sidecars on real Docker, seen as a user sees them: the pod's
status through the API, and its STATUS column through the real kubectl 1.32 and tug
(`Init:0/1`, `Init:Error`, `Init:CrashLoopBackOff`), `describe`'s "Init Containers:".

The kubelet here restarts with --backoff-base 1s --backoff-max 4s."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.cluster import IMAGE, Api, container_status, node_containers, pod_manifest
from tests.support.processes import wait_until

Obj = dict[str, Any]
KUBECTL = "/usr/bin/kubectl"
TUG = str(Path(sys.executable).with_name("tug"))


def init(name: str, command: str, **extra: Any) -> Obj:
    return {"name": name, "image": IMAGE, "imagePullPolicy": "IfNotPresent",
            "command": ["sh", "-c", command], **extra}


def with_inits(pod: Obj, *inits: Obj, scratch: str | None = None) -> Obj:
    spec = pod["spec"]
    spec["initContainers"] = list(inits)
    if scratch:
        spec["volumes"] = [{"name": "scratch", "emptyDir": {}}]
        for c in [*spec["initContainers"], *spec["containers"]]:
            c["volumeMounts"] = [{"name": "scratch", "mountPath": scratch}]
    return pod


def init_status(pod: Obj, index: int = 0) -> Obj:
    statuses = (pod.get("status") or {}).get("initContainerStatuses") or []
    return statuses[index] if index < len(statuses) else {}


def condition(pod: Obj, type_: str) -> Obj:
    return next((c for c in (pod.get("status") or {}).get("conditions") or []
                 if c["type"] == type_), {})


@pytest.fixture
def kubectl(api: Api, ns: str, tmp_path: Path) -> Any:
    def run(*args: str) -> str:
        done = subprocess.run([KUBECTL, "--server", api.url, "-n", ns,
                               "--cache-dir", str(tmp_path / "cache"), *args],
                              capture_output=True, text=True, timeout=30)
        assert done.returncode == 0, done.stderr
        return done.stdout
    return run


@pytest.fixture
def tug(api: Api, ns: str) -> Any:
    def run(*args: str) -> str:
        done = subprocess.run([TUG, "--server", api.url, "-n", ns, *args],
                              capture_output=True, text=True, timeout=30)
        assert done.returncode == 0, done.stderr
        return done.stdout
    return run


def status_column(out: str) -> str:
    """STATUS of the one pod `get pods --no-headers` printed."""
    return out.split()[2]


def test_an_init_container_writes_what_the_app_reads(api: Api, node: str, ns: str) -> None:
    pod = with_inits(
        pod_manifest("reader", node, 'test "$(cat /scratch/msg)" = "from init"',
                     restart_policy="Never"),
        init("writer", "echo 'from init' > /scratch/msg"), scratch="/scratch")
    api.create(ns, pod)
    done = api.wait_phase(ns, "reader", "Succeeded", 60)
    term = init_status(done)["state"]["terminated"]
    assert term["exitCode"] == 0 and term["reason"] == "Completed"
    assert init_status(done)["ready"] is True
    assert condition(done, "Initialized")["status"] == "True"
    assert container_status(done)["state"]["terminated"]["exitCode"] == 0
    reasons = [(e["reason"], e["message"]) for e in api.events(ns, "reader")]
    assert ("Started", "Started container writer") in reasons
    assert ("Created", "Created container writer") in reasons


def test_kubectl_and_tug_show_init_progress(api: Api, node: str, ns: str, kubectl: Any,
                                            tug: Any) -> None:
    api.create(ns, with_inits(pod_manifest("slow", node, "sleep 3600", grace=0),
                              init("wait", "sleep 3600")))
    pod = api.wait_pod(ns, "slow", lambda p: "running" in init_status(p).get("state", {}),
                       60, "init container running")
    assert container_status(pod)["state"]["waiting"]["reason"] == "PodInitializing"
    initialized = condition(pod, "Initialized")
    assert (initialized["status"], initialized["reason"]) == ("False",
                                                              "ContainersNotInitialized")
    assert status_column(kubectl("get", "pods", "--no-headers")) == "Init:0/1"
    assert status_column(tug("get", "pods", "--no-headers")) == "Init:0/1"
    described = kubectl("describe", "pod", "slow")
    assert "Init Containers:" in described and "PodInitializing" in described
    assert "Init Containers:" in tug("describe", "pod", "slow")
    api.delete(ns, "slow", grace=0)


def test_a_failing_init_container_under_never_fails_the_pod(api: Api, node: str, ns: str,
                                                            kubectl: Any) -> None:
    api.create(ns, with_inits(pod_manifest("broken", node, "echo never", restart_policy="Never"),
                              init("fail", "exit 3")))
    failed = api.wait_phase(ns, "broken", "Failed", 60)
    assert init_status(failed)["state"]["terminated"]["exitCode"] == 3
    assert init_status(failed)["restartCount"] == 0
    assert "waiting" in container_status(failed)["state"]  # the app never ran
    assert status_column(kubectl("get", "pods", "--no-headers")) == "Init:Error"
    assert not [c for c in node_containers(node, f"label=io.tugboat.pod.namespace={ns}",
                                           "label=io.tugboat.container.name=main")]


def test_a_failing_init_container_under_on_failure_crash_loops(api: Api, node: str, ns: str,
                                                               kubectl: Any) -> None:
    api.create(ns, with_inits(pod_manifest("looping", node, "sleep 3600",
                                           restart_policy="OnFailure", grace=0),
                              init("fail", "exit 1")))
    pod = api.wait_pod(ns, "looping", lambda p: init_status(p).get("restartCount", 0) >= 2,
                       60, "init container restarted twice")
    assert pod["status"]["phase"] == "Pending"
    assert init_status(pod)["lastState"]["terminated"]["exitCode"] == 1
    # Between restarts it waits out its backoff (up to 4 s here): kubectl says so.
    wait_until(lambda: status_column(kubectl("get", "pods", "--no-headers"))
               == "Init:CrashLoopBackOff", 30, "kubectl shows Init:CrashLoopBackOff")
    out = kubectl("get", "pods", "--no-headers")
    assert int(out.split()[3]) >= 2  # RESTARTS counts the init container's
    api.delete(ns, "looping", grace=0)


def test_a_sidecar_outlives_the_main_container_without_blocking_completion(
        api: Api, node: str, ns: str) -> None:
    sidecar = init("side", "touch /scratch/up; trap 'exit 0' TERM; "
                           "while true; do sleep 1; done",
                   restartPolicy="Always",
                   startupProbe={"exec": {"command": ["test", "-f", "/scratch/up"]},
                                 "periodSeconds": 1})
    job = with_inits(pod_manifest("job", node, "test -f /scratch/up && sleep 2",
                                  restart_policy="Never"),
                     sidecar, scratch="/scratch")
    api.create(ns, job)
    running = api.wait_pod(ns, "job", lambda p: "running" in container_status(p).get(
        "state", {}), 60, "main running beside its sidecar")
    assert "running" in init_status(running)["state"] and init_status(running)["started"]
    done = api.wait_phase(ns, "job", "Succeeded", 60)
    assert container_status(done)["state"]["terminated"]["exitCode"] == 0
    assert "terminated" in init_status(done)["state"]  # stopped once main was done
    wait_until(lambda: not node_containers(node, f"label=io.tugboat.pod.namespace={ns}",
                                           all_states=False), 30, "the pod's containers stop")
