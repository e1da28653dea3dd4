"""DefaultPreemption, kube-scheduler's PostFilter plugin: when a pod fits nowhere, make
room for it by evicting lower-priority pods from the one node the evaluator picks
(framework/preemption.py). Each victim is marked with a DisruptionTarget condition, gets
an event `Preempted`, and is deleted with its own grace period; the preemptor's
status.nominatedNodeName names the node it waits for. The pod itself goes back to the
queue and is scheduled once its victims' deletions free the room."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, ClassVar

from tugboat.api.meta import now_rfc3339
from tugboat.client import ClientError, NotFound
from tugboat.scheduler.framework.cyclestate import CycleState
from tugboat.scheduler.framework.fiterror import Diagnosis
from tugboat.scheduler.framework.nodeinfo import NodeInfo
from tugboat.scheduler.framework.podinfo import PodInfo
from tugboat.scheduler.framework.preemption import (
    Budgets,
    Candidate,
    NodeFilter,
    eligible_to_preempt,
    find_candidate,
)

log = logging.getLogger(__name__)

DISRUPTION_TARGET = "DisruptionTarget"
PREEMPTION_BY_SCHEDULER = "PreemptionByScheduler"


class DefaultPreemption:
    name: ClassVar[str] = "DefaultPreemption"

    def __init__(self, client: Any, nodes: Callable[[], list[NodeInfo]],
                 node: Callable[[str], NodeInfo | None], budgets: Callable[[], list[Any]],
                 recorder: Any, scheduler_name: str = "default-scheduler"):
        self.client, self.nodes, self.node, self.budgets = client, nodes, node, budgets
        self.recorder, self.scheduler_name = recorder, scheduler_name

    def evaluate(self, state: CycleState, pod: PodInfo, diagnosis: Diagnosis,
                 filters: NodeFilter) -> Candidate | None:
        """The synchronous half: the node and victims, read from the cache."""
        if not eligible_to_preempt(pod, self.node):
            return None
        return find_candidate(filters, state, pod, self.nodes(), diagnosis,
                              Budgets(self.budgets()))

    async def post_filter(self, state: CycleState, pod: PodInfo, diagnosis: Diagnosis,
                          filters: NodeFilter) -> str | None:
        """Preempt for `pod`; the nominated node, or None when preemption cannot help."""
        candidate = self.evaluate(state, pod, diagnosis, filters)
        if candidate is None:
            return None
        log.info("preempting %d pod(s) on %s for %s: %s", len(candidate.victims),
                 candidate.node, pod.key, ", ".join(v.key for v in candidate.victims))
        await asyncio.gather(*(self._evict(v, pod, candidate.node) for v in candidate.victims))
        try:
            await self.client.patch("pods", pod.name, {"status": {
                "nominatedNodeName": candidate.node}}, pod.namespace,
                patch_type="strategic", subresource="status")
        except ClientError as e:
            log.warning("cannot nominate %s for %s: %s", candidate.node, pod.key, e)
        return candidate.node

    async def _evict(self, victim: PodInfo, preemptor: PodInfo, node: str) -> None:
        condition = {"type": DISRUPTION_TARGET, "status": "True",
                     "reason": PREEMPTION_BY_SCHEDULER,
                     "message": f"{self.scheduler_name}: preempting to accommodate a higher "
                                f"priority pod", "lastTransitionTime": now_rfc3339()}
        try:
            await self.client.patch("pods", victim.name, {"status": {"conditions": [
                condition]}}, victim.namespace, patch_type="strategic", subresource="status")
            await self.client.delete("pods", victim.name, victim.namespace,
                                     preconditions={"uid": victim.uid})
        except NotFound:
            return
        except ClientError as e:
            log.warning("cannot preempt %s: %s", victim.key, e)
            return
        ref = {"apiVersion": "v1", "kind": "Pod", "namespace": victim.namespace,
               "name": victim.name, "uid": victim.uid}
        await self.recorder.event(ref, "Normal", "Preempted",
                                  f"Preempted by pod {preemptor.uid} on node {node}")
