"""--token-auth-file in Kubernetes' CSV format."""

from __future__ import annotations

from pathlib import Path

import pytest

from tugboat.apiserver.auth.tokenfile import (
    TokenFileAuthenticator,
    TokenFileError,
    parse_token_file,
)
from tugboat.apiserver.auth.user import UserInfo


def test_columns_are_token_user_uid_and_quoted_groups() -> None:
    tokens = parse_token_file('t1,alice,u1,"dev,ops"\nt2,bob,u2\nt3,carol,u3,solo,ignored\n')
    assert tokens == {"t1": UserInfo("alice", "u1", ("dev", "ops")),
                      "t2": UserInfo("bob", "u2"),
                      "t3": UserInfo("carol", "u3", ("solo",))}


def test_fewer_than_three_columns_is_an_error() -> None:
    with pytest.raises(TokenFileError, match="at least 3 columns"):
        parse_token_file("t1,alice\n", "tokens.csv")


def test_an_empty_token_is_skipped_and_a_duplicate_wins_last() -> None:
    tokens = parse_token_file(",nobody,u0\nt1,first,u1\nt1,second,u2\n")
    assert tokens == {"t1": UserInfo("second", "u2")}


def test_authenticates_known_tokens_only(tmp_path: Path) -> None:
    path = tmp_path / "tokens.csv"
    path.write_text("secret-token,admin,1,system:masters\n")
    authn = TokenFileAuthenticator.from_file(path)
    assert authn.authenticate_token("secret-token") == UserInfo("admin", "1", ("system:masters",))
    assert authn.authenticate_token("other") is None


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(TokenFileError, match="cannot read token file"):
        TokenFileAuthenticator.from_file(tmp_path / "absent.csv")
