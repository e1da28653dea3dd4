"""The latest result of one kind of probe for each container id (prober/results in the
kubelet). Setting a different result calls `on_change(pod_uid)`, which wakes that pod's
worker: a failed liveness probe leads to a kill, a readiness change to a status write."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum


class Result(StrEnum):
    SUCCESS = "Success"
    FAILURE = "Failure"
    UNKNOWN = "Unknown"


class ResultsManager:
    def __init__(self, on_change: Callable[[str], None] | None = None):
        self.on_change = on_change
        self._results: dict[str, Result] = {}

    def get(self, container_id: str) -> Result | None:
        return self._results.get(container_id)

    def set(self, container_id: str, result: Result, pod_uid: str) -> None:
        if self._results.get(container_id) == result:
            return
        self._results[container_id] = result
        if self.on_change is not None:
            self.on_change(pod_uid)

    def remove(self, container_id: str) -> None:
        self._results.pop(container_id, None)

    def __len__(self) -> int:
        return len(self._results)
