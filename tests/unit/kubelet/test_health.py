"""Runtime health: an outage flips the state (and wakes the node reporter), recovery flips
it back."""

from __future__ import annotations

import pytest

from tugboat.kubelet.node.health import RuntimeHealth
from tugboat.kubelet.runtime.fake import FakeRuntime

pytestmark = pytest.mark.anyio


async def test_outage_and_recovery() -> None:
    runtime = FakeRuntime()
    wakes: list[bool] = []
    health = RuntimeHealth(runtime, lambda: wakes.append(True))
    assert (await health.check()).healthy and health.state.version == "fake://0.1.0"
    runtime.down = True
    state = await health.check()
    assert not state.healthy and "down" in state.message
    await health.check()
    runtime.down = False
    assert (await health.check()).healthy
    assert len(wakes) == 3  # up, down, up — not on every check
