"""The seed's rules with issue 14's pod spec, on real Docker: a static pod with an init
container is still restarted whatever its restartPolicy (S5) — its app container and its
init container alike — and is never probed; an init container runs once, not again when
the app container restarts; and an API pod's restartPolicy applies to its init containers
as Kubernetes applies it: Never → the pod Failed at the first failed init container, the
app container never started; OnFailure and Always → the init container restarted with the
CrashLoopBackOff backoff (the kubelet here: --backoff-base 1s --backoff-max 4s) until it
succeeds, and only then the app container."""

from __future__ import annotations

import secrets
import time
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.cluster import (
    IMAGE,
    Api,
    container_status,
    inspect,
    node_containers,
    phase_of,
    pod_manifest,
    restarts,
)
from tests.support.processes import wait_until

Obj = dict[str, Any]

# Fails on its first run and succeeds on the next: the emptyDir outlives the container.
FAIL_ONCE = "test -f /scratch/tried && exit 0; touch /scratch/tried; exit 7"


def init_status(pod: Obj, index: int = 0) -> Obj:
    statuses = (pod.get("status") or {}).get("initContainerStatuses") or []
    return statuses[index] if index < len(statuses) else {}


def init_restarts(pod: Obj) -> int:
    return init_status(pod).get("restartCount", 0)


def condition(pod: Obj, type_: str) -> Obj:
    for c in (pod.get("status") or {}).get("conditions") or []:
        if c["type"] == type_:
            return c
    return {}


def containers_named(node: str, ns: str, pod: str, container: str) -> list[str]:
    return node_containers(node, f"label=io.tugboat.pod.namespace={ns}",
                           f"label=io.tugboat.pod.name={pod}",
                           f"label=io.tugboat.container.name={container}")


def describe(container_id: str) -> str:
    c = inspect(container_id)
    return (f"attempt {c['Config']['Labels'].get('io.tugboat.container.attempt')} "
            f"{c['State']['Status']} exit {c['State']['ExitCode']} created {c['Created']} "
            f"started {c['State']['StartedAt']} finished {c['State']['FinishedAt']}")


def static_manifest(name: str, init: str, main: str, extra: str = "") -> str:
    return f"""apiVersion: v1
kind: Pod
metadata:
  name: {name}
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 1
  volumes:
  - name: scratch
    emptyDir: {{}}
  initContainers:
  - name: init
    image: {IMAGE}
    imagePullPolicy: IfNotPresent
    command: ["sh", "-c", "{init}"]
    volumeMounts: [{{name: scratch, mountPath: /scratch}}]
  containers:
  - name: main
    image: {IMAGE}
    imagePullPolicy: IfNotPresent
    command: ["sh", "-c", "{main}"]
    volumeMounts: [{{name: scratch, mountPath: /scratch}}]
{extra}"""


FAILING_PROBES = """    livenessProbe:
      exec: {command: ["false"]}
      periodSeconds: 1
      failureThreshold: 1
    startupProbe:
      exec: {command: ["false"]}
      periodSeconds: 1
      failureThreshold: 1
"""


def test_static_pod_with_init_container_restarts_despite_never_and_is_not_probed(
        api: Api, node: str, manifests: Path) -> None:
    tag = secrets.token_hex(2)
    crasher, retried, probed = f"init-crasher-{tag}", f"init-retried-{tag}", f"init-probed-{tag}"
    # the app container fails; its init container must not run again for that
    (manifests / f"{crasher}.yaml").write_text(
        static_manifest(crasher, "true", "sleep 1; exit 1"))
    # the init container fails once: under Never an API pod would be Failed
    (manifests / f"{retried}.yaml").write_text(
        static_manifest(retried, FAIL_ONCE, "sleep 3600"))
    # probes that would kill the app container at once if they ran
    (manifests / f"{probed}.yaml").write_text(
        static_manifest(probed, "true", "sleep 3600", FAILING_PROBES))
    crasher_m, retried_m, probed_m = (f"{n}-{node}" for n in (crasher, retried, probed))
    try:
        pod = api.wait_pod("default", crasher_m, lambda p: restarts(p) >= 2, 40,
                           "the static pod's app container restarted twice despite Never")
        assert phase_of(pod) == "Running"
        assert init_status(pod)["state"]["terminated"]["exitCode"] == 0
        assert init_restarts(pod) == 0  # the app's restarts never re-run the init container
        assert condition(pod, "Initialized").get("status") == "True"
        assert len(containers_named(node, "default", crasher_m, "init")) == 1

        pod = api.wait_pod("default", retried_m,
                           lambda p: (container_status(p).get("state") or {}).get("running")
                           is not None, 40, "the failed init container retried, then the app")
        assert init_restarts(pod) == 1 and phase_of(pod) == "Running"
        assert init_status(pod)["lastState"]["terminated"]["exitCode"] == 7

        pod = api.wait_pod("default", probed_m,
                           lambda p: (container_status(p).get("state") or {}).get("running")
                           is not None, 30, "the probed static pod running")
        first_id = container_status(pod)["containerID"]
        time.sleep(3)  # three periods of probes that would fail: never run
        pod = api.pod("default", probed_m)
        assert pod is not None and restarts(pod) == 0
        assert container_status(pod)["containerID"] == first_id
        assert init_restarts(pod) == 0
    finally:
        for name in (crasher, retried, probed):
            (manifests / f"{name}.yaml").unlink(missing_ok=True)
    for mirror in (crasher_m, retried_m, probed_m):
        api.wait_gone("default", mirror, 20)


def with_init(pod: Obj, command: str) -> Obj:
    """The pod with an init container running `command`, sharing an emptyDir with it."""
    spec = pod["spec"]
    mount = [{"name": "scratch", "mountPath": "/scratch"}]
    spec["volumes"] = [{"name": "scratch", "emptyDir": {}}]
    spec["initContainers"] = [{"name": "init", "image": IMAGE,
                               "imagePullPolicy": "IfNotPresent",
                               "command": ["sh", "-c", command], "volumeMounts": mount}]
    spec["containers"][0]["volumeMounts"] = mount
    return pod


def test_failed_init_container_under_never_fails_the_pod(api: Api, node: str, ns: str) -> None:
    api.create(ns, with_init(pod_manifest("never", node, "sleep 3600", restart_policy="Never"),
                             "exit 3"))
    pod = api.wait_phase(ns, "never", "Failed", 30)
    terminated = init_status(pod)["state"]["terminated"]
    assert terminated["exitCode"] == 3 and terminated["reason"] == "Error"
    assert condition(pod, "Initialized").get("status") == "False"
    assert condition(pod, "Ready").get("status") == "False"
    assert (container_status(pod).get("state") or {}).get("running") is None
    time.sleep(2)  # long enough for a wrong restart (backoff 1 s) to show
    pod = api.pod(ns, "never")
    assert pod is not None and phase_of(pod) == "Failed" and init_restarts(pod) == 0
    assert not containers_named(node, ns, "never", "main")  # the app container never ran


@pytest.mark.parametrize("policy", ["OnFailure", "Always"])
def test_failed_init_container_is_retried_until_it_succeeds(api: Api, node: str, ns: str,
                                                            policy: str) -> None:
    api.create(ns, with_init(pod_manifest("retried", node, "sleep 3600",
                                          restart_policy=policy), FAIL_ONCE))
    pod = api.wait_pod(ns, "retried",
                       lambda p: (container_status(p).get("state") or {}).get("running")
                       is not None, 30, "the app container running after the retried init")
    assert phase_of(pod) == "Running" and init_restarts(pod) == 1
    assert init_status(pod)["lastState"]["terminated"]["exitCode"] == 7
    assert init_status(pod)["state"]["terminated"]["exitCode"] == 0
    assert condition(pod, "Initialized").get("status") == "True"
    mains = containers_named(node, ns, "retried", "main")
    assert len(mains) == 1, [describe(c) for c in mains]  # started once, after the init


@pytest.mark.parametrize("policy", ["OnFailure", "Always"])
def test_init_container_that_keeps_failing_backs_off(api: Api, node: str, ns: str,
                                                     policy: str) -> None:
    api.create(ns, with_init(pod_manifest("crashing", node, "sleep 3600",
                                          restart_policy=policy), "exit 1"))
    seen: set[str] = set()

    def backing_off(pod: Obj) -> bool:
        waiting = (init_status(pod).get("state") or {}).get("waiting") or {}
        if waiting.get("reason"):
            seen.add(waiting["reason"])
        return init_restarts(pod) >= 2 and "CrashLoopBackOff" in seen

    started = time.monotonic()
    pod = api.wait_pod(ns, "crashing", backing_off, 40, "the init container in back-off")
    assert time.monotonic() - started >= 1  # delays 0 then 1 s: not restarted at once
    assert phase_of(pod) == "Pending"
    assert init_status(pod)["lastState"]["terminated"]["exitCode"] == 1
    assert condition(pod, "Initialized").get("status") == "False"
    assert (container_status(pod).get("state") or {}).get("running") is None
    assert not containers_named(node, ns, "crashing", "main")
    wait_until(lambda: "BackOff" in {e["reason"] for e in api.events(ns, "crashing")}, 10,
               "a BackOff event")
