"""May this caller do this to this node? --authorization-mode=AlwaysAllow says yes;
Webhook asks the API server with a SubjectAccessReview and keeps the answer for a while —
allowed answers for --authorization-webhook-cache-authorized-ttl (5m), denials for
--authorization-webhook-cache-unauthorized-ttl (30s), as the kubelet does."""

from __future__ import annotations

import logging
from typing import Protocol

from tugboat.kubelet.server.attributes import Attributes
from tugboat.kubelet.server.expiringcache import ExpiringCache
from tugboat.kubelet.server.reviews import Reviewer, ReviewFailed

log = logging.getLogger(__name__)


class AuthorizationFailed(Exception):
    """No decision could be had (the API server did not answer)."""


class Authorizer(Protocol):
    async def authorize(self, a: Attributes) -> tuple[bool, str]:
        """(allowed, reason); raises AuthorizationFailed when it cannot decide."""


class AlwaysAllow:
    async def authorize(self, a: Attributes) -> tuple[bool, str]:
        return True, ""


class WebhookAuthorizer:
    def __init__(self, reviewer: Reviewer, *, authorized_ttl: float = 300.0,
                 unauthorized_ttl: float = 30.0,
                 cache: ExpiringCache[tuple[bool, str]] | None = None):
        self.reviewer = reviewer
        self.authorized_ttl, self.unauthorized_ttl = authorized_ttl, unauthorized_ttl
        self.cache: ExpiringCache[tuple[bool, str]] = cache or ExpiringCache()

    async def authorize(self, a: Attributes) -> tuple[bool, str]:
        key = (a.user, a.verb, a.resource, a.subresource, a.name)  # not the path: one
        cached = self.cache.get(key)                                 # answer per subresource
        if cached is not None:
            return cached
        try:
            decision = await self.reviewer.review_access(a)
        except ReviewFailed as e:
            log.warning("subject access review failed: %s", e)
            raise AuthorizationFailed(str(e)) from e
        self.cache.put(key, decision,
                       self.authorized_ttl if decision[0] else self.unauthorized_ttl)
        return decision
