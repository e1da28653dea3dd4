"""meta.k8s.io/v1 types every object shares: ObjectMeta, ListMeta, Status, DeleteOptions.

Field names are Kubernetes' own camelCase so that a model dumps to the exact wire shape
without alias tables; `continue` (a Python keyword) is the one alias.
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from tugboat.api.fieldtypes import Int32, Int64

_RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$")


def _check_time(value: str) -> str:
    if not _RFC3339.match(value):
        raise ValueError(f'"{value}" is not an RFC 3339 time (e.g. 2025-01-01T00:00:00Z)')
    return value


# metav1.Time / MicroTime on the wire: RFC 3339 strings, checked, kept as sent.
Time = Annotated[str, AfterValidator(_check_time)]


class K8sModel(BaseModel):
    """Base of every API type: unknown fields are dropped (the apiserver warns about them)."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True, strict=True)

    def wire(self) -> dict[str, Any]:
        """The object as Kubernetes serialises it: camelCase, unset optionals omitted."""
        return self.model_dump(mode="json", exclude_none=True, by_alias=True)


class PassThrough(K8sModel):
    """Base of the parts Tugboat keeps for clients without acting on them (volume sources
    it does not mount, metric sources it does not read): the fields Kubernetes requires
    are declared and typed, so what is stored is what every client can decode, and the
    rest is kept exactly as sent."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, strict=True)


def now_rfc3339() -> str:
    """Kubernetes' timestamp format: RFC 3339, UTC, whole seconds."""
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_rfc3339(value: str) -> _dt.datetime:
    return _dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


class OwnerReference(K8sModel):
    apiVersion: str
    kind: str
    name: str
    uid: str
    controller: bool | None = None
    blockOwnerDeletion: bool | None = None


class ManagedFieldsEntry(K8sModel):
    manager: str | None = None
    operation: str | None = None
    apiVersion: str | None = None
    time: Time | None = None
    fieldsType: str | None = None
    fieldsV1: dict[str, Any] | None = None
    subresource: str | None = None


class ObjectMeta(K8sModel):
    name: str | None = None
    generateName: str | None = None
    namespace: str | None = None
    uid: str | None = None
    resourceVersion: str | None = None
    generation: Int64 | None = None
    creationTimestamp: Time | None = None
    deletionTimestamp: Time | None = None
    deletionGracePeriodSeconds: Int64 | None = None
    labels: dict[str, str] | None = None
    annotations: dict[str, str] | None = None
    ownerReferences: list[OwnerReference] | None = None
    finalizers: list[str] | None = None
    managedFields: list[ManagedFieldsEntry] | None = None


class PartialObjectMetadata(K8sModel):
    """meta.k8s.io/v1 PartialObjectMetadata: an object's type and metadata alone, what
    the server reads of a body before it decodes the whole kind."""

    apiVersion: str | None = None
    kind: str | None = None
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)


class ListMeta(K8sModel):
    resourceVersion: str | None = None
    continue_: str | None = Field(default=None, alias="continue")
    remainingItemCount: Int64 | None = None


class LabelSelectorRequirement(K8sModel):
    key: str
    operator: str
    values: list[str] | None = None


class LabelSelector(K8sModel):
    matchLabels: dict[str, str] | None = None
    matchExpressions: list[LabelSelectorRequirement] | None = None


class FieldSelectorRequirement(K8sModel):
    key: str
    operator: str  # In, NotIn, Exists, DoesNotExist
    values: list[str] | None = None


class Condition(K8sModel):
    """metav1.Condition, the condition type of newer APIs (Service status among them):
    unlike the older per-kind conditions, every field but observedGeneration is required."""

    type: str
    status: str  # True, False, Unknown
    observedGeneration: Int64 | None = None
    lastTransitionTime: Time
    reason: str
    message: str


class StatusCause(K8sModel):
    reason: str | None = None
    message: str | None = None
    field: str | None = None


class StatusDetails(K8sModel):
    name: str | None = None
    group: str | None = None
    kind: str | None = None
    uid: str | None = None
    causes: list[StatusCause] | None = None
    retryAfterSeconds: Int32 | None = None


class Status(K8sModel):
    """The error (and some success) reply of every Kubernetes API call."""

    apiVersion: str = "v1"
    kind: str = "Status"
    metadata: ListMeta = Field(default_factory=ListMeta)
    status: str | None = None
    message: str | None = None
    reason: str | None = None
    details: StatusDetails | None = None
    code: Int32 | None = None


class Preconditions(K8sModel):
    uid: str | None = None
    resourceVersion: str | None = None


class DeleteOptions(K8sModel):
    apiVersion: str | None = None
    kind: str | None = None
    gracePeriodSeconds: Int64 | None = None
    propagationPolicy: str | None = None
    orphanDependents: bool | None = None
    preconditions: Preconditions | None = None
    dryRun: list[str] | None = None


class ObjectReference(K8sModel):
    apiVersion: str | None = None
    kind: str | None = None
    namespace: str | None = None
    name: str | None = None
    uid: str | None = None
    resourceVersion: str | None = None
    fieldPath: str | None = None
