"""The pod worker with hooks, deadlines and OOM scores on the fake runtime: a failed
postStart kills the container and leaves PostStartHookError, preStop runs before the stop,
a pod past activeDeadlineSeconds fails at its deadline, and every container carries its
QoS class's OOM score."""

from __future__ import annotations

import pytest

from tugboat.kubelet.qos import OOMScores
from tugboat.kubelet.runtime import ExecResult, RuntimeContainer

from .conftest import Harness, make_pod

pytestmark = pytest.mark.anyio

HOOK = ["sh", "-c", "echo hi > /hooked"]


def _recording_exec(harness: Harness, code: int = 0) -> None:
    def handler(c: RuntimeContainer, cmd: list[str]) -> ExecResult:
        harness.runtime.calls.append(("exec", " ".join(cmd)))
        return ExecResult(code, b"")
    harness.runtime.exec_handler = handler


async def test_a_failed_post_start_kills_the_container_and_restarts_it(harness: Harness
                                                                       ) -> None:
    _recording_exec(harness, code=1)
    pod = make_pod(containers=[{"name": "app", "image": "busybox:1.35",
                                "lifecycle": {"postStart": {"exec": {"command": HOOK}}}}])
    harness.add(pod)
    await harness.sync(pod)
    first = harness.containers("app")[0]
    assert not first.running
    assert ("Warning", "FailedPostStartHook", "PostStartHook failed") in harness.events
    assert ("Normal", "Killing", "FailedPostStartHook") in harness.events
    cs = harness.status_of(pod).containerStatuses[0]
    assert cs.state.waiting.reason == "PostStartHookError"
    assert cs.state.waiting.message.startswith(
        "Exec lifecycle hook ([sh -c echo hi > /hooked]) for Container \"app\"")
    harness.clock.advance(1)
    await harness.sync(pod)  # restartPolicy Always: again
    assert len(harness.containers("app")) == 2


async def test_a_container_is_not_running_until_post_start_passes(harness: Harness) -> None:
    _recording_exec(harness)
    pod = make_pod(containers=[{"name": "app", "image": "busybox:1.35",
                                "lifecycle": {"postStart": {"exec": {"command": HOOK}}}}])
    harness.add(pod)
    await harness.sync(pod)
    ops = [op for op, _ in harness.runtime.calls]
    assert ops.index("exec") == ops.index("start") + 1
    assert harness.status_of(pod).containerStatuses[0].state.running is not None


async def test_pre_stop_runs_before_the_stop_signal_on_deletion(harness: Harness) -> None:
    _recording_exec(harness)
    pod = make_pod(containers=[{"name": "app", "image": "busybox:1.35",
                                "lifecycle": {"preStop": {"exec": {"command": HOOK}}}}])
    harness.add(pod)
    await harness.sync(pod)
    deleting = pod.model_copy(deep=True)
    deleting.metadata.deletionTimestamp = "2030-01-01T00:00:00Z"
    deleting.metadata.deletionGracePeriodSeconds = 5
    harness.add(deleting)
    await harness.sync(deleting)
    tail = [(op, name) for op, name in harness.runtime.calls if op in ("exec", "stop")]
    assert tail[:2] == [("exec", " ".join(HOOK)), ("stop", "app")]


async def test_a_pod_deleted_at_once_still_runs_its_pre_stop(harness: Harness) -> None:
    _recording_exec(harness)
    pod = make_pod(containers=[{"name": "app", "image": "busybox:1.35",
                                "lifecycle": {"preStop": {"exec": {"command": HOOK}}}}])
    harness.add(pod)
    await harness.sync(pod)
    harness.pods.delete_api_pod(pod)  # gracePeriodSeconds=0: no deletionTimestamp seen
    await harness.sync(pod)
    tail = [(op, name) for op, name in harness.runtime.calls if op in ("exec", "stop")]
    assert tail[:2] == [("exec", " ".join(HOOK)), ("stop", "app")]
    assert harness.runtime.containers == {}


async def test_a_pod_past_its_deadline_fails_on_time(harness: Harness) -> None:
    pod = make_pod(activeDeadlineSeconds=30)
    harness.add(pod)
    wake = await harness.sync(pod)
    assert wake is not None and 29 <= wake <= 30  # woken at the deadline, not at a resync
    harness.clock.advance(wake)
    await harness.sync(pod)
    st = harness.status_of(pod)
    assert (st.phase, st.reason, st.message) == (
        "Failed", "DeadlineExceeded",
        "Pod was active on the node longer than the specified deadline")
    assert not harness.containers("app")[0].running
    assert ("Normal", "DeadlineExceeded",
            "Pod was active on the node longer than the specified deadline") in harness.events
    assert await harness.sync(pod) is None  # finished: nothing more to wait for
    assert len(harness.containers("app")) == 1


@pytest.mark.parametrize(("resources", "score"), [
    ({}, 1000),
    ({"limits": {"cpu": "100m", "memory": "64Mi"}}, -997),
    ({"requests": {"memory": "1Gi"}}, 750),
])
async def test_containers_carry_their_oom_score(harness: Harness, resources: dict,
                                                score: int) -> None:
    harness.syncer.d.oom = OOMScores(memory_capacity=4 * 1024**3)  # not this host's
    pod = make_pod(containers=[{"name": "app", "image": "busybox:1.35",
                                "resources": resources}])
    harness.add(pod)
    await harness.sync(pod)
    cid = harness.containers("app")[0].id
    assert harness.runtime.configs[cid].oom_score_adj == score


async def test_a_restricted_host_raises_scores_to_its_own(harness: Harness) -> None:
    harness.syncer.d.oom = OOMScores(memory_capacity=4 * 1024**3, floor=0)
    pod = make_pod(containers=[{"name": "app", "image": "busybox:1.35",
                                "resources": {"limits": {"cpu": "1", "memory": "1Gi"}}}])
    harness.add(pod)
    await harness.sync(pod)
    assert harness.runtime.configs[harness.containers("app")[0].id].oom_score_adj == 0
