"""What a StatefulSet should do next (Kubernetes' stateful_set_control and
stateful_set_utils), as a pure function of the set, its pods and the clock, so the
ordering rules are tested without a server.

Identity: the pod of ordinal i is `<set>-<i>`, with hostname = its name, subdomain = the
set's serviceName, the labels statefulset.kubernetes.io/pod-name and
apps.kubernetes.io/pod-index, and one claim `<template>-<set>-<i>` per volume claim
template mounted under the template's name.

Order: under OrderedReady the replicas are walked 0..N-1 and the walk stops at the first
pod that is missing (it is created), terminating, or not yet Running and Ready (and
available for minReadySeconds); surplus ordinals are deleted one at a time from the
highest, only once every replica is healthy. Under Parallel nothing waits. A
RollingUpdate then replaces, from the highest ordinal down to the partition, one pod of
an older revision at a time, waiting for each replacement to be healthy; OnDelete leaves
old pods until a user deletes them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from tugboat.controller.podconditions import available_in, is_available, is_ready

REVISION_LABEL = "controller-revision-hash"
POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name"
POD_INDEX_LABEL = "apps.kubernetes.io/pod-index"
_ORDINAL = re.compile(r"^(.*)-([0-9]+)$")


def ordinal_of(pod: Any, set_name: str) -> int | None:
    """The pod's ordinal when its name is `<set>-<ordinal>` (getParentNameAndOrdinal)."""
    m = _ORDINAL.match(pod.metadata.name or "")
    if m is None or m.group(1) != set_name:
        return None
    return int(m.group(2))


def claim_name(template_name: str, set_name: str, ordinal: int) -> str:
    return f"{template_name}-{set_name}-{ordinal}"


def pod_revision(pod: Any) -> str | None:
    return (pod.metadata.labels or {}).get(REVISION_LABEL)


def start_ordinal(sts: Any) -> int:
    return sts.spec.ordinals.start if sts.spec.ordinals is not None else 0


def replica_count(sts: Any) -> int:
    return 1 if sts.spec.replicas is None else sts.spec.replicas


def partition(sts: Any) -> int:
    """The lowest replica index a RollingUpdate touches (0 for OnDelete: see creation)."""
    strategy = sts.spec.updateStrategy
    if strategy is None or strategy.type != "RollingUpdate" or strategy.rollingUpdate is None:
        return 0
    return strategy.rollingUpdate.partition or 0


def revision_for_new_pod(sts: Any, ordinal: int, current: str, update: str) -> str:
    """newVersionedStatefulSetPod: a RollingUpdate recreates a pod below the partition at
    the current revision; every other pod is created at the update revision."""
    strategy = sts.spec.updateStrategy
    rolling = strategy is not None and strategy.type == "RollingUpdate"
    if rolling and ordinal - start_ordinal(sts) < partition(sts):
        return current
    return update


def is_terminating(pod: Any) -> bool:
    return pod.metadata.deletionTimestamp is not None


def is_failed(pod: Any) -> bool:
    return pod.status.phase in ("Failed", "Succeeded")


def is_healthy(pod: Any, min_ready: int | None, now: float) -> bool:
    """isRunningAndAvailable, and not on its way out."""
    return (pod.status.phase == "Running" and is_ready(pod) and not is_terminating(pod)
            and is_available(pod, min_ready, now))


@dataclass
class Plan:
    create: list[tuple[int, str]] = field(default_factory=list)  # (ordinal, revision)
    delete: list[Any] = field(default_factory=list)  # failed, surplus or outdated pods
    condemned: list[Any] = field(default_factory=list)  # deleted surplus (claims may go)
    requeue: float | None = None  # look again then (minReadySeconds running out)


def plan(sts: Any, pods: dict[int, Any], current: str, update: str, now: float) -> Plan:
    """The creations and deletions this sync makes, in Kubernetes' order."""
    out = Plan()
    monotonic = sts.spec.podManagementPolicy != "Parallel"
    min_ready = sts.spec.minReadySeconds
    start, n = start_ordinal(sts), replica_count(sts)

    def waiting_on(pod: Any) -> None:
        wait = available_in(pod, min_ready, now)
        if wait is not None:
            out.requeue = wait + 0.1 if out.requeue is None else min(out.requeue, wait + 0.1)

    for ordinal in range(start, start + n):
        pod = pods.get(ordinal)
        if pod is None:
            out.create.append((ordinal, revision_for_new_pod(sts, ordinal, current, update)))
            if monotonic:
                return out
            continue
        if is_failed(pod) and not is_terminating(pod):
            out.delete.append(pod)  # recreated once it is gone
            if monotonic:
                return out
            continue
        if not is_healthy(pod, min_ready, now):
            waiting_on(pod)
            if monotonic:
                return out

    condemned = sorted((o for o in pods if not start <= o < start + n), reverse=True)
    for ordinal in condemned:
        pod = pods[ordinal]
        if is_terminating(pod):
            if monotonic:
                return out
            continue
        out.delete.append(pod)
        out.condemned.append(pod)
        if monotonic:
            return out

    strategy = sts.spec.updateStrategy
    if strategy is None or strategy.type != "RollingUpdate":
        return out
    for index in range(n - 1, partition(sts) - 1, -1):
        pod = pods.get(start + index)
        if pod is None or pod in out.delete:
            return out
        if pod_revision(pod) != update and not is_terminating(pod):
            out.delete.append(pod)
            return out
        if not is_healthy(pod, min_ready, now):
            waiting_on(pod)
            return out
    return out


def status(sts: Any, pods: list[Any], current: str, update: str, now: float
           ) -> dict[str, Any]:
    """The set's status from its pods (updateStatefulSetStatus with completeRollingUpdate):
    the current revision moves to the update revision once a RollingUpdate has every
    replica updated and ready."""
    counts = dict.fromkeys(("replicas", "ready", "available", "current", "updated"), 0)
    for pod in pods:
        counts["replicas"] += 1
        if pod.status.phase == "Running" and is_ready(pod):
            counts["ready"] += 1
            counts["available"] += is_available(pod, sts.spec.minReadySeconds, now)
        if not is_terminating(pod):
            counts["current"] += pod_revision(pod) == current
            counts["updated"] += pod_revision(pod) == update
    out = sts.status.wire()
    out.update(observedGeneration=sts.metadata.generation, replicas=counts["replicas"],
               readyReplicas=counts["ready"], availableReplicas=counts["available"],
               currentReplicas=counts["current"], updatedReplicas=counts["updated"],
               currentRevision=current, updateRevision=update)
    strategy = sts.spec.updateStrategy
    if strategy is not None and strategy.type == "RollingUpdate" \
            and counts["updated"] == counts["replicas"] == counts["ready"] \
            and counts["replicas"] == replica_count(sts):
        out.update(currentRevision=update, currentReplicas=counts["updated"])
    if out.get("collisionCount") is None:
        out["collisionCount"] = 0
    return out
