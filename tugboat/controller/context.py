"""What every controller is built from: the API client, the shared informer factory, the
event recorder, the manager's options, metrics and clocks. One value passed to each
controller's constructor, so adding a dependency never touches every signature."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from tugboat.client import ApiClient, EventRecorder, SharedInformerFactory
from tugboat.client.discovery import DiscoveryClient
from tugboat.controller.metrics import ControllerMetrics
from tugboat.controller.options import ControllerOptions


@dataclass
class ControllerContext:
    client: ApiClient
    informers: SharedInformerFactory
    recorder: EventRecorder
    options: ControllerOptions = field(default_factory=ControllerOptions)
    metrics: ControllerMetrics = field(default_factory=ControllerMetrics)
    clock: Callable[[], float] = time.monotonic  # intervals: expectations, grace periods
    wall: Callable[[], float] = time.time  # timestamps compared with the API's

    @cached_property
    def discovery(self) -> DiscoveryClient:
        """What the API server serves, custom resources included: one cached reader for
        every controller that acts on all kinds (garbage collector, namespace)."""
        return DiscoveryClient(self.client)
