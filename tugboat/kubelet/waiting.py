"""Waiting for a wake-up with a deadline, cancellably. Python 3.11's asyncio.wait_for can
swallow a cancellation that lands as the awaited event fires, leaving a loop that never
stops; asyncio.timeout does not, so every "sleep until woken or the period ends" uses it."""

from __future__ import annotations

import asyncio
import contextlib


async def wait_event(event: asyncio.Event, timeout: float) -> bool:
    """Wait until `event` is set or `timeout` passes; clear it; True if it was set."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(timeout):
            await event.wait()
    fired = event.is_set()
    event.clear()
    return fired
