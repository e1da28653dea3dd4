"""The authenticator chain: first recognising authenticator wins, users gain
system:authenticated, a refused credential is 401 (never anonymous), no credential is
anonymous unless anonymous auth is off."""

from __future__ import annotations

from typing import Any

import pytest

from tugboat.apiserver.auth.authenticator import AuthRequest, Unauthenticated
from tugboat.apiserver.auth.union import Authenticator
from tugboat.apiserver.auth.user import ANONYMOUS, UserInfo


class Tokens:
    def __init__(self, known: dict[str, UserInfo], refused: tuple[str, ...] = ()):
        self.known, self.refused = known, refused

    def authenticate_token(self, token: str) -> UserInfo | None:
        if token in self.refused:
            raise Unauthenticated("token has expired")
        return self.known.get(token)


class Certs:
    def authenticate(self, req: AuthRequest) -> UserInfo | None:
        return UserInfo(req.peer_certificate) if req.peer_certificate else None


def req(token: str | None = None, cert: Any = None) -> AuthRequest:
    return AuthRequest(token, cert, {})


ALICE = UserInfo("alice", "1", ("dev",))


def chain(anonymous: bool = True) -> Authenticator:
    return Authenticator([Certs()], [Tokens({}, refused=("old",)), Tokens({"good": ALICE})],
                         anonymous=anonymous)


def test_a_known_token_is_its_user_plus_system_authenticated() -> None:
    assert chain().authenticate(req("good")) == UserInfo("alice", "1",
                                                         ("dev", "system:authenticated"))


def test_a_client_certificate_wins_over_a_bad_token() -> None:
    assert chain().authenticate(req("nonsense", cert="bob")).name == "bob"


def test_an_unknown_token_is_unauthorized_not_anonymous() -> None:
    with pytest.raises(Unauthenticated, match="invalid bearer token"):
        chain().authenticate(req("nonsense"))


def test_a_token_refused_by_one_authenticator_is_reported() -> None:
    with pytest.raises(Unauthenticated, match="expired"):
        chain().authenticate(req("old"))


def test_no_credentials_is_anonymous() -> None:
    assert chain().authenticate(req()) == ANONYMOUS


def test_no_credentials_without_anonymous_auth_is_unauthorized() -> None:
    with pytest.raises(Unauthenticated):
        chain(anonymous=False).authenticate(req())


def test_groups_already_saying_authenticated_are_kept_as_they_are() -> None:
    user = UserInfo("x", groups=("system:authenticated", "g"))
    authn = Authenticator([], [Tokens({"t": user})])
    assert authn.authenticate(req("t")) == user


def test_token_review_asks_the_token_authenticators_only() -> None:
    authn = chain()
    assert authn.authenticate_token("good").groups == ("dev", "system:authenticated")
    assert authn.authenticate_token("nonsense") is None
    with pytest.raises(Unauthenticated):
        authn.authenticate_token("old")
