"""PriorityClass defaulting (SetDefaults_PriorityClass): a class preempts lower
priorities unless it says Never."""

from __future__ import annotations

from tugboat.api.scheduling import PREEMPT_LOWER_PRIORITY, PriorityClass


def default_priority_class(pc: PriorityClass) -> None:
    if pc.preemptionPolicy is None:
        pc.preemptionPolicy = PREEMPT_LOWER_PRIORITY
