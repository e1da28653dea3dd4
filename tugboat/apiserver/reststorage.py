"""REST handlers that are not the generic registry's: create-only resources that are never
stored (TokenReview, SubjectAccessReview and the other reviews) and POST subresources with
shapes of their own (serviceaccounts/token). Each module that serves one registers it here
with a decorator; the dispatcher in routes.py looks the handler up by (group, resource[,
subresource]). The handler gets the parsed body and the caller's identity and returns the
response object and its HTTP code; the body's apiVersion and kind are checked, and the
response's set, here for every handler."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request

from tugboat.api.resources import ResourceInfo
from tugboat.apiserver import decoding
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


# The kind a POST subresource takes and returns, where it is not its resource's own.
SUBRESOURCE_KINDS: dict[tuple[str, str, str], tuple[str, str]] = {
    ("", "serviceaccounts", "token"): ("authentication.k8s.io/v1", "TokenRequest"),
}


def _typed(fn: Handler, kind: Callable[[Call], tuple[str, str]]) -> Handler:
    """The handler with Kubernetes' type meta rules around it: a body naming another kind
    or version is a 400 (defaulted when absent), and the response carries the endpoint's
    own apiVersion and kind, never an echo of the client's."""
    async def typed(call: Call) -> tuple[Obj, int]:
        api_version, kind_name = kind(call)
        decoding.check_type_meta(call.info, call.body, kind=kind_name, api_version=api_version)
        obj, code = await fn(call)
        return {**obj, "apiVersion": api_version, "kind": kind_name}, code
    return typed


def create_handler(group: str, resource: str) -> Callable[[Handler], Handler]:
    """Serve POST on a create-only resource that has no storage (a review)."""
    def register(fn: Handler) -> Handler:
        CREATES[(group, resource)] = _typed(fn, lambda c: (c.info.api_version, c.info.kind))
        return fn
    return register


def subresource_handler(group: str, resource: str, sub: str) -> Callable[[Handler], Handler]:
    """Serve POST on `resource/{name}/sub`."""
    def register(fn: Handler) -> Handler:
        kind = SUBRESOURCE_KINDS.get((group, resource, sub))
        SUBRESOURCE_CREATES[(group, resource, sub)] = \
            _typed(fn, lambda c: kind) if kind else fn
        return fn
    return register
