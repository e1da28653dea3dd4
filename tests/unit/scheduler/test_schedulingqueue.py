"""The scheduling queue: priority-then-age order, backoff on an injected clock, parking
unschedulable pods until an event a rejecting plugin cares about."""

from __future__ import annotations

import asyncio

import pytest

from tugboat.client import ShutDown
from tugboat.scheduler.cache import SchedulerCache
from tugboat.scheduler.framework import ClusterEvent, Framework, PodInfo
from tugboat.scheduler.plugins import default_plugins
from tugboat.scheduler.schedulingqueue import SchedulingQueue

from .objects import make_pod

pytestmark = pytest.mark.anyio
FIT = {"NodeResourcesFit"}


@pytest.fixture
def queue(clock) -> SchedulingQueue:
    framework = Framework(default_plugins(None, SchedulerCache()))
    return SchedulingQueue(framework.interested, clock=clock)


def info(name: str, **kwargs) -> PodInfo:
    return PodInfo.of(make_pod(name, **kwargs))


async def pop_names(queue: SchedulingQueue, count: int) -> list[str]:
    names = []
    for _ in range(count):
        qpi = await asyncio.wait_for(queue.pop(), 1)
        names.append(qpi.pod.name)
        queue.done(qpi.key)
    return names


async def fail(queue: SchedulingQueue, plugins=FIT) -> str:
    """Pop the next pod and report it unschedulable, as the scheduler would."""
    qpi = await asyncio.wait_for(queue.pop(), 1)
    queue.add_unschedulable(qpi, plugins, queue.scheduling_cycle)
    queue.done(qpi.key)
    return qpi.key


async def test_priority_then_age(queue, clock):
    for name, priority in (("old", 0), ("vip", 100), ("new", 0), ("mid", 5)):
        queue.add(info(name, priority=priority))
        clock.advance(1)
    assert await pop_names(queue, 4) == ["vip", "mid", "old", "new"]


async def test_a_pod_is_queued_once(queue):
    queue.add(info("a"))
    queue.add(info("a"))
    assert queue.pending()["active"] == 1
    assert await pop_names(queue, 1) == ["a"]
    assert queue.pending()["active"] == 0


async def test_errors_back_off_exponentially_up_to_the_cap(queue, clock):
    queue.add(info("a"))
    for delay in (1, 2, 4, 8, 10, 10):
        key = await fail(queue, plugins=())  # an error: straight to backoffQ
        assert queue.where(key) == "backoff"
        clock.advance(delay - 0.01)
        assert queue.flush_backoff_completed() == 0
        clock.advance(0.01)
        assert queue.flush_backoff_completed() == 1
        assert queue.where(key) == "active"


async def test_unschedulable_pods_wait_for_an_event_their_plugins_care_about(queue, clock):
    queue.add(info("a"))
    key = await fail(queue)
    assert queue.where(key) == "unschedulable"
    clock.advance(60)
    assert queue.flush_backoff_completed() == 0  # parked, not backing off
    assert queue.move_all(ClusterEvent.NODE_LABEL) == 0  # NodeResourcesFit does not care
    assert queue.move_all(ClusterEvent.NODE_ALLOCATABLE) == 1
    assert queue.where(key) == "active"  # backoff (1 s) long over


async def test_a_moved_pod_still_serves_its_backoff(queue, clock):
    queue.add(info("a"))
    key = await fail(queue)
    queue.move_all(ClusterEvent.ASSIGNED_POD_DELETE)
    assert queue.where(key) == "backoff"
    clock.advance(1)
    queue.flush_backoff_completed()
    assert queue.where(key) == "active"


async def test_an_event_during_the_attempt_sends_the_pod_to_backoff(queue, clock):
    queue.add(info("a"))
    qpi = await queue.pop()
    cycle = queue.scheduling_cycle
    queue.move_all(ClusterEvent.NODE_ADD)  # while "a" was being scheduled
    queue.add_unschedulable(qpi, FIT, cycle)
    assert queue.where("default/a") == "backoff"


async def test_updates_to_a_parked_pod(queue):
    queue.add(info("a", cpu="8"))
    key = await fail(queue)
    status_only = make_pod("a", cpu="8")
    status_only.status.conditions = []
    queue.update(PodInfo.of(status_only))
    assert queue.where(key) == "unschedulable"  # our own status patch: no retry
    queue.update(info("a", cpu="1"))
    assert queue.where(key) in ("active", "backoff")


async def test_an_update_during_the_attempt_wins(queue):
    queue.add(info("a", cpu="8"))
    qpi = await queue.pop()
    queue.update(info("a", cpu="1"))
    queue.add_unschedulable(qpi, FIT, queue.scheduling_cycle)
    assert queue.where("default/a") == "backoff"
    assert qpi.pod.requests.cpu == 1000


async def test_delete_removes_everywhere(queue, clock):
    queue.add(info("a"))
    queue.add(info("b"))
    queue.delete("default/a")
    assert await pop_names(queue, 1) == ["b"]
    queue.add(info("c"))
    key = await fail(queue)
    queue.delete(key)
    assert queue.where(key) is None and queue.pending() == {
        "active": 0, "backoff": 0, "unschedulable": 0}


async def test_leftovers_are_retried_after_five_minutes(queue, clock):
    queue.add(info("a"))
    key = await fail(queue)
    clock.advance(299)
    assert queue.flush_unschedulable_leftover() == 0
    clock.advance(1)
    assert queue.flush_unschedulable_leftover() == 1
    assert queue.where(key) == "active"


async def test_attempts_are_counted(queue, clock):
    queue.add(info("a"))
    await fail(queue, plugins=())
    clock.advance(1)
    queue.flush_backoff_completed()
    qpi = await queue.pop()
    assert qpi.attempts == 2


async def test_forget_backoff_restarts_the_delay(queue, clock):
    queue.add(info("a"))
    await fail(queue, plugins=())
    clock.advance(1)
    queue.flush_backoff_completed()
    await fail(queue, plugins=())  # second failure: 2 s
    queue.forget_backoff("default/a")
    assert queue.flush_backoff_completed() == 1


async def test_pop_waits_and_close_wakes_it(queue):
    waiter = asyncio.ensure_future(queue.pop())
    await asyncio.sleep(0)
    assert not waiter.done()
    queue.add(info("a"))
    assert (await asyncio.wait_for(waiter, 1)).pod.name == "a"
    waiter = asyncio.ensure_future(queue.pop())
    await asyncio.sleep(0)
    queue.close()
    with pytest.raises(ShutDown):
        await asyncio.wait_for(waiter, 1)


async def test_run_flushes_periodically(queue, clock):
    queue.add(info("a"))
    await fail(queue, plugins=())
    clock.advance(1)
    task = asyncio.ensure_future(queue.run(interval=0.01))
    qpi = await asyncio.wait_for(queue.pop(), 1)
    assert qpi.pod.name == "a"
    queue.close()
    await asyncio.wait_for(task, 1)
