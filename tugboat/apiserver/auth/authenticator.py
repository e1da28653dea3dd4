"""The authenticator interfaces (Kubernetes' authenticator.Request and .Token). Each
returns a UserInfo for a credential it recognises and accepts, None for one that is not
its kind (the union tries the next), and raises Unauthenticated for one of its kind that
is bad (expired, revoked, wrong signature): that request is 401, not anonymous."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from tugboat.apiserver.auth.user import UserInfo


class Unauthenticated(Exception):
    """A credential was presented and is not valid; the message is for the log only."""


@dataclass(frozen=True)
class AuthRequest:
    """What an authenticator may look at: the bearer token (if any), the verified client
    certificate chain's leaf (cryptography x509.Certificate, if any) and the headers."""
    token: str | None
    peer_certificate: Any | None
    headers: dict[str, str]


class RequestAuthenticator(Protocol):
    def authenticate(self, req: AuthRequest) -> UserInfo | None: ...


class TokenAuthenticator(Protocol):
    def authenticate_token(self, token: str) -> UserInfo | None: ...
