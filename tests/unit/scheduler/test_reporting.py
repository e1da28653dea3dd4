"""The Reporter: events and the PodScheduled condition written in the background, through
a bounded queue that drops (and counts) rather than grow without end."""

from __future__ import annotations

import asyncio

import pytest

from tugboat.api.core import PodCondition
from tugboat.api.meta import Status as ApiStatus
from tugboat.client import NotFound
from tugboat.scheduler.framework import PodInfo
from tugboat.scheduler.reporting import Reporter, pod_reference, pod_scheduled_patch

from .objects import make_pod

pytestmark = pytest.mark.anyio


class Api:
    def __init__(self, fail: bool = False):
        self.events: list[tuple] = []
        self.patches: list[tuple] = []
        self.fail = fail

    async def event(self, ref, event_type, reason, message):
        self.events.append((ref["name"], event_type, reason, message))

    async def patch(self, resource, name, patch, namespace=None, **kwargs):
        if self.fail:
            raise NotFound(ApiStatus(code=404, reason="NotFound", message="gone"))
        self.patches.append((resource, name, namespace, kwargs, patch))


async def test_scheduled_and_failed():
    api = Api()
    reporter = Reporter(api, api)
    pod = PodInfo.of(make_pod("web", "prod"))
    reporter.scheduled(pod, "n1")
    reporter.failed(pod, pod.pod, "Unschedulable", "0/1 nodes are available: 1 Insufficient cpu.")
    await reporter.flush()
    assert api.events == [
        ("web", "Normal", "Scheduled", "Successfully assigned prod/web to n1"),
        ("web", "Warning", "FailedScheduling", "0/1 nodes are available: 1 Insufficient cpu.")]
    [(resource, name, namespace, kwargs, patch)] = api.patches
    assert (resource, name, namespace) == ("pods", "web", "prod")
    assert kwargs == {"patch_type": "strategic", "subresource": "status"}
    assert patch["status"]["conditions"][0]["reason"] == "Unschedulable"
    await reporter.stop()


async def test_an_unchanged_condition_is_not_patched_again():
    api = Api()
    reporter = Reporter(api, api)
    pod = make_pod("p")
    pod.status.conditions = [PodCondition(type="PodScheduled", status="False",
                                          reason="Unschedulable", message="m")]
    reporter.failed(PodInfo.of(pod), pod, "Unschedulable", "m")
    await reporter.flush()
    assert len(api.events) == 1 and api.patches == []
    await reporter.stop()


async def test_a_failed_write_is_logged_not_raised():
    api = Api(fail=True)
    reporter = Reporter(api, api)
    pod = PodInfo.of(make_pod("p"))
    reporter.failed(pod, pod.pod, "Unschedulable", "m")
    await asyncio.wait_for(reporter.flush(), 1)
    await reporter.stop()


async def test_a_full_queue_drops_and_counts():
    api = Api()
    reporter = Reporter(api, api, workers=1, capacity=2)
    pod = PodInfo.of(make_pod("p"))
    for _ in range(5):
        reporter.scheduled(pod, "n")  # the worker has not run yet: 2 fit, 3 dropped
    assert reporter.dropped == 3
    await reporter.flush()
    assert len(api.events) == 2
    await reporter.stop()


def test_reference_and_patch_shapes():
    pod = make_pod("web", "prod", uid="u1")
    pod.metadata.resourceVersion = "42"
    assert pod_reference(PodInfo.of(pod)) == {
        "apiVersion": "v1", "kind": "Pod", "namespace": "prod", "name": "web", "uid": "u1",
        "resourceVersion": "42"}
    condition = pod_scheduled_patch(pod, "Unschedulable", "m")["status"]["conditions"][0]
    assert condition["type"] == "PodScheduled" and condition["status"] == "False"
    assert condition["lastProbeTime"] is None and condition["lastTransitionTime"]
