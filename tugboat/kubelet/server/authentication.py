"""Who is calling the kubelet port, as the kubelet's delegating authenticator decides:
a client certificate the TLS handshake verified against --client-ca-file (CN is the
user, O the groups), else a bearer token the API server vouches for in a TokenReview
(answers cached for --authentication-token-webhook-cache-ttl), else — only with
--anonymous-auth — system:anonymous. A token that is presented and rejected is a 401
even when anonymous access is on, as in Kubernetes."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from cryptography import x509
from cryptography.x509.oid import NameOID

from tugboat.kubelet.server.attributes import ANONYMOUS, User, with_authenticated_group
from tugboat.kubelet.server.expiringcache import ExpiringCache
from tugboat.kubelet.server.reviews import Reviewer, ReviewFailed
from tugboat.kubelet.server.tls import peer_certificate

log = logging.getLogger(__name__)


class Unauthorized(Exception):
    """The request is not authenticated; the message is for the log only."""


def user_from_certificate(cert: x509.Certificate) -> User:
    subject = cert.subject
    names = subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    groups = subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    return User(str(names[0].value) if names else "",
                groups=tuple(str(g.value) for g in groups))


def bearer_token(headers: Mapping[str, str]) -> str | None:
    scheme, _, token = (headers.get("authorization") or "").strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


class Authenticator:
    """x509, then the token webhook (when a Reviewer is given), then anonymous."""

    def __init__(self, reviewer: Reviewer | None, *, anonymous: bool,
                 token_cache: ExpiringCache[User | None] | None = None,
                 token_ttl: float = 120.0):
        self.reviewer, self.anonymous = reviewer, anonymous
        self.tokens: ExpiringCache[User | None] = token_cache or ExpiringCache()
        self.token_ttl = token_ttl

    async def authenticate(self, scope: Mapping[str, Any], headers: Mapping[str, str]
                           ) -> User:
        cert = peer_certificate(scope)
        if cert is not None:
            user = user_from_certificate(cert)
            if user.name:
                return with_authenticated_group(user)
        token = bearer_token(headers)
        if token is not None and self.reviewer is not None:
            user = await self._token_user(token)
            if user is None or not user.name:
                raise Unauthorized("invalid bearer token")
            return with_authenticated_group(user)
        if self.anonymous:
            return ANONYMOUS
        raise Unauthorized("no credentials")

    async def _token_user(self, token: str) -> User | None:
        cached = self.tokens.get(token)
        if cached is not None:
            return cached
        try:
            user = await self.reviewer.review_token(token)  # type: ignore[union-attr]
        except ReviewFailed as e:
            # an unanswered review is not cached: the next request asks again
            log.warning("token review failed: %s", e)
            raise Unauthorized(str(e)) from e
        # rejections are cached as long as acceptances (the kubelet's one cache TTL)
        self.tokens.put(token, user or User(""), self.token_ttl)
        return user
