"""Informer events route pods to the cache or the queue and classify node changes."""

from __future__ import annotations

import pytest

from tugboat.scheduler.cache import SchedulerCache
from tugboat.scheduler.eventhandlers import EventHandlers, node_events
from tugboat.scheduler.framework import ClusterEvent, Framework
from tugboat.scheduler.plugins import default_plugins
from tugboat.scheduler.schedulingqueue import SchedulingQueue

from .objects import make_node, make_pod

E = ClusterEvent


@pytest.fixture
def parts(clock):
    cache = SchedulerCache()
    framework = Framework(default_plugins(None, cache))
    queue = SchedulingQueue(framework.interested, clock=clock)
    return cache, queue, EventHandlers(cache, queue, framework)


@pytest.mark.parametrize(("change", "expected"), [
    ({}, []),
    ({"cpu": "8"}, [E.NODE_ALLOCATABLE]),
    ({"labels": {"a": "b"}}, [E.NODE_LABEL]),
    ({"taints": [{"key": "k", "effect": "NoSchedule"}]}, [E.NODE_TAINT]),
    ({"unschedulable": True}, [E.NODE_TAINT]),
    ({"ready": "False"}, [E.NODE_CONDITION]),
    ({"images": {"nginx": 1}}, [E.NODE_IMAGES]),
    ({"cpu": "8", "labels": {"a": "b"}}, [E.NODE_ALLOCATABLE, E.NODE_LABEL]),
])
def test_node_events(change, expected):
    old = make_node("n", ready="True")
    new = make_node("n", **{"ready": "True", **change})
    assert node_events(old, new) == expected


def test_pending_pods_of_our_scheduler_are_queued(parts):
    cache, queue, handlers = parts
    handlers.on_pod_add(make_pod("ours"))
    handlers.on_pod_add(make_pod("theirs", scheduler_name="other-scheduler"))
    deleting = make_pod("going")
    deleting.metadata.deletionTimestamp = "2024-01-01T00:00:00Z"
    handlers.on_pod_add(deleting)
    assert queue.where("default/ours") == "active"
    assert queue.where("default/theirs") is None and queue.where("default/going") is None


def test_bound_pods_go_to_the_cache_whoever_bound_them(parts):
    cache, queue, handlers = parts
    handlers.on_pod_add(make_pod("b", node_name="n1", scheduler_name="other", cpu="1"))
    assert cache.node_of("default/b") == "n1"


def test_binding_moves_a_pod_from_queue_to_cache(parts):
    cache, queue, handlers = parts
    pending = make_pod("a", cpu="1")
    handlers.on_pod_add(pending)
    handlers.on_pod_update(pending, make_pod("a", cpu="1", node_name="n1"))
    assert queue.where("default/a") is None and cache.node_of("default/a") == "n1"


@pytest.mark.anyio
async def test_deleting_a_bound_pod_frees_room_for_parked_pods(parts, clock):
    cache, queue, handlers = parts
    handlers.on_node_add(make_node("n1", cpu="1"))
    holder = make_pod("holder", cpu="1", node_name="n1")
    handlers.on_pod_add(holder)
    handlers.on_pod_add(make_pod("waiting", cpu="1"))
    qpi = await queue.pop()
    queue.add_unschedulable(qpi, {"NodeResourcesFit"}, queue.scheduling_cycle)
    assert queue.where("default/waiting") == "unschedulable"
    clock.advance(5)
    handlers.on_pod_delete(holder)
    assert cache.node_of("default/holder") is None
    assert queue.where("default/waiting") == "active"


@pytest.mark.anyio
async def test_node_changes_update_the_cache_and_move_interested_pods(parts, clock):
    cache, queue, handlers = parts
    old = make_node("n1", cpu="1")
    handlers.on_node_add(old)
    handlers.on_pod_add(make_pod("big", cpu="4"))
    qpi = await queue.pop()
    queue.add_unschedulable(qpi, {"NodeResourcesFit"}, queue.scheduling_cycle)
    clock.advance(5)
    handlers.on_node_update(old, make_node("n1", cpu="1", labels={"x": "y"}))
    assert queue.where("default/big") == "unschedulable"  # a label does not add cpu
    handlers.on_node_update(old, make_node("n1", cpu="8"))
    assert queue.where("default/big") == "active"
    assert cache.get_node("n1").allocatable.cpu == 8000
    handlers.on_node_delete(old)
    assert cache.node_count() == 0
