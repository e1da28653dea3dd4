"""The scheduling loop against a fake API: assume and bind, events, the PodScheduled
condition, a failed bind forgotten and retried, no overbooking in a burst."""

from __future__ import annotations

import asyncio

import pytest

from tugboat.api.core import Pod
from tugboat.api.meta import Status as ApiStatus
from tugboat.client import Conflict
from tugboat.scheduler.algorithm import ScheduleAlgorithm
from tugboat.scheduler.cache import SchedulerCache
from tugboat.scheduler.eventhandlers import EventHandlers
from tugboat.scheduler.framework import Framework
from tugboat.scheduler.plugins import default_plugins
from tugboat.scheduler.reporting import Reporter, pod_scheduled_patch
from tugboat.scheduler.scheduler import Scheduler
from tugboat.scheduler.schedulingqueue import SchedulingQueue

from .objects import make_node, make_pod

pytestmark = pytest.mark.anyio


class FakeApi:
    """The client calls the scheduler makes (bind, patch) plus the informer's view."""

    def __init__(self) -> None:
        self.pods: dict[str, Pod] = {}
        self.bindings: list[tuple[str, str]] = []
        self.patches: list[tuple[str, dict]] = []
        self.refuse: set[str] = set()

    async def bind(self, name, node, namespace=None, *, uid=None):
        await asyncio.sleep(0)
        if name in self.refuse:
            raise Conflict(ApiStatus(code=409, reason="Conflict", message="already assigned"))
        self.bindings.append((name, node))

    async def patch(self, resource, name, patch, namespace=None, **kwargs):
        assert kwargs == {"patch_type": "strategic", "subresource": "status"}
        self.patches.append((name, patch))

    def lookup(self, key: str) -> Pod | None:
        return self.pods.get(key)


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, str, str, str]] = []

    async def event(self, ref, event_type, reason, message):
        self.events.append((ref["name"], event_type, reason, message))


@pytest.fixture
async def world(clock):
    api, recorder, cache = FakeApi(), Recorder(), SchedulerCache()
    framework = Framework(default_plugins(api, cache))
    queue = SchedulingQueue(framework.interested, clock=clock)
    handlers = EventHandlers(cache, queue, framework)
    reporter = Reporter(api, recorder)
    scheduler = Scheduler(framework=framework, cache=cache, queue=queue,
                          algorithm=ScheduleAlgorithm(framework, cache),
                          reporter=reporter, lookup=api.lookup)
    yield api, recorder, cache, queue, handlers, scheduler
    await reporter.stop()


def add(world, *pods: Pod) -> None:
    api, _, _, _, handlers, _ = world
    for pod in pods:
        api.pods[f"{pod.metadata.namespace}/{pod.metadata.name}"] = pod
        handlers.on_pod_add(pod)


async def run_once(world) -> None:
    *_, queue, _, scheduler = world
    await scheduler.schedule_one(await asyncio.wait_for(queue.pop(), 1))
    await scheduler.drain()


async def test_schedules_binds_and_reports(world):
    api, recorder, cache, *_ = world
    world[4].on_node_add(make_node("n1"))
    add(world, make_pod("a", cpu="1"))
    await run_once(world)
    assert api.bindings == [("a", "n1")]
    assert cache.is_assumed("default/a")
    assert recorder.events == [("a", "Normal", "Scheduled",
                                "Successfully assigned default/a to n1")]


async def test_unschedulable_pod_gets_event_and_condition(world):
    api, recorder, cache, queue, handlers, _ = world
    handlers.on_node_add(make_node("n1", cpu="1"))
    add(world, make_pod("big", cpu="2"))
    await run_once(world)
    message = "0/1 nodes are available: 1 Insufficient cpu."
    assert recorder.events == [("big", "Warning", "FailedScheduling", message)]
    [(name, patch)] = api.patches
    condition = patch["status"]["conditions"][0]
    assert (name, condition["type"], condition["status"], condition["reason"],
            condition["message"]) == ("big", "PodScheduled", "False", "Unschedulable", message)
    assert queue.where("default/big") == "unschedulable" and api.bindings == []


def test_the_condition_is_written_only_when_it_changes():
    pod = make_pod("p")
    patch = pod_scheduled_patch(pod, "Unschedulable", "m")
    pod.status.conditions = [type(pod.status).model_validate(
        {"conditions": patch["status"]["conditions"]}).conditions[0]]
    assert pod_scheduled_patch(pod, "Unschedulable", "m") is None
    changed = pod_scheduled_patch(pod, "Unschedulable", "other")
    assert changed["status"]["conditions"][0]["lastTransitionTime"] == (
        pod.status.conditions[0].lastTransitionTime)


async def test_a_refused_bind_is_forgotten_and_retried(world):
    api, recorder, cache, queue, handlers, _ = world
    handlers.on_node_add(make_node("n1"))
    api.refuse.add("a")
    add(world, make_pod("a", cpu="1"))
    await run_once(world)
    assert cache.node_of("default/a") is None and cache.get_node("n1").requested.cpu == 0
    assert queue.where("default/a") == "backoff"
    assert recorder.events[-1][2] == "FailedScheduling"
    assert api.patches[-1][1]["status"]["conditions"][0]["reason"] == "SchedulerError"


async def test_no_retry_for_a_pod_bound_elsewhere_meanwhile(world):
    api, recorder, cache, queue, handlers, _ = world
    handlers.on_node_add(make_node("n1"))
    api.refuse.add("a")
    add(world, make_pod("a"))
    api.pods["default/a"] = make_pod("a", node_name="n9")  # another scheduler won
    await run_once(world)
    assert queue.where("default/a") is None and recorder.events == []


async def test_an_assumed_pod_is_not_scheduled_twice(world):
    api, _, cache, queue, handlers, scheduler = world
    handlers.on_node_add(make_node("n1"))
    add(world, make_pod("a"))
    qpi = await queue.pop()
    cache.assume_pod(qpi.pod, "n1")
    await scheduler.schedule_one(qpi)
    await scheduler.drain()
    assert api.bindings == [] and queue.where("default/a") is None


async def test_a_burst_never_overbooks(world):
    api, _, cache, queue, handlers, scheduler = world
    for i in range(3):
        handlers.on_node_add(make_node(f"n{i}", cpu="1", pods="110"))
    add(world, *(make_pod(f"p{i}", cpu="300m", owner="rs") for i in range(12)))
    task = asyncio.ensure_future(scheduler.run())
    for _ in range(200):
        await asyncio.sleep(0)
    queue.close()
    await asyncio.wait_for(task, 1)
    await scheduler.drain()
    per_node: dict[str, int] = {}
    for _, node in api.bindings:
        per_node[node] = per_node.get(node, 0) + 1
    assert per_node == {"n0": 3, "n1": 3, "n2": 3}  # 3 × 300m fit in 1 cpu; 3 left over
    assert queue.pending()["unschedulable"] == 3
