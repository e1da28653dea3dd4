"""The audit.k8s.io/v1 Event: one line of the audit log, one per request and stage, in
Kubernetes' exact shape so log shippers and tools written for kube-apiserver read it.

`Event` is the shape; the filter writes one or two per request, so it builds the same
JSON with `event()`, a plain dict in the model's field order (validating and dumping the
model cost more than the rest of auditing a request)."""

from __future__ import annotations

import math
import time
from typing import Any

from pydantic import BaseModel, ConfigDict


class ObjectReference(BaseModel):
    model_config = ConfigDict(extra="forbid")

    resource: str | None = None
    namespace: str | None = None
    name: str | None = None
    uid: str | None = None
    apiGroup: str | None = None
    apiVersion: str | None = None
    resourceVersion: str | None = None
    subresource: str | None = None


class Event(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: str = "Event"
    apiVersion: str = "audit.k8s.io/v1"
    level: str
    auditID: str
    stage: str
    requestURI: str
    verb: str
    user: dict[str, Any]
    sourceIPs: list[str] | None = None
    userAgent: str | None = None
    objectRef: ObjectReference | None = None
    responseStatus: dict[str, Any] | None = None
    requestObject: Any | None = None
    responseObject: Any | None = None
    requestReceivedTimestamp: str
    stageTimestamp: str
    annotations: dict[str, str] | None = None

    def wire(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


def event(*, level: str, auditID: str, stage: str, requestURI: str, verb: str,  # noqa: N803
          user: dict[str, Any], sourceIPs: list[str] | None = None,  # noqa: N803
          userAgent: str | None = None, objectRef: dict[str, Any] | None = None,  # noqa: N803
          responseStatus: dict[str, Any] | None = None,  # noqa: N803
          requestObject: Any | None = None, responseObject: Any | None = None,  # noqa: N803
          requestReceivedTimestamp: str, stageTimestamp: str,  # noqa: N803
          annotations: dict[str, str] | None = None) -> dict[str, Any]:
    """`Event(...).wire()` for JSON values, without the model: the fields in its order,
    None left out (of the event and of objectRef, whose keys are ObjectReference's)."""
    out: dict[str, Any] = {"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": level,
                           "auditID": auditID, "stage": stage, "requestURI": requestURI,
                           "verb": verb, "user": user}
    if sourceIPs is not None:
        out["sourceIPs"] = sourceIPs
    if userAgent is not None:
        out["userAgent"] = userAgent
    if objectRef is not None:
        out["objectRef"] = {k: v for k, v in objectRef.items() if v is not None}
    if responseStatus is not None:
        out["responseStatus"] = responseStatus
    if requestObject is not None:
        out["requestObject"] = requestObject
    if responseObject is not None:
        out["responseObject"] = responseObject
    out["requestReceivedTimestamp"] = requestReceivedTimestamp
    out["stageTimestamp"] = stageTimestamp
    if annotations is not None:
        out["annotations"] = annotations
    return out


_second: tuple[int, str] = (-1, "")  # the last whole second formatted, and its text


def micro_time(at: float) -> str:
    """metav1.MicroTime: RFC 3339, UTC, microseconds. As datetime.fromtimestamp rounds
    (half to even), but the seconds are formatted once per second, not per event."""
    global _second
    frac, whole = math.modf(at)
    us = round(frac * 1e6)
    secs = int(whole)
    if us >= 1_000_000:
        secs, us = secs + 1, us - 1_000_000
    elif us < 0:
        secs, us = secs - 1, us + 1_000_000
    if _second[0] != secs:
        _second = (secs, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(secs)))
    return f"{_second[1]}.{us:06d}Z"
