"""The request-body limit as an ASGI middleware: a declared length over the limit is
refused before the app runs, a streamed body fails the read that passes the limit, and
bodies within it reach the app whole."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from tugboat.apiserver import errors
from tugboat.apiserver.requestbody import BodyTooLarge, RequestBodyLimit, declared_length

Message = dict[str, Any]
CHUNKED = [(b"transfer-encoding", b"chunked")]


def scope(headers: list[tuple[bytes, bytes]]) -> dict[str, Any]:
    return {"type": "http", "method": "POST", "path": "/", "headers": headers}


class Reader:
    """An app that reads the whole body, as a handler's `request.body()` does, and answers
    with the number of bytes it got — or the error the read raised."""

    def __init__(self) -> None:
        self.calls = 0
        self.got = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.calls += 1
        try:
            while True:
                msg = await receive()
                self.got += len(msg.get("body", b""))
                if not msg.get("more_body"):
                    break
        except errors.ApiError as e:
            await send({"type": "http.response.start", "status": e.code, "headers": []})
            await send({"type": "http.response.body", "body": orjson.dumps(e.wire())})
            return
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": str(self.got).encode()})


def chunks(n: int, size: int) -> Any:
    sent = 0

    async def receive() -> Message:
        nonlocal sent
        sent += 1
        return {"type": "http.request", "body": b"x" * size, "more_body": sent < n}
    return receive


async def run(app: Any, sc: dict[str, Any], receive: Any) -> list[Message]:
    out: list[Message] = []

    async def send(msg: Message) -> None:
        out.append(msg)
    await app(sc, receive, send)
    return out


@pytest.mark.anyio
async def test_a_declared_length_over_the_limit_is_refused_before_the_app_runs() -> None:
    inner = Reader()
    out = await run(RequestBodyLimit(inner, limit=100),
                    scope([(b"content-length", b"300000000")]), chunks(1, 0))
    assert inner.calls == 0
    assert out[0]["status"] == 413
    st = orjson.loads(out[1]["body"])
    assert st["reason"] == "RequestEntityTooLarge"
    assert st["message"] == "Request entity too large: limit is 100"


@pytest.mark.anyio
async def test_a_streamed_body_fails_the_read_that_passes_the_limit() -> None:
    inner = Reader()
    out = await run(RequestBodyLimit(inner, limit=100), scope(CHUNKED), chunks(1000, 30))
    assert out[0]["status"] == 413
    assert inner.got == 90  # three chunks read; the fourth passed the limit and was refused


@pytest.mark.anyio
async def test_a_body_within_the_limit_reaches_the_app_whole() -> None:
    inner = Reader()
    out = await run(RequestBodyLimit(inner, limit=100),
                    scope([(b"content-length", b"100")]), chunks(4, 25))
    assert out[0]["status"] == 200 and out[1]["body"] == b"100"


@pytest.mark.anyio
async def test_an_app_that_does_not_catch_the_error_still_answers_413() -> None:
    async def careless(scope: Any, receive: Any, send: Any) -> None:
        while (await receive()).get("more_body"):
            pass
    out = await run(RequestBodyLimit(careless, limit=10), scope(CHUNKED), chunks(5, 5))
    assert out[0]["status"] == 413


@pytest.mark.parametrize(("headers", "want"), [
    ([], 0), ([(b"content-length", b"12")], 12), (CHUNKED, None),
    ([(b"host", b"x"), (b"content-length", b"x")], None),
])
def test_declared_length(headers: list[tuple[bytes, bytes]], want: int | None) -> None:
    assert declared_length(scope(headers)) == want


def test_body_too_large_is_an_api_error() -> None:
    err = BodyTooLarge(3145728)
    assert isinstance(err, errors.ApiError)
    assert (err.code, err.message) == (413, "Request entity too large: limit is 3145728")
