"""The authenticator chain, assembled as kube-apiserver assembles it: each request
authenticator in turn (client certificate, then the bearer token through every token
authenticator); the first that recognises a credential names the user, who gains
system:authenticated; a presented credential nobody accepts is an error (401), never
anonymous; a request with no credential at all is system:anonymous when anonymous auth
is on."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from tugboat.apiserver.auth.authenticator import (
    AuthRequest,
    RequestAuthenticator,
    TokenAuthenticator,
    Unauthenticated,
)
from tugboat.apiserver.auth.user import (
    ALL_AUTHENTICATED,
    ALL_UNAUTHENTICATED,
    ANONYMOUS,
    UserInfo,
)


class TokenUnion:
    """Every token authenticator in turn; the first to accept wins. A token refused
    outright by one (expired, revoked) is still offered to the others, as Kubernetes'
    union does, and the refusal is reported only if nobody accepts."""

    def __init__(self, authenticators: Sequence[TokenAuthenticator]):
        self.authenticators = list(authenticators)

    def authenticate_token(self, token: str) -> UserInfo | None:
        errors: list[str] = []
        for a in self.authenticators:
            try:
                user = a.authenticate_token(token)
            except Unauthenticated as e:
                errors.append(str(e))
                continue
            if user is not None:
                return user
        if errors:
            raise Unauthenticated(", ".join(errors))
        return None


class BearerToken:
    """The `Authorization: Bearer` header as a request authenticator: a token nobody
    recognises is an invalid bearer token (401), not an anonymous request."""

    def __init__(self, tokens: TokenAuthenticator):
        self.tokens = tokens

    def authenticate(self, req: AuthRequest) -> UserInfo | None:
        if not req.token:
            return None
        user = self.tokens.authenticate_token(req.token)
        if user is None:
            raise Unauthenticated("invalid bearer token")
        return user


def with_authenticated_group(user: UserInfo) -> UserInfo:
    """Kubernetes' AuthenticatedGroupAdder: every authenticated user is in
    system:authenticated (unless it already says it is, or that it is unauthenticated)."""
    if ALL_AUTHENTICATED in user.groups or ALL_UNAUTHENTICATED in user.groups:
        return user
    return replace(user, groups=(*user.groups, ALL_AUTHENTICATED))


class Authenticator:
    """What the authentication filter and TokenReview call: `authenticate(req)` returns
    the user (anonymous included) or raises Unauthenticated (→ 401)."""

    def __init__(self, requests: Sequence[RequestAuthenticator],
                 tokens: Sequence[TokenAuthenticator], anonymous: bool = True):
        self.tokens = TokenUnion(tokens)
        self.requests = [*requests, BearerToken(self.tokens)]
        self.anonymous = anonymous

    def authenticate(self, req: AuthRequest) -> UserInfo:
        errors: list[str] = []
        for a in self.requests:
            try:
                user = a.authenticate(req)
            except Unauthenticated as e:
                errors.append(str(e))
                continue
            if user is not None:
                return with_authenticated_group(user)
        if errors:
            raise Unauthenticated(", ".join(errors))
        if self.anonymous:
            return ANONYMOUS
        raise Unauthenticated("no credentials and anonymous authentication is disabled")

    def authenticate_token(self, token: str) -> UserInfo | None:
        """A bare token, as TokenReview asks: the user, None if no token authenticator
        knows it; Unauthenticated if one refused it."""
        user = self.tokens.authenticate_token(token)
        return with_authenticated_group(user) if user is not None else None
