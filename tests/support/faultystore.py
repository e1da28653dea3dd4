"""A Store wrapper that fails on demand, to force the watch cache's failure paths in
process: `list_faults` and `watch_faults` are raised by the next calls, one each, and
while `watch_broken` is set every watch (the one running included) fails at its next
event."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from tugboat.store import Event, Store


class FaultyStore:
    def __init__(self, inner: Store):
        self.inner = inner
        self.list_faults: list[BaseException] = []
        self.watch_faults: list[BaseException] = []
        self.watch_broken = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def list(self, prefix: str, revision: int = 0) -> Any:
        if self.list_faults:
            raise self.list_faults.pop(0)
        return await self.inner.list(prefix, revision)

    async def watch(self, prefix: str, revision: int) -> AsyncIterator[Event]:
        if self.watch_faults:
            raise self.watch_faults.pop(0)
        if self.watch_broken:
            raise RuntimeError("injected: the store's watch is broken")
        async for ev in self.inner.watch(prefix, revision):
            if self.watch_broken:
                raise RuntimeError("injected: the store's watch broke")
            yield ev
