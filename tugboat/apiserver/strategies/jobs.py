"""Jobs: a generation from the start, and the selector Kubernetes generates from the new
Job's uid (controller-uid) when the client gave none — so it runs after the uid is set."""

from __future__ import annotations

from typing import Any

from tugboat.api import defaults
from tugboat.apiserver.strategies.generic import Strategy


class JobStrategy(Strategy):
    always_has_generation = True

    def default(self, obj: Any, creating: bool) -> None:
        super().default(obj, creating)
        if creating:
            defaults.default_job_selector(obj)
