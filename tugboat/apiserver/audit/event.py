"""The audit.k8s.io/v1 Event: one line of the audit log, one per request and stage, in
Kubernetes' exact shape so log shippers and tools written for kube-apiserver read it."""

from __future__ import annotations

import datetime as _dt
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


def micro_time(at: float) -> str:
    """metav1.MicroTime: RFC 3339, UTC, microseconds."""
    return _dt.datetime.fromtimestamp(at, _dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
