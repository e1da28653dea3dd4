"""What the kubelet server's handlers read: the node's name, its pods, the runtime, and
the stats collector. One value on `app.state`, so handlers stay plain functions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tugboat.kubelet.podmanager import PodManager
from tugboat.kubelet.runtime import Runtime


@dataclass
class ServerContext:
    node: str
    pods: PodManager
    runtime: Runtime
    stats: Any  # server.stats.StatsCollector
    metrics: Any  # kubelet.metrics.KubeletMetrics
