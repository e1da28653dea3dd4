"""The default profile: which plugins run, in which order, with which score weights.

Filters run in kube-scheduler's order (cheap, unresolvable checks first), and a node's
first failing filter is the reason it is reported under. Score weights follow
kube-scheduler's defaults (TaintToleration 3, NodeAffinity 2, spreading 2, the rest 1);
`--score-weight NAME=N` overrides them and weight 0 turns a score off.
"""

from __future__ import annotations

from typing import Any

from tugboat.scheduler.framework import ClusterView
from tugboat.scheduler.plugins.balancedallocation import NodeResourcesBalancedAllocation
from tugboat.scheduler.plugins.defaultbinder import DefaultBinder
from tugboat.scheduler.plugins.imagelocality import ImageLocality
from tugboat.scheduler.plugins.leastallocated import NodeResourcesLeastAllocated
from tugboat.scheduler.plugins.nodeaffinity import NodeAffinity
from tugboat.scheduler.plugins.nodename import NodeName
from tugboat.scheduler.plugins.nodeports import NodePorts
from tugboat.scheduler.plugins.nodeready import NodeReady
from tugboat.scheduler.plugins.noderesourcesfit import NodeResourcesFit
from tugboat.scheduler.plugins.nodeunschedulable import NodeUnschedulable
from tugboat.scheduler.plugins.ownerspread import OwnerSpread
from tugboat.scheduler.plugins.tainttoleration import TaintToleration

SCORE_PLUGINS = (TaintToleration, NodeAffinity, NodeResourcesLeastAllocated,
                 NodeResourcesBalancedAllocation, OwnerSpread, ImageLocality)
DEFAULT_WEIGHTS = {p.name: p.default_weight for p in SCORE_PLUGINS}
PLUGIN_NAMES = (NodeUnschedulable.name, NodeReady.name, NodeName.name, TaintToleration.name,
                NodeAffinity.name, NodePorts.name, NodeResourcesFit.name,
                NodeResourcesLeastAllocated.name, NodeResourcesBalancedAllocation.name,
                OwnerSpread.name, ImageLocality.name, DefaultBinder.name)


def default_plugins(client: Any, cluster: ClusterView) -> list[Any]:
    """The default profile's plugin objects, filters in evaluation order."""
    return [
        NodeUnschedulable(), NodeReady(), NodeName(), TaintToleration(), NodeAffinity(),
        NodePorts(), NodeResourcesFit(), NodeResourcesLeastAllocated(),
        NodeResourcesBalancedAllocation(), OwnerSpread(), ImageLocality(cluster),
        DefaultBinder(client),
    ]
