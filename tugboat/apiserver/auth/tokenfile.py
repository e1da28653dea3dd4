"""Static bearer tokens from --token-auth-file, in Kubernetes' CSV format:

    token,user,uid,"group1,group2"

at least three columns; the fourth (optional) is a comma-separated group list; further
columns are ignored. The file is read once at start, as kube-apiserver does."""

from __future__ import annotations

import csv
import logging
from pathlib import Path

from tugboat.apiserver.auth.user import UserInfo

log = logging.getLogger(__name__)


class TokenFileError(ValueError):
    """The token file cannot be used; the message is one line for the operator."""


def parse_token_file(text: str, path: str = "token file") -> dict[str, UserInfo]:
    tokens: dict[str, UserInfo] = {}
    for number, record in enumerate(csv.reader(text.splitlines()), start=1):
        if not record:
            continue
        if len(record) < 3:
            raise TokenFileError(f"token file '{path}' must have at least 3 columns (token, "
                                 f"user name, unique user id), found {len(record)}")
        token, name, uid = record[0], record[1], record[2]
        if not token:
            log.warning("empty token has been found in token file '%s', record number '%d'",
                        path, number)
            continue
        if token in tokens:
            log.warning("duplicate token has been found in token file '%s', record number "
                        "'%d'", path, number)
        groups = tuple(record[3].split(",")) if len(record) >= 4 and record[3] else ()
        tokens[token] = UserInfo(name, uid=uid, groups=groups)
    return tokens


class TokenFileAuthenticator:
    """A TokenAuthenticator: a token in the file is that user, any other is not ours."""

    def __init__(self, tokens: dict[str, UserInfo]):
        self._tokens = tokens

    @classmethod
    def from_file(cls, path: str | Path) -> TokenFileAuthenticator:
        try:
            text = Path(path).read_text()
        except OSError as e:
            raise TokenFileError(f"cannot read token file '{path}': {e.strerror}") from None
        return cls(parse_token_file(text, str(path)))

    def authenticate_token(self, token: str) -> UserInfo | None:
        return self._tokens.get(token)
