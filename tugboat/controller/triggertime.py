"""The `endpoints.kubernetes.io/last-change-trigger-time` annotation that the endpoints and
endpointslice controllers put on what they write (Kubernetes' TriggerTimeTracker in
pkg/controller/util/endpoint). It says when the change that caused the write happened —
a selected pod's Ready condition flipping, or the Service being created — so kube-proxy's
network_programming_duration measures from that change to the rule, not from whenever
the controller got round to the write.

Per Service it remembers the trigger times seen at the last sync; a sync reports the
earliest one that moved since (None: nothing did, and the annotation is cleared on
whatever is written). A Service seen for the first time reports its creationTimestamp.
Like Kubernetes', it can be wrong when one object changes twice between two syncs; the
time stays an approximation, never a reason to write."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Any

from tugboat.api.discovery import LAST_CHANGE_TRIGGER_TIME
from tugboat.api.meta import parse_rfc3339
from tugboat.controller.podconditions import condition

TRIGGER_TIME = LAST_CHANGE_TRIGGER_TIME

_EPOCH = _dt.datetime.min.replace(tzinfo=_dt.timezone.utc)


def _time(text: str | None) -> _dt.datetime | None:
    if not text:
        return None
    try:
        return parse_rfc3339(text).astimezone(_dt.timezone.utc)
    except ValueError:
        return None


def pod_trigger_time(pod: Any) -> _dt.datetime | None:
    """When the pod's Ready condition last changed (None: it has none yet)."""
    ready = condition(pod, "Ready")
    return _time(ready.lastTransitionTime) if ready is not None else None


def service_trigger_time(service: Any) -> _dt.datetime | None:
    # Kubernetes has no "last updated" time on a Service, so only its creation counts.
    return _time(service.metadata.creationTimestamp)


def format_trigger_time(t: _dt.datetime) -> str:
    """RFC 3339 in UTC with only the fractional digits it needs (Go's RFC3339Nano)."""
    t = t.astimezone(_dt.timezone.utc)
    frac = f".{t.microsecond:06d}".rstrip("0") if t.microsecond else ""
    return t.strftime("%Y-%m-%dT%H:%M:%S") + frac + "Z"


def annotate(meta: dict[str, Any], trigger: _dt.datetime | None) -> None:
    """Set (or, with no new trigger, clear) the annotation on wire metadata being written."""
    annotations = dict(meta.get("annotations") or {})
    if trigger is not None:
        annotations[TRIGGER_TIME] = format_trigger_time(trigger)
    else:
        annotations.pop(TRIGGER_TIME, None)
    if annotations:
        meta["annotations"] = annotations
    else:
        meta.pop("annotations", None)


@dataclass
class _ServiceState:
    service: _dt.datetime | None = None
    pods: dict[str, _dt.datetime] = field(default_factory=dict)


class TriggerTimeTracker:
    """Per-Service memory of trigger times. Calls for one Service never overlap (the
    work queue hands a key to one worker at a time), so no lock is needed."""

    def __init__(self) -> None:
        self._states: dict[str, _ServiceState] = {}

    def compute(self, key: str, service: Any, pods: list[Any]) -> _dt.datetime | None:
        """The trigger time for a sync of Service `key` over its selected `pods`, and the
        state remembered for the next one."""
        state = self._states.get(key)
        last = state or _ServiceState()
        earliest: _dt.datetime | None = None
        seen: dict[str, _dt.datetime] = {}
        for pod in pods:
            t = pod_trigger_time(pod)
            if t is None:
                continue
            seen[pod.metadata.name] = t
            if t > last.pods.get(pod.metadata.name, _EPOCH):
                earliest = t if earliest is None else min(earliest, t)
        svc_time = service_trigger_time(service)
        if svc_time is not None and svc_time > (last.service or _EPOCH):
            earliest = svc_time if earliest is None else min(earliest, svc_time)
        self._states[key] = _ServiceState(svc_time, seen)
        if state is None:  # a Service new to us: its creation is the change
            return svc_time
        return earliest

    def delete_service(self, key: str) -> None:
        self._states.pop(key, None)
