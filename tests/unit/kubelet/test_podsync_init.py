"""Init containers and sidecars through the pod worker on the fake runtime: what the API
sees — initContainerStatuses, the Initialized condition, PodInitializing, the phase — and
the events."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from tests.support.clock import ManualClock
from tugboat.api.core import ContainerStatus, Pod
from tugboat.client import Backoff
from tugboat.kubelet.podsync import PodSyncer
from tugboat.kubelet.reasons import ReasonCache
from tugboat.kubelet.statusmanager import StatusManager

from .conftest import Harness, make_pod

pytestmark = pytest.mark.anyio


def init_pod(*inits: dict[str, Any], policy: str | None = None) -> Pod:
    return make_pod(restart_policy=policy,
                    initContainers=[{"image": "busybox:1.35", **i} for i in inits])


def state(cs: ContainerStatus) -> str:
    s = cs.state
    if s.running is not None:
        return "running"
    if s.terminated is not None:
        return f"terminated:{s.terminated.reason}"
    return f"waiting:{s.waiting.reason}"


def condition(h: Harness, pod: Pod, type_: str) -> tuple[str, str | None, str | None]:
    c = next(c for c in h.status_of(pod).conditions if c.type == type_)
    return c.status, c.reason, c.message


async def test_init_containers_run_in_order_before_the_app(harness: Harness) -> None:
    h, pod = harness, init_pod({"name": "one"}, {"name": "two"})
    h.add(pod)
    await h.sync(pod)
    st = h.status_of(pod)
    assert st.phase == "Pending"
    assert [state(c) for c in st.initContainerStatuses] == ["running", "waiting:PodInitializing"]
    assert state(st.containerStatuses[0]) == "waiting:PodInitializing"
    assert condition(h, pod, "Initialized") == (
        "False", "ContainersNotInitialized", "containers with incomplete status: [one two]")
    h.runtime.exit(h.containers("one")[0].id, 0)
    await h.sync(pod)
    st = h.status_of(pod)
    assert [state(c) for c in st.initContainerStatuses] == ["terminated:Completed", "running"]
    assert st.initContainerStatuses[0].ready and not st.initContainerStatuses[1].ready
    assert not h.containers("app")
    h.runtime.exit(h.containers("two")[0].id, 0)
    await h.sync(pod)
    st = h.status_of(pod)
    assert st.phase == "Running" and state(st.containerStatuses[0]) == "running"
    assert condition(h, pod, "Initialized")[0] == "True"
    assert condition(h, pod, "Ready")[0] == "True"
    assert h.reasons().count("Started") == 3
    assert ("Normal", "Created", "Created container one") in h.events


async def test_a_failed_init_container_under_never_fails_the_pod(harness: Harness) -> None:
    h, pod = harness, init_pod({"name": "one"}, policy="Never")
    h.add(pod)
    await h.sync(pod)
    h.runtime.exit(h.containers("one")[0].id, 3)
    await h.sync(pod)
    st = h.status_of(pod)
    assert st.phase == "Failed"
    assert st.initContainerStatuses[0].state.terminated.exitCode == 3
    assert state(st.containerStatuses[0]) == "waiting:PodInitializing"
    assert not h.containers("app") and not h.containers("POD")[0].running


async def test_a_failed_init_container_under_on_failure_crash_loops(harness: Harness) -> None:
    h, pod = harness, init_pod({"name": "one"}, policy="OnFailure")
    h.add(pod)
    await h.sync(pod)
    h.runtime.exit(h.containers("one")[-1].id, 1)
    h.clock.advance(1)
    await h.sync(pod)  # the first failure: restarted at once
    h.clock.advance(1)
    h.runtime.exit(h.containers("one")[-1].id, 1)
    assert await h.sync(pod) == pytest.approx(10.0)
    st = h.status_of(pod)
    cs = st.initContainerStatuses[0]
    assert st.phase == "Pending" and state(cs) == "waiting:CrashLoopBackOff"
    assert cs.restartCount == 1 and cs.lastState.terminated.exitCode == 1


async def test_static_pods_restart_a_failed_init_container_even_under_never(
        harness: Harness) -> None:
    h, pod = harness, init_pod({"name": "one"}, policy="Never")
    h.pods.set_static_pods([pod])
    await h.sync(pod)
    h.runtime.exit(h.containers("one")[0].id, 1)
    await h.sync(pod)
    assert len(h.containers("one")) == 2


async def test_a_sidecar_outlives_a_job_like_app_without_blocking_it(harness: Harness) -> None:
    h = harness
    pod = init_pod({"name": "side", "restartPolicy": "Always"}, {"name": "after"},
                   policy="Never")
    h.add(pod)
    # Nothing else would say the sidecar is up: the worker syncs again at once by itself.
    assert await h.sync(pod) == pytest.approx(0.05)
    assert not h.containers("after")
    await h.sync(pod)  # the sidecar has started: the next init container runs
    st = h.status_of(pod)
    assert [state(c) for c in st.initContainerStatuses] == ["running", "running"]
    assert st.initContainerStatuses[0].started
    h.runtime.exit(h.containers("after")[0].id, 0)
    await h.sync(pod)
    assert h.status_of(pod).phase == "Running"
    h.runtime.exit(h.containers("side")[0].id, 1)  # a sidecar restarts even under Never
    await h.sync(pod)
    assert len(h.containers("side")) == 2
    h.runtime.exit(h.containers("app")[0].id, 0)
    await h.sync(pod)
    st = h.status_of(pod)
    assert st.phase == "Succeeded"
    assert not any(c.running for c in h.runtime.containers.values())
    assert condition(h, pod, "Initialized") == ("True", "PodCompleted", None)


async def test_a_sidecar_stops_within_the_pods_one_grace_period(harness: Harness) -> None:
    """The app's preStop takes a second of the 3 s grace; the sidecar, waiting for the
    app meanwhile, has only what is left of the same 3 s — not a grace period of its own."""
    h = harness
    pod = make_pod(initContainers=[{"name": "side", "image": "busybox:1.35",
                                    "restartPolicy": "Always"}],
                   containers=[{"name": "app", "image": "busybox:1.35",
                                "lifecycle": {"preStop": {"sleep": {"seconds": 1}}}}])
    h.add(pod)
    for _ in range(3):
        await h.sync(pod)
    assert h.containers("app") and h.containers("app")[0].running
    graces: list[tuple[str, float]] = []
    stop = h.runtime.stop_container

    async def recording_stop(container_id: str, grace: float) -> None:
        graces.append((h.runtime.containers[container_id].name, grace))
        await stop(container_id, grace)

    h.runtime.stop_container = recording_stop  # type: ignore[method-assign]
    deleting = pod.model_copy(deep=True)
    deleting.metadata.deletionTimestamp = "2030-01-01T00:00:00Z"
    deleting.metadata.deletionGracePeriodSeconds = 3
    h.add(deleting)
    await h.sync(deleting)
    assert [name for name, _ in graces[:2]] == ["app", "side"]
    assert dict(graces[:2]) == {"app": 2, "side": 2}


async def test_a_restarted_kubelet_takes_up_initialization_where_it_stood(
        harness: Harness, clock: ManualClock) -> None:
    """A kubelet that restarts mid-init has only the runtime to go by: the running sidecar
    and init container are adopted, not started again, and the next one follows."""
    h = harness
    pod = init_pod({"name": "side", "restartPolicy": "Always"}, {"name": "one"},
                   {"name": "two"})
    h.add(pod)
    await h.sync(pod)
    await h.sync(pod)  # the sidecar is up: "one" runs
    assert [c.running for c in h.containers("one")] == [True]
    fresh = dataclasses.replace(
        h.syncer.d, reasons=ReasonCache(), crash_backoff=Backoff(10, 300, clock=clock),
        status=StatusManager(None, lambda p: h.pods.get(p.metadata.uid or "")))
    h.syncer, h.status = PodSyncer(fresh), fresh.status
    await h.sync(pod)
    assert len(h.containers("side")) == 1 and len(h.containers("one")) == 1
    assert [state(c) for c in h.status_of(pod).initContainerStatuses] == [
        "running", "running", "waiting:PodInitializing"]
    h.runtime.exit(h.containers("one")[0].id, 0)
    await h.sync(pod)
    assert len(h.containers("two")) == 1 and not h.containers("app")
