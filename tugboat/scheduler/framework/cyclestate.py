"""Per-cycle state: what PreFilter and PreScore compute once per pod and Filter and Score
read for every node (kube-scheduler's CycleState). Created fresh for each scheduling
attempt, so nothing leaks from one pod to the next."""

from __future__ import annotations

from typing import Any


class CycleState:
    __slots__ = ("_data", "skip_filter", "skip_score")

    def __init__(self) -> None:
        self._data: dict[str, Any] = {}
        self.skip_filter: set[str] = set()  # plugins whose PreFilter returned Skip
        self.skip_score: set[str] = set()  # plugins whose PreScore returned Skip

    def write(self, key: str, value: Any) -> None:
        self._data[key] = value

    def read(self, key: str) -> Any:
        """The value a PreFilter/PreScore wrote; KeyError if it never ran (a bug)."""
        return self._data[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self._data.get(key, default)
