"""The ServiceAccount token authenticator (Kubernetes' serviceaccount.JWTTokenAuthenticator
with its bound-token validator): a JWT of one of our issuers, signed by one of the
`--service-account-key-file` keys, for one of the API server's audiences and not
expired, names a service account that still exists with the same uid, bound to a pod or
secret that also still exists with the same uid. The objects are read from the watch
cache, so deleting the pod revokes its tokens at once."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, Protocol

from tugboat.api.meta import parse_rfc3339
from tugboat.api.resources import lookup
from tugboat.apiserver.auth.authenticator import Unauthenticated
from tugboat.apiserver.auth.user import (
    SERVICE_ACCOUNT_PREFIX,
    SERVICE_ACCOUNTS,
    UserInfo,
    make_extra,
)
from tugboat.apiserver.serviceaccount.tokens import (
    DEFAULT_ISSUER,
    InvalidToken,
    ObjectRef,
    PublicKey,
    TokenClaims,
    TokenVerifier,
)

log = logging.getLogger(__name__)
EXTRA_POD_NAME = "authentication.kubernetes.io/pod-name"
EXTRA_POD_UID = "authentication.kubernetes.io/pod-uid"
EXTRA_NODE_NAME = "authentication.kubernetes.io/node-name"
EXTRA_NODE_UID = "authentication.kubernetes.io/node-uid"
EXTRA_CREDENTIAL_ID = "authentication.kubernetes.io/credential-id"
# A pod marked for deletion keeps its tokens this long (it is still shutting down).
DELETION_GRACE = 60.0


class ObjectCache(Protocol):
    """What the authenticator reads: the watch cache's `get(key)` (a wire dict or None)."""
    def get(self, key: str) -> dict[str, Any] | None: ...


def groups_for(namespace: str) -> tuple[str, ...]:
    return (SERVICE_ACCOUNTS, f"{SERVICE_ACCOUNTS}:{namespace}")


def service_account_user(namespace: str, name: str, uid: str,
                         extra: dict[str, list[str]] | None = None) -> UserInfo:
    return UserInfo(f"{SERVICE_ACCOUNT_PREFIX}{namespace}:{name}", uid, groups_for(namespace),
                    make_extra(extra))


class ServiceAccountTokenAuthenticator:
    def __init__(self, cache: ObjectCache, public_keys: list[PublicKey],
                 issuers: list[str] | str = DEFAULT_ISSUER, audiences: list[str] | None = None,
                 clock: Callable[[], float] = time.time):
        issuers = [issuers] if isinstance(issuers, str) else list(issuers)
        self.cache = cache
        self.clock = clock
        self.verifier = TokenVerifier(public_keys, issuers, list(audiences or issuers[:1]),
                                      clock)

    def authenticate_token(self, token: str) -> UserInfo | None:
        if not self.verifier.is_ours(token):
            return None
        try:
            claims = self.verifier.verify(token)
            self._check_bindings(claims)
        except InvalidToken as e:
            log.debug("service account token rejected: %s", e)
            raise Unauthenticated(str(e)) from e
        extra: dict[str, list[str]] = {}
        if claims.pod is not None:
            extra[EXTRA_POD_NAME] = [claims.pod.name]
            extra[EXTRA_POD_UID] = [claims.pod.uid]
        if claims.node is not None:
            extra[EXTRA_NODE_NAME] = [claims.node.name]
            extra[EXTRA_NODE_UID] = [claims.node.uid]
        if claims.jti:
            extra[EXTRA_CREDENTIAL_ID] = [f"JTI={claims.jti}"]
        sa = claims.service_account
        return service_account_user(claims.namespace, sa.name, sa.uid, extra)

    def _check_bindings(self, claims: TokenClaims) -> None:
        ns = claims.namespace
        self._alive("serviceaccounts", ns, claims.service_account)
        if claims.pod is not None:
            pod = self._alive("pods", ns, claims.pod)
            deleting = (pod.get("metadata") or {}).get("deletionTimestamp")
            if deleting and parse_rfc3339(deleting).timestamp() < self.clock() - DELETION_GRACE:
                raise InvalidToken(f"pod {claims.pod.name} ({claims.pod.uid}) is being deleted "
                                   "and its token has been invalidated")
        if claims.secret is not None:
            self._alive("secrets", ns, claims.secret)

    def _alive(self, resource: str, ns: str, ref: ObjectRef) -> dict[str, Any]:
        info = lookup("", "v1", resource)
        obj = self.cache.get(info.key(ns, ref.name)) if info is not None else None
        what = info.singular if info is not None else resource
        if obj is None:
            raise InvalidToken(f'{what} "{ns}/{ref.name}" not found; the token has been '
                               "invalidated")
        uid = (obj.get("metadata") or {}).get("uid")
        if uid != ref.uid:
            raise InvalidToken(f"{what} UID ({uid}) does not match claim ({ref.uid}); the "
                               "token has been invalidated")
        return obj
