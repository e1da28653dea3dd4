"""The handlers registered outside the registry keep Kubernetes' type meta rules: a body of
another kind is a 400, and the answer carries the endpoint's apiVersion and kind, not
whatever the client sent (a TokenRequest answered `kind: NaN` before)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tugboat.api.resources import lookup
from tugboat.apiserver import errors, reststorage

SERVICEACCOUNTS = lookup("", "v1", "serviceaccounts")


def _call(body: dict[str, Any]) -> reststorage.Call:
    return reststorage.Call(None, SERVICEACCOUNTS, "ns", "sa", "token", body,  # type: ignore[arg-type]
                            None, None, None)  # type: ignore[arg-type]


@pytest.fixture
def echo(monkeypatch: pytest.MonkeyPatch) -> reststorage.Handler:
    key = ("", "serviceaccounts", "echo")
    monkeypatch.setitem(reststorage.SUBRESOURCE_KINDS, key,
                        ("authentication.k8s.io/v1", "TokenRequest"))
    monkeypatch.setattr(reststorage, "SUBRESOURCE_CREATES", {})

    async def handler(call: reststorage.Call) -> tuple[dict[str, Any], int]:
        return dict(call.body), 201

    reststorage.subresource_handler(*key)(handler)
    return reststorage.SUBRESOURCE_CREATES[key]


def test_the_answer_has_the_endpoints_type_meta(echo: reststorage.Handler) -> None:
    obj, code = asyncio.run(echo(_call({"spec": {}})))
    assert (obj["apiVersion"], obj["kind"], code) == ("authentication.k8s.io/v1",
                                                      "TokenRequest", 201)


@pytest.mark.parametrize("body", [{"kind": "NaN"}, {"apiVersion": "v1"},
                                  {"kind": float("nan")}])
def test_a_body_of_another_kind_is_400(echo: reststorage.Handler, body: dict[str, Any]) -> None:
    with pytest.raises(errors.ApiError) as e:
        asyncio.run(echo(_call(body)))
    assert e.value.code == 400
