"""Errors as Kubernetes reports them: every failure leaves the server as a `Status` object
with the code, reason and message that kubectl and client-go know how to print."""

from __future__ import annotations

from typing import Any

from tugboat.api.meta import Status, StatusCause, StatusDetails
from tugboat.api.resources import ResourceInfo


class ApiError(Exception):
    def __init__(self, code: int, reason: str, message: str,
                 details: StatusDetails | None = None, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.code, self.reason, self.message = code, reason, message
        self.details = details
        self.headers = headers or {}

    def status(self) -> Status:
        return Status(status="Failure", code=self.code, reason=self.reason,
                      message=self.message, details=self.details)

    def wire(self) -> dict[str, Any]:
        return self.status().wire()


def _qualified(info: ResourceInfo) -> str:
    """Kubernetes names a resource in messages as `pods` or `deployments.apps`."""
    return f"{info.resource}.{info.group}" if info.group else info.resource


def _details(info: ResourceInfo, name: str | None) -> StatusDetails:
    return StatusDetails(name=name, group=info.group or None, kind=info.resource)


def not_found(info: ResourceInfo, name: str) -> ApiError:
    return ApiError(404, "NotFound", f'{_qualified(info)} "{name}" not found',
                    _details(info, name))


def already_exists(info: ResourceInfo, name: str) -> ApiError:
    return ApiError(409, "AlreadyExists", f'{_qualified(info)} "{name}" already exists',
                    _details(info, name))


def conflict(info: ResourceInfo, name: str, why: str | None = None, sub: str = "") -> ApiError:
    what = _qualified(info) + (f"/{sub}" if sub else "")
    why = why or ("the object has been modified; please apply your changes to the latest "
                  "version and try again")
    return ApiError(409, "Conflict", f'Operation cannot be fulfilled on {what} "{name}": {why}',
                    _details(info, name))


def invalid(info: ResourceInfo, name: str | None, causes: list[StatusCause]) -> ApiError:
    summary = ", ".join(f"{c.field}: {c.message}" if c.field else (c.message or "")
                        for c in causes)
    det = StatusDetails(name=name, group=info.group or None, kind=info.kind, causes=causes)
    # NewInvalid names the qualified kind (GroupKind: "Deployment.apps", "Pod" for core)
    kind = f"{info.kind}.{info.group}" if info.group else info.kind
    return ApiError(422, "Invalid", f'{kind} "{name or ""}" is invalid: {summary}', det)


def bad_request(message: str) -> ApiError:
    return ApiError(400, "BadRequest", message)


def forbidden(info: ResourceInfo, name: str, why: str) -> ApiError:
    return ApiError(403, "Forbidden", f'{_qualified(info)} "{name}" is forbidden: {why}',
                    _details(info, name))


def method_not_allowed(message: str) -> ApiError:
    return ApiError(405, "MethodNotAllowed", message)


def gone(message: str) -> ApiError:
    return ApiError(410, "Expired", message)


def too_large(limit: int = 3 * 1024 * 1024) -> ApiError:
    return entity_too_large(f"limit is {limit}")


def entity_too_large(message: str) -> ApiError:
    """Kubernetes' NewRequestEntityTooLargeError: a body, or what a patch would make of the
    object, past a bound."""
    return ApiError(413, "RequestEntityTooLarge", f"Request entity too large: {message}")


def unsupported_media_type(content_type: str) -> ApiError:
    return ApiError(415, "UnsupportedMediaType",
                    f'the body of the request was in an unknown format - accepted media types '
                    f'include: application/json-patch+json, application/merge-patch+json, '
                    f'application/apply-patch+yaml, application/strategic-merge-patch+json '
                    f'(got "{content_type}")')


def not_found_path(path: str) -> ApiError:
    return ApiError(404, "NotFound", f"the server could not find the requested resource ({path})",
                    StatusDetails())
