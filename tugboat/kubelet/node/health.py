"""Is the container runtime up? A periodic ping (with its own timeout, so a hung daemon
counts as down); a change wakes the node status reporter at once, so a Docker outage turns
the node NotReady within seconds and its return makes it Ready again."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from tugboat.kubelet.node.nodestatus import RuntimeState
from tugboat.kubelet.runtime import ContainerRuntime, RuntimeFailure, RuntimeUnavailable

log = logging.getLogger(__name__)


class RuntimeHealth:
    def __init__(self, runtime: ContainerRuntime, on_change: Callable[[], None],
                 *, timeout: float = 5.0):
        self.runtime, self.on_change, self.timeout = runtime, on_change, timeout
        self.state = RuntimeState(healthy=False, message="not checked yet", version="")

    async def check(self) -> RuntimeState:
        try:
            # asyncio.timeout, not wait_for: 3.11's wait_for can swallow a cancellation
            async with asyncio.timeout(self.timeout):
                await self.runtime.ping()
                version = self.state.version if self.state.healthy else \
                    await self.runtime.version()
            new = RuntimeState(True, "", version)
        except TimeoutError:
            new = RuntimeState(False, "the runtime did not answer in time", self.state.version)
        except (RuntimeUnavailable, RuntimeFailure) as e:
            new = RuntimeState(False, str(e), self.state.version)
        if new.healthy != self.state.healthy:
            log.log(logging.INFO if new.healthy else logging.WARNING,
                    "container runtime is %s%s", "up" if new.healthy else "down: ",
                    new.message)
            self.state = new
            self.on_change()
        self.state = new
        return new

    async def run(self, period: float = 2.0) -> None:
        while True:
            await self.check()
            await asyncio.sleep(period)
