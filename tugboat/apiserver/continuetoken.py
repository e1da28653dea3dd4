"""List continue tokens: a paginated list is one snapshot, so the token names the
revision the first page was read at and the last key served; Kubernetes' are opaque to
clients the same way (base64 of a small JSON document)."""

from __future__ import annotations

import base64

import orjson

from tugboat.apiserver import errors


def encode_continue(rev: int, key: str) -> str:
    return base64.urlsafe_b64encode(orjson.dumps({"rv": rev, "start": key})).decode()


def decode_continue(token: str) -> tuple[int, str]:
    try:
        d = orjson.loads(base64.urlsafe_b64decode(token.encode()))
        return int(d["rv"]), str(d["start"])
    except Exception:
        raise errors.bad_request("continue key is not valid: invalid encoding") from None
