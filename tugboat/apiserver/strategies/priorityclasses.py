"""PriorityClass writes: the system classes stay (Kubernetes' priorityclass storage refuses
their deletion), since pods of the control plane name them."""

from __future__ import annotations

from typing import Any

from tugboat.api.scheduling import SYSTEM_PRIORITY_CLASSES
from tugboat.apiserver.strategies.generic import Strategy


class PriorityClassStrategy(Strategy):
    def check_delete(self, obj: dict[str, Any]) -> str | None:
        if obj["metadata"]["name"] in SYSTEM_PRIORITY_CLASSES:
            return "this is a system priority class and cannot be deleted"
        return None
