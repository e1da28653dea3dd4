"""The admission plugin interface. The registry builds one AdmissionRequest per write
(create, update, delete, and every subresource write: status, binding, eviction, scale,
token, finalize) and runs the chain: mutating plugins on the body after the server's own
metadata is set and before decoding, defaulting and validation; validating plugins on the
final, validated object just before it is committed."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Protocol

from tugboat.api.resources import ResourceInfo
from tugboat.apiserver.auth.user import PRIVILEGED, UserInfo

Obj = dict[str, Any]


class Operation(str, enum.Enum):
    CREATE = "CREATE"
    UPDATE = "UPDATE"
    DELETE = "DELETE"
    CONNECT = "CONNECT"


@dataclass
class AdmissionRequest:
    info: ResourceInfo
    operation: Operation
    namespace: str | None
    name: str
    subresource: str | None = None  # status, binding, eviction, scale, token, finalize, ...
    # The object being written as wire JSON. For subresource writes: the subresource's
    # body (Binding, Eviction, TokenRequest, Scale) — for status, the whole new object.
    obj: Obj | None = None
    old: Obj | None = None  # the stored object (for subresources: the parent object)
    user: UserInfo = PRIVILEGED
    dry_run: bool = False
    warnings: list[str] = field(default_factory=list)  # e.g. Pod Security's warn mode
    annotations: dict[str, str] = field(default_factory=dict)  # audit annotations

    @property
    def kind(self) -> str:
        return self.info.kind


class MutatingPlugin(Protocol):
    name: str

    def admit(self, req: AdmissionRequest) -> None:
        """May change req.obj in place; raises errors.ApiError to refuse."""


class ValidatingPlugin(Protocol):
    name: str

    def validate(self, req: AdmissionRequest) -> None:
        """Raises errors.ApiError (usually 403 Forbidden) to refuse; never mutates."""


@dataclass
class AdmissionChain:
    mutating: list[MutatingPlugin] = field(default_factory=list)
    validating: list[ValidatingPlugin] = field(default_factory=list)

    def admit(self, req: AdmissionRequest) -> None:
        for p in self.mutating:
            p.admit(req)

    def validate(self, req: AdmissionRequest) -> None:
        for p in self.validating:
            p.validate(req)
