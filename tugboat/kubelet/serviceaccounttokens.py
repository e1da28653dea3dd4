"""The kubelet's service account token manager (pkg/kubelet/token): asks the API server
for a token bound to the pod (TokenRequest with boundObjectRef), keeps it per pod,
service account, audience and lifetime, and asks for a new one once 80 % of its life —
or 24 hours — has passed, as Kubernetes does, so a projected token never expires in a
running pod."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from tugboat.api.meta import parse_rfc3339
from tugboat.api.pod import Pod, ServiceAccountTokenProjection

DEFAULT_EXPIRATION = 3600
MAX_TTL_BEFORE_REFRESH = 24 * 3600.0
REFRESH_FRACTION = 0.8


class TokenClient(Protocol):
    def create_token(self, service_account: str, namespace: str | None = None, *,
                     audiences: list[str] | None = None, expiration_seconds: int | None = None,
                     bound_object: dict[str, str] | None = None) -> Awaitable[Any]: ...


@dataclass
class _Token:
    token: str
    issued: float
    expires: float

    def refresh_at(self) -> float:
        life = self.expires - self.issued
        return self.issued + min(life * REFRESH_FRACTION, MAX_TTL_BEFORE_REFRESH)


class TokenManager:
    def __init__(self, client: TokenClient, clock: Callable[[], float] = time.time):
        self.client = client
        self.clock = clock
        self._tokens: dict[tuple[str, str, str, str, int], _Token] = {}

    @staticmethod
    def _key(pod: Pod, p: ServiceAccountTokenProjection) -> tuple[str, str, str, str, int]:
        m = pod.metadata
        return (m.uid or "", m.namespace or "", pod.spec.serviceAccountName or "default",
                p.audience or "", p.expirationSeconds or DEFAULT_EXPIRATION)

    async def token(self, pod: Pod, projection: ServiceAccountTokenProjection) -> str:
        """A valid token for the projection; raises the client's ApiError if refused."""
        key = self._key(pod, projection)
        held = self._tokens.get(key)
        now = self.clock()
        if held is not None and now < held.refresh_at():
            return held.token
        uid, ns, sa, audience, seconds = key
        out = await self.client.create_token(
            sa, ns, audiences=[audience] if audience else [], expiration_seconds=seconds,
            bound_object={"apiVersion": "v1", "kind": "Pod", "name": pod.metadata.name or "",
                          "uid": uid})
        status = out.get("status") or {}
        expires = parse_rfc3339(status["expirationTimestamp"]).timestamp() \
            if status.get("expirationTimestamp") else now + seconds
        self._tokens[key] = _Token(status.get("token", ""), now, expires)
        return self._tokens[key].token

    def next_refresh(self, uid: str) -> float | None:
        """When the earliest of the pod's tokens is due for renewal (epoch seconds)."""
        due = [t.refresh_at() for k, t in self._tokens.items() if k[0] == uid]
        return min(due) if due else None

    def forget(self, uid: str) -> None:
        for key in [k for k in self._tokens if k[0] == uid]:
            del self._tokens[key]
