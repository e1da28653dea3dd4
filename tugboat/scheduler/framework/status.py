"""The result of a plugin call: a Status value with a code and reasons, never an exception.

kube-scheduler's framework.Status: Success, Error, Unschedulable,
UnschedulableAndUnresolvable and Skip. As in Go, where a nil *Status is Success, a plugin
returns None when all is well, so the hot path (filter × node) allocates nothing. The
reasons are the exact phrases that FailedScheduling events count ("Insufficient cpu").
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class Code(IntEnum):
    SUCCESS = 0
    ERROR = 1  # an internal error: the pod is retried with backoff
    UNSCHEDULABLE = 2  # may fit once the cluster changes (or preemption frees room)
    UNSCHEDULABLE_AND_UNRESOLVABLE = 3  # no change of pods on the node would help
    SKIP = 4  # from PreFilter/PreScore: this plugin has nothing to say for this pod


@dataclass(frozen=True, slots=True)
class Status:
    code: Code
    reasons: tuple[str, ...] = ()

    @classmethod
    def unschedulable(cls, *reasons: str) -> Status:
        return cls(Code.UNSCHEDULABLE, reasons)

    @classmethod
    def unresolvable(cls, *reasons: str) -> Status:
        return cls(Code.UNSCHEDULABLE_AND_UNRESOLVABLE, reasons)

    @classmethod
    def error(cls, message: str) -> Status:
        return cls(Code.ERROR, (message,))

    @property
    def is_success(self) -> bool:
        return self.code is Code.SUCCESS

    @property
    def is_skip(self) -> bool:
        return self.code is Code.SKIP

    @property
    def is_unschedulable(self) -> bool:
        """Unschedulable or UnschedulableAndUnresolvable: the pod does not fit (not a bug)."""
        return self.code in (Code.UNSCHEDULABLE, Code.UNSCHEDULABLE_AND_UNRESOLVABLE)

    def message(self) -> str:
        return ", ".join(self.reasons)


SKIP = Status(Code.SKIP)


def is_success(status: Status | None) -> bool:
    return status is None or status.code is Code.SUCCESS
