"""Informer events → the cache and the queue (kube-scheduler's eventhandlers.go).

Bound pods (spec.nodeName set) go to the cache, whichever scheduler bound them; pending
pods whose schedulerName is ours go to the queue. A pod that becomes bound leaves the
queue and confirms its assumption in the cache. Node changes update the cache and are
classified (allocatable, labels, taints, conditions, images) so that only unschedulable
pods which a matching plugin rejected are retried.
"""

from __future__ import annotations

from typing import Any

from tugboat.api.core import Node, Pod
from tugboat.scheduler.cache import SchedulerCache
from tugboat.scheduler.framework import ClusterEvent, Framework, PodInfo
from tugboat.scheduler.framework.events import WILDCARD
from tugboat.scheduler.schedulingqueue import SchedulingQueue

DEFAULT_SCHEDULER_NAME = "default-scheduler"


def node_events(old: Node, new: Node) -> list[ClusterEvent]:
    """What changed between two versions of a node, as far as scheduling goes."""
    events = []
    if old.status.allocatable != new.status.allocatable or (
            old.status.capacity != new.status.capacity):
        events.append(ClusterEvent.NODE_ALLOCATABLE)
    if old.metadata.labels != new.metadata.labels:
        events.append(ClusterEvent.NODE_LABEL)
    if old.spec.taints != new.spec.taints or old.spec.unschedulable != new.spec.unschedulable:
        events.append(ClusterEvent.NODE_TAINT)
    if _conditions(old) != _conditions(new):
        events.append(ClusterEvent.NODE_CONDITION)
    if old.status.images != new.status.images:
        events.append(ClusterEvent.NODE_IMAGES)
    return events


def _conditions(node: Node) -> dict[str, str]:
    return {c.type: c.status for c in node.status.conditions or ()}


class EventHandlers:
    def __init__(self, cache: SchedulerCache, queue: SchedulingQueue, framework: Framework,
                 scheduler_name: str = DEFAULT_SCHEDULER_NAME):
        self.cache, self.queue = cache, queue
        self.scheduler_name = scheduler_name
        # Events no plugin listens for need not scan the unschedulable pods.
        self._wanted = set(WILDCARD).union(*framework.events.values())

    def register(self, pods: Any, nodes: Any) -> None:
        """Subscribe to a pod informer and a node informer."""
        pods.add_event_handler(self.on_pod_add, self.on_pod_update, self.on_pod_delete)
        nodes.add_event_handler(self.on_node_add, self.on_node_update, self.on_node_delete)

    def responsible_for(self, pod: Pod) -> bool:
        return (pod.spec.schedulerName or DEFAULT_SCHEDULER_NAME) == self.scheduler_name

    def _move(self, event: ClusterEvent) -> None:
        if event in self._wanted:
            self.queue.move_all(event)

    # --- pods -----------------------------------------------------------------------------

    def on_pod_add(self, pod: Pod) -> None:
        if pod.spec.nodeName:
            self.cache.add_pod(PodInfo.of(pod))
            self._move(ClusterEvent.ASSIGNED_POD_ADD)
        elif self.responsible_for(pod) and not pod.metadata.deletionTimestamp:
            self.queue.add(PodInfo.of(pod))

    def on_pod_update(self, old: Pod, new: Pod) -> None:
        info = PodInfo.of(new)
        if new.spec.nodeName:
            if not old.spec.nodeName:
                self.queue.delete(info.key)  # bound: by us (confirming) or by someone else
            self.cache.add_pod(info)
            if old.spec.nodeName and old.spec != new.spec:
                self._move(ClusterEvent.ASSIGNED_POD_UPDATE)
        elif self.responsible_for(new) and not new.metadata.deletionTimestamp:
            self.queue.update(info)
        else:
            self.queue.delete(info.key)

    def on_pod_delete(self, pod: Pod) -> None:
        key = f"{pod.metadata.namespace or 'default'}/{pod.metadata.name}"
        self.queue.delete(key)
        if self.cache.node_of(key) is not None:
            self.cache.remove_pod(key)
            self._move(ClusterEvent.ASSIGNED_POD_DELETE)

    # --- nodes ----------------------------------------------------------------------------

    def on_node_add(self, node: Node) -> None:
        self.cache.set_node(node)
        self._move(ClusterEvent.NODE_ADD)

    def on_node_update(self, old: Node, new: Node) -> None:
        self.cache.set_node(new)
        for event in node_events(old, new):
            self._move(event)

    def on_node_delete(self, node: Node) -> None:
        self.cache.remove_node(node.metadata.name or "")
