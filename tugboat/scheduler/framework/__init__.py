"""The scheduling framework (kube-scheduler's): tiny plugin interfaces, a Status value, the
per-cycle state, NodeInfo/PodInfo precomputed for the hot loop, and the runtime that
runs a profile's plugins."""

from tugboat.scheduler.framework.cyclestate import CycleState
from tugboat.scheduler.framework.events import ClusterEvent
from tugboat.scheduler.framework.fiterror import Diagnosis, FitError
from tugboat.scheduler.framework.interface import MAX_NODE_SCORE, ClusterView
from tugboat.scheduler.framework.nodeinfo import NodeInfo
from tugboat.scheduler.framework.podinfo import PodInfo
from tugboat.scheduler.framework.runtime import Framework
from tugboat.scheduler.framework.status import SKIP, Code, Status

__all__ = ["MAX_NODE_SCORE", "SKIP", "ClusterEvent", "ClusterView", "Code", "CycleState",
           "Diagnosis", "FitError", "Framework", "NodeInfo", "PodInfo", "Status"]
