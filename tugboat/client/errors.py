"""The errors a Tugboat client raises, decoded from the apiserver's Status replies.

Callers branch on what went wrong the way client-go callers use `apierrors.IsNotFound`:
`except NotFound`, `except Conflict` (retry the read-modify-write), `except Gone` (relist).
A reply that is not a Status (a proxy's HTML page, an empty body) still becomes the
exception for its HTTP code, with a message built from what there is.
"""

from __future__ import annotations

from typing import Any

import orjson

from tugboat.api.meta import Status, StatusCause


class ClientError(Exception):
    """Base of everything the client raises on purpose."""


class ServerUnreachable(ClientError, ConnectionError):
    """The API server could not be reached (refused, reset, timed out, DNS failure)."""

    def __init__(self, server: str, cause: BaseException | str):
        self.server = server
        self.cause = cause
        super().__init__(f"cannot reach the API server at {server}: {_describe(cause)}")


def _describe(cause: BaseException | str) -> str:
    if isinstance(cause, str):
        return cause
    return str(cause) or type(cause).__name__


class ApiError(ClientError):
    """A non-2xx reply. `status` is the decoded meta/v1 Status."""

    code_default = 0

    def __init__(self, status: Status):
        self.status = status
        super().__init__(f"{self.code} {self.reason}: {self.message}")

    @property
    def code(self) -> int:
        return self.status.code or self.code_default

    @property
    def reason(self) -> str:
        return self.status.reason or ""

    @property
    def message(self) -> str:
        return self.status.message or ""

    @property
    def causes(self) -> list[StatusCause]:
        return list(self.status.details.causes or []) if self.status.details else []


class BadRequest(ApiError):
    code_default = 400


class Unauthorized(ApiError):
    code_default = 401


class Forbidden(ApiError):
    code_default = 403


class NotFound(ApiError):
    code_default = 404


class MethodNotAllowed(ApiError):
    code_default = 405


class Conflict(ApiError):
    """409 with reason Conflict: a stale resourceVersion; re-read and retry."""

    code_default = 409


class AlreadyExists(ApiError):
    """409 with reason AlreadyExists: a create of a name that is taken."""

    code_default = 409


class Gone(ApiError):
    """410: the requested resourceVersion was compacted away; list again."""

    code_default = 410


Expired = Gone


class RequestEntityTooLarge(ApiError):
    code_default = 413


class UnsupportedMediaType(ApiError):
    code_default = 415


class Invalid(ApiError):
    """422: validation failed; `causes` names each bad field."""

    code_default = 422


class TooManyRequests(ApiError):
    code_default = 429


class InternalError(ApiError):
    code_default = 500


class ServiceUnavailable(ApiError):
    code_default = 503


_BY_CODE: dict[int, type[ApiError]] = {
    400: BadRequest, 401: Unauthorized, 403: Forbidden, 404: NotFound,
    405: MethodNotAllowed, 409: Conflict, 410: Gone, 413: RequestEntityTooLarge,
    415: UnsupportedMediaType, 422: Invalid, 429: TooManyRequests, 500: InternalError,
    503: ServiceUnavailable,
}

_REASONS: dict[int, str] = {
    400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound",
    405: "MethodNotAllowed", 409: "Conflict", 410: "Expired", 413: "RequestEntityTooLarge",
    415: "UnsupportedMediaType", 422: "Invalid", 429: "TooManyRequests", 500: "InternalError",
    503: "ServiceUnavailable", 504: "Timeout",
}


def error_from_status(status: Status, code: int | None = None) -> ApiError:
    """The exception for a Status; `code` (the HTTP code) fills in a Status without one."""
    if status.code is None and code is not None:
        status = status.model_copy(update={"code": code})
    c = status.code or 0
    if c == 409 and status.reason == "AlreadyExists":
        return AlreadyExists(status)
    cls = _BY_CODE.get(c)
    if cls is None:
        cls = InternalError if c >= 500 else ApiError
    return cls(status)


def error_from_response(code: int, body: bytes, phrase: str = "") -> ApiError:
    """Decode a non-2xx reply body (a Status, or anything else) into its exception."""
    status = _status_from_body(body)
    if status is None:
        text = body.decode("utf-8", "replace").strip()[:500]
        status = Status(status="Failure", code=code, reason=_REASONS.get(code, ""),
                        message=text or phrase or f"HTTP {code}")
    return error_from_status(status, code)


def _status_from_body(body: bytes) -> Status | None:
    try:
        obj: Any = orjson.loads(body) if body else None
    except orjson.JSONDecodeError:
        return None
    if isinstance(obj, dict) and obj.get("kind") == "Status":
        return Status.model_validate(obj)
    return None
