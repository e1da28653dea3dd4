"""Cluster events that can make an unschedulable pod schedulable.

Each filter plugin names the events that could change its verdict (kube-scheduler's
EventsToRegister); the queue remembers which plugins rejected a pod and moves it back to
the active queue only on an event one of them cares about. A node growing its
allocatable re-queues pods that lacked cpu, not pods that lacked a matching label.
"""

from __future__ import annotations

from enum import StrEnum


class ClusterEvent(StrEnum):
    NODE_ADD = "NodeAdd"
    NODE_DELETE = "NodeDelete"
    NODE_ALLOCATABLE = "NodeAllocatableChange"
    NODE_LABEL = "NodeLabelChange"
    NODE_TAINT = "NodeTaintChange"  # spec.taints or spec.unschedulable, as in Kubernetes
    NODE_CONDITION = "NodeConditionChange"
    NODE_IMAGES = "NodeImagesChange"
    ASSIGNED_POD_ADD = "AssignedPodAdd"
    ASSIGNED_POD_UPDATE = "AssignedPodUpdate"
    ASSIGNED_POD_DELETE = "AssignedPodDelete"
    UNSCHEDULABLE_TIMEOUT = "UnschedulableTimeout"  # the periodic flush: every pod moves
    FORCE_ACTIVATE = "ForceActivate"


# Events every pod is moved on, whichever plugins rejected it.
WILDCARD = frozenset({ClusterEvent.UNSCHEDULABLE_TIMEOUT, ClusterEvent.FORCE_ACTIVATE})
