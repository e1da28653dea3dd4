"""The framework runtime: runs a profile's plugins at each extension point.

Built once from a list of plugin objects and score weights; each plugin lands in the
extension points whose methods it has. Per pod, PreFilter and PreScore may Skip a plugin
(kube-scheduler's own optimisation: NodePorts has nothing to check for a pod without host
ports), and `active_filters` hands the scheduling algorithm the bound methods left to call
— the hot loop, kept free of lookups. `filter_nodes` runs those filters over a batch of
nodes, each filter seeing only the nodes every earlier filter let through.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from tugboat.scheduler.framework.cyclestate import CycleState
from tugboat.scheduler.framework.events import WILDCARD, ClusterEvent
from tugboat.scheduler.framework.fiterror import Diagnosis
from tugboat.scheduler.framework.interface import (
    BindPlugin,
    FilterPlugin,
    PostFilterPlugin,
    PreFilterPlugin,
    PreScorePlugin,
    ScoreExtensions,
    ScorePlugin,
)
from tugboat.scheduler.framework.nodeinfo import NodeInfo
from tugboat.scheduler.framework.podinfo import PodInfo
from tugboat.scheduler.framework.status import Code, Status

FilterFn = Callable[[CycleState, PodInfo, list[NodeInfo]], list[Status | None]]


class Framework:
    def __init__(self, plugins: Sequence[Any], weights: Mapping[str, int] | None = None):
        weights = weights or {}
        names = [p.name for p in plugins]
        if len(set(names)) != len(names):
            raise ValueError(f"duplicate plugins in {names}")
        unknown = set(weights) - set(names)
        if unknown:
            raise ValueError(f"weights for unknown plugins: {', '.join(sorted(unknown))}")
        self.plugins = list(plugins)
        self.pre_filter = [p for p in plugins if isinstance(p, PreFilterPlugin)]
        self.filter = [p for p in plugins if isinstance(p, FilterPlugin)]
        self.post_filter = [p for p in plugins if isinstance(p, PostFilterPlugin)]
        self.pre_score = [p for p in plugins if isinstance(p, PreScorePlugin)]
        self.score = [(p, weights.get(p.name, getattr(p, "default_weight", 1)))
                      for p in plugins if isinstance(p, ScorePlugin)]
        self.score = [(p, w) for p, w in self.score if w > 0]  # weight 0 turns a score off
        self.normalizers = {p.name: p.normalize_score for p, _ in self.score
                            if isinstance(p, ScoreExtensions)}
        self.bind = [p for p in plugins if isinstance(p, BindPlugin)]
        self.events = {p.name: frozenset(p.events) for p in self.filter}

    @property
    def weights(self) -> dict[str, int]:
        return {p.name: w for p, w in self.score}

    # --- filtering ------------------------------------------------------------------------

    def run_pre_filter(self, state: CycleState, pod: PodInfo, diagnosis: Diagnosis
                       ) -> Status | None:
        """None to go on filtering; otherwise the status that rejects the pod everywhere."""
        for plugin in self.pre_filter:
            status = plugin.pre_filter(state, pod)
            if status is None or status.is_success:
                continue
            if status.is_skip:
                state.skip_filter.add(plugin.name)
                continue
            if status.is_unschedulable:
                diagnosis.unschedulable_plugins.add(plugin.name)
                diagnosis.pre_filter_msg = status.message()
            return status
        return None

    def active_filters(self, state: CycleState) -> list[tuple[str, FilterFn]]:
        return [(p.name, p.filter) for p in self.filter if p.name not in state.skip_filter]

    @staticmethod
    def filter_nodes(filters: list[tuple[str, FilterFn]], state: CycleState, pod: PodInfo,
                     nodes: list[NodeInfo], diagnosis: Diagnosis) -> list[NodeInfo] | Status:
        """The nodes every filter accepts, in order; each rejected node's first failing
        status goes into `diagnosis`. A filter's Error status aborts with that status."""
        statuses, rejecting = diagnosis.node_statuses, diagnosis.unschedulable_plugins
        for name, fn in filters:
            verdicts = fn(state, pod, nodes)
            if verdicts.count(None) == len(verdicts):
                continue
            passed = []
            for node, status in zip(nodes, verdicts, strict=True):
                if status is None or status.code is Code.SUCCESS:
                    passed.append(node)
                elif status.code is Code.ERROR:
                    return status
                else:
                    statuses[node.name] = status
                    rejecting.add(name)
            nodes = passed
            if not nodes:
                break
        return nodes

    def run_filters(self, state: CycleState, pod: PodInfo, node: NodeInfo
                    ) -> tuple[str, Status] | None:
        """One node: the first rejecting plugin and its status, or None if the pod fits."""
        diagnosis = Diagnosis()
        result = self.filter_nodes(self.active_filters(state), state, pod, [node], diagnosis)
        if isinstance(result, Status):
            return "", result
        if result:
            return None
        [plugin] = diagnosis.unschedulable_plugins
        return plugin, diagnosis.node_statuses[node.name]

    async def run_post_filter(self, state: CycleState, pod: PodInfo, diagnosis: Diagnosis
                              ) -> str | None:
        """After a FitError: the first PostFilter plugin that nominates a node wins."""
        for plugin in self.post_filter:
            nominated = await plugin.post_filter(state, pod, diagnosis, self)
            if nominated:
                return nominated
        return None

    # --- scoring --------------------------------------------------------------------------

    def run_pre_score(self, state: CycleState, pod: PodInfo, nodes: list[NodeInfo]
                      ) -> Status | None:
        for plugin in self.pre_score:
            status = plugin.pre_score(state, pod, nodes)
            if status is None or status.is_success:
                continue
            if status.is_skip:
                state.skip_score.add(plugin.name)
                continue
            return status
        return None

    def run_score(self, state: CycleState, pod: PodInfo, nodes: list[NodeInfo]) -> list[int]:
        """The weighted sum of every active score, per node, in `nodes` order."""
        weighted = []
        for plugin, weight in self.score:
            if plugin.name in state.skip_score:
                continue
            scores = plugin.score(state, pod, nodes)
            normalize = self.normalizers.get(plugin.name)
            if normalize is not None:
                normalize(state, pod, scores)
            if len(scores) != len(nodes):
                raise ValueError(f"{plugin.name} scored {len(scores)} of {len(nodes)} nodes")
            weighted.append(scores if weight == 1 else [s * weight for s in scores])
        return list(map(sum, zip(*weighted, strict=True))) if weighted else [0] * len(nodes)

    # --- binding and requeueing -----------------------------------------------------------

    async def run_bind(self, state: CycleState, pod: PodInfo, node_name: str) -> Status | None:
        for plugin in self.bind:
            status = await plugin.bind(state, pod, node_name)
            if status is not None and status.is_skip:
                continue
            return status
        return Status.error("no bind plugin bound the pod")

    def interested(self, plugins: Iterable[str], event: ClusterEvent) -> bool:
        """Could `event` change the verdict of any of `plugins`? (No plugins: any event.)"""
        names = list(plugins)
        if event in WILDCARD or not names:
            return True
        return any(event in self.events.get(name, ()) for name in names)
