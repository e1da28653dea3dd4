"""The plugin interfaces: tiny, one per extension point, as in kube-scheduler's framework.

A plugin is an object with a `name` and any of these methods; the framework sorts it into
extension points by which methods it has. Every method returns a Status (None meaning
Success) rather than raising:

- PreFilter: once per pod; computes per-cycle state, or returns Skip so its Filter is not
  run for this pod, or rejects the pod outright.
- Filter: a verdict per node — None where the pod may run, the rejecting Status elsewhere.
- PostFilter: only when no node passed; may make room (preemption) and nominate a node.
- PreScore: once per pod, over the feasible nodes; Skip drops its Score for this pod.
- Score: a score per feasible node, 0..MAX_NODE_SCORE; `normalize_score` then rescales
  the list in place. The framework multiplies by the plugin's configured weight.
- Bind: writes the decision; Skip passes to the next binder.

One deliberate difference from Go: Filter and Score take a list of nodes and return a
list, where kube-scheduler calls them once per node. A Python call costs about what a
whole verdict does, so a 1,000-node cycle spent most of its time calling; a list
comprehension inside the plugin does the same work at a fraction of the cost. Semantics
are unchanged: a node's verdict depends on that node alone, and the framework passes a
node to the next filter only if the previous ones let it through.

Filter plugins also say which cluster events may change their verdict (`events`), so the
queue re-tries a rejected pod only when it might now fit.
"""

from __future__ import annotations

from typing import Any, ClassVar, Protocol, runtime_checkable

from tugboat.scheduler.framework.cyclestate import CycleState
from tugboat.scheduler.framework.events import ClusterEvent
from tugboat.scheduler.framework.fiterror import Diagnosis
from tugboat.scheduler.framework.nodeinfo import NodeInfo
from tugboat.scheduler.framework.podinfo import PodInfo
from tugboat.scheduler.framework.status import Status

MAX_NODE_SCORE = 100


class ClusterView(Protocol):
    """What plugins may ask about the cluster as a whole (kube's framework Handle)."""

    def node_count(self) -> int: ...
    def image_node_count(self, image: str) -> int: ...


class Plugin(Protocol):
    name: ClassVar[str]


@runtime_checkable
class PreFilterPlugin(Protocol):
    name: ClassVar[str]

    def pre_filter(self, state: CycleState, pod: PodInfo) -> Status | None: ...


@runtime_checkable
class FilterPlugin(Protocol):
    name: ClassVar[str]
    events: ClassVar[frozenset[ClusterEvent]]

    def filter(self, state: CycleState, pod: PodInfo, nodes: list[NodeInfo]
               ) -> list[Status | None]: ...


@runtime_checkable
class PostFilterPlugin(Protocol):
    """Runs when no node passed the filters (preemption): returns the node the pod is
    nominated to once room is made there, or None. `filters` runs the profile's filters
    on one (simulated) node."""

    name: ClassVar[str]

    async def post_filter(self, state: CycleState, pod: PodInfo, diagnosis: Diagnosis,
                          filters: Any) -> str | None: ...


@runtime_checkable
class PreScorePlugin(Protocol):
    name: ClassVar[str]

    def pre_score(self, state: CycleState, pod: PodInfo, nodes: list[NodeInfo]
                  ) -> Status | None: ...


@runtime_checkable
class ScorePlugin(Protocol):
    name: ClassVar[str]

    def score(self, state: CycleState, pod: PodInfo, nodes: list[NodeInfo]) -> list[int]: ...


@runtime_checkable
class ScoreExtensions(Protocol):
    def normalize_score(self, state: CycleState, pod: PodInfo, scores: list[int]) -> None: ...


@runtime_checkable
class BindPlugin(Protocol):
    name: ClassVar[str]

    async def bind(self, state: CycleState, pod: PodInfo, node_name: str) -> Status | None: ...


def default_normalize_score(scores: list[int], reverse: bool = False) -> None:
    """kube's DefaultNormalizeScore: scale to 0..MAX by the highest score (reversed, the
    node with the highest raw score gets 0)."""
    highest = max(scores, default=0)
    if highest == 0:
        if reverse:
            scores[:] = [MAX_NODE_SCORE] * len(scores)
        return
    if reverse:
        scores[:] = [MAX_NODE_SCORE - MAX_NODE_SCORE * s // highest for s in scores]
    else:
        scores[:] = [MAX_NODE_SCORE * s // highest for s in scores]
