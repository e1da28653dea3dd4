"""REST handlers that are not the generic registry's: create-only resources that are never
stored (TokenReview, SubjectAccessReview and the other reviews) and POST subresources with
shapes of their own (serviceaccounts/token). Each module that serves one registers it here
with a decorator; the dispatcher in routes.py looks the handler up by (group, resource[,
subresource]). The handler gets the parsed body and the caller's identity and returns the
response object and its HTTP code."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request

from tugboat.api.resources import ResourceInfo
from tugboat.apiserver.auth.user import UserInfo
from tugboat.apiserver.registry import Registry, WriteOptions

Obj = dict[str, Any]


@dataclass
class Call:
    registry: Registry
    info: ResourceInfo
    namespace: str | None
    name: str | None
    sub: str | None
    body: Obj
    opts: WriteOptions
    user: UserInfo
    request: Request


Handler = Callable[[Call], Awaitable[tuple[Obj, int]]]

CREATES: dict[tuple[str, str], Handler] = {}
SUBRESOURCE_CREATES: dict[tuple[str, str, str], Handler] = {}


def create_handler(group: str, resource: str) -> Callable[[Handler], Handler]:
    """Serve POST on a create-only resource that has no storage (a review)."""
    def register(fn: Handler) -> Handler:
        CREATES[(group, resource)] = fn
        return fn
    return register


def subresource_handler(group: str, resource: str, sub: str) -> Callable[[Handler], Handler]:
    """Serve POST on `resource/{name}/sub`."""
    def register(fn: Handler) -> Handler:
        SUBRESOURCE_CREATES[(group, resource, sub)] = fn
        return fn
    return register
