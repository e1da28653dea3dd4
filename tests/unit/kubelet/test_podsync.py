"""The pod worker's reconcile on the fake runtime: start, restart policies, CrashLoopBackOff,
image pull policies, termination and orphan removal, status as the API would see it."""

from __future__ import annotations

import pytest

from tugboat.api.core import Pod
from tugboat.kubelet.serviceenv import ServiceEnvironment

from .conftest import Harness, make_pod

pytestmark = pytest.mark.anyio


def state_of(h: Harness, pod: Pod) -> tuple[str | None, str]:
    st = h.status_of(pod)
    cs = st.containerStatuses[0]
    kind = next(k for k in ("running", "waiting", "terminated")
                if getattr(cs.state, k) is not None)
    reason = getattr(getattr(cs.state, kind), "reason", None) if kind != "running" else None
    return st.phase, f"{kind}:{reason}" if reason else kind


async def test_a_pod_starts_in_its_sandbox(harness: Harness) -> None:
    pod = make_pod()
    harness.add(pod)
    assert await harness.sync(pod) is None
    st = harness.status_of(pod)
    assert st.phase == "Running" and st.podIP and st.hostIP == "10.0.0.1"
    cs = st.containerStatuses[0]
    assert cs.ready and cs.started and cs.restartCount == 0 and cs.containerID
    assert {c.type: c.status for c in st.conditions}["Ready"] == "True"
    assert harness.reasons() == ["Pulled", "Created", "Started"]
    assert [c for op, c in harness.runtime.calls] == ["web", "app"]


@pytest.mark.parametrize(("policy", "code", "restarts", "phase"), [
    ("Always", 0, True, "Running"), ("Always", 3, True, "Running"),
    ("OnFailure", 0, False, "Succeeded"), ("OnFailure", 3, True, "Running"),
    ("Never", 0, False, "Succeeded"), ("Never", 3, False, "Failed"),
])
async def test_restart_policy_on_exit(harness: Harness, policy: str, code: int, restarts: bool,
                                      phase: str) -> None:
    pod = make_pod(restart_policy=policy)
    harness.add(pod)
    await harness.sync(pod)
    harness.runtime.exit(harness.containers("app")[0].id, code)
    harness.clock.advance(1)
    await harness.sync(pod)
    assert len(harness.containers("app")) == (2 if restarts else 1)
    st = harness.status_of(pod)
    assert st.phase == phase
    if not restarts:
        term = st.containerStatuses[0].state.terminated
        assert term.exitCode == code and term.reason == ("Completed" if code == 0 else "Error")
        sandbox = harness.containers("POD")[0]
        assert not sandbox.running  # a finished pod gives its sandbox back


async def test_crash_loop_back_off_doubles(harness: Harness) -> None:
    pod = make_pod()
    harness.add(pod)
    await harness.sync(pod)
    harness.runtime.exit(harness.containers("app")[-1].id, 1)
    await harness.sync(pod)  # first crash: restarted at once
    assert harness.status_of(pod).containerStatuses[0].restartCount == 1
    harness.clock.advance(2)
    harness.runtime.exit(harness.containers("app")[-1].id, 1)
    again = await harness.sync(pod)
    assert state_of(harness, pod) == ("Running", "waiting:CrashLoopBackOff")
    cs = harness.status_of(pod).containerStatuses[0]
    assert cs.lastState.terminated.exitCode == 1 and cs.restartCount == 1
    assert again == pytest.approx(10.0)
    assert "BackOff" in harness.reasons()
    harness.clock.advance(10)
    await harness.sync(pod)
    assert state_of(harness, pod) == ("Running", "running")
    assert harness.status_of(pod).containerStatuses[0].restartCount == 2
    harness.clock.advance(1)
    harness.runtime.exit(harness.containers("app")[-1].id, 1)
    assert await harness.sync(pod) == pytest.approx(20.0)


async def test_never_pull_with_a_missing_image(harness: Harness) -> None:
    harness.runtime.images = set()
    pod = make_pod(containers=[{"name": "app", "image": "nope:1", "imagePullPolicy": "Never"}])
    harness.add(pod)
    await harness.sync(pod)
    assert state_of(harness, pod) == ("Pending", "waiting:ErrImageNeverPull")


async def test_a_failed_pull_then_image_pull_back_off(harness: Harness) -> None:
    harness.runtime.images = set()
    pod = make_pod(containers=[{"name": "app", "image": "nope:1"}])
    harness.add(pod)
    assert await harness.sync(pod) == pytest.approx(5.0)  # half the pull backoff
    assert state_of(harness, pod) == ("Pending", "waiting:ErrImagePull")
    await harness.sync(pod)
    assert state_of(harness, pod) == ("Pending", "waiting:ImagePullBackOff")
    assert [op for op, _ in harness.runtime.calls].count("pull") == 1
    harness.runtime.pullable = lambda image: True
    harness.clock.advance(11)
    await harness.sync(pod)
    assert state_of(harness, pod) == ("Running", "running")


async def test_graceful_deletion_stops_the_containers(harness: Harness) -> None:
    pod = make_pod()
    harness.add(pod)
    await harness.sync(pod)
    deleting = pod.model_copy(deep=True)
    deleting.metadata.deletionTimestamp = "2030-01-01T00:00:00Z"
    deleting.metadata.deletionGracePeriodSeconds = 5
    harness.add(deleting)
    await harness.sync(deleting)
    assert all(not c.running for c in harness.runtime.containers.values())
    assert ("Normal", "Killing", "Stopping container app") in harness.events
    harness.pods.delete_api_pod(deleting)
    await harness.sync(deleting)
    assert harness.runtime.containers == {}


async def test_orphans_wait_until_the_source_has_listed_everything(harness: Harness) -> None:
    pod = make_pod()
    harness.add(pod)
    await harness.sync(pod)
    harness.pods.delete_api_pod(pod)
    harness.pods.api_synced = False  # a kubelet that just started
    await harness.sync(pod)
    assert len(harness.runtime.containers) == 2
    harness.pods.api_synced = True
    await harness.sync(pod)
    assert harness.runtime.containers == {}


async def test_a_kubelet_restart_adopts_running_containers(harness: Harness) -> None:
    pod = make_pod()
    harness.add(pod)
    await harness.sync(pod)
    before = set(harness.runtime.containers)
    harness.status.forget(pod.metadata.uid or "")  # a new kubelet knows nothing
    await harness.sync(pod)
    assert set(harness.runtime.containers) == before


async def test_static_pods_restart_whatever_their_policy(harness: Harness) -> None:
    pod = make_pod("static", restart_policy="Never")
    harness.pods.set_static_pods([pod])
    await harness.sync(pod)
    harness.runtime.exit(harness.containers("app")[0].id, 0)
    await harness.sync(pod)
    assert len(harness.containers("app")) == 2


def test_status_only_updates_wake_no_one() -> None:
    from tugboat.kubelet.podmanager import differs_beyond_status
    pod = make_pod()
    written = pod.model_copy(deep=True)
    written.status.phase = "Running"
    written.metadata.resourceVersion = "2"
    assert not differs_beyond_status(pod, written)
    deleting = written.model_copy(deep=True)
    deleting.metadata.deletionTimestamp = "2030-01-01T00:00:00Z"
    assert differs_beyond_status(written, deleting)


async def test_containers_get_the_pods_resolv_conf_and_service_variables(
        harness: Harness) -> None:
    pod = make_pod(dnsPolicy="ClusterFirst")
    harness.add(pod)
    await harness.sync(pod)
    config = harness.runtime.configs[harness.containers("app")[0].id]
    resolv = next(m for m in config.mounts if m.container_path == "/etc/resolv.conf")
    with open(resolv.host_path) as f:
        assert f.read() == ("search default.svc.cluster.local svc.cluster.local "
                            "cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n")


async def test_containers_wait_until_services_are_listed(harness: Harness) -> None:
    harness.syncer.d.service_env = ServiceEnvironment(list, lambda: False, {})
    pod = make_pod()
    harness.add(pod)
    assert await harness.sync(pod) == 1.0
    assert state_of(harness, pod) == ("Pending", "waiting:CreateContainerConfigError")
    assert harness.events[-1][1:] == ("Failed", "Error: services have not yet been read at "
                                      "least once, cannot construct envvars")
