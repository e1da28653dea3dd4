"""Server warnings: the Warning header's RFC 7234 list parsed as client-go does, and the
CLI's writer printing each distinct text once as kubectl does."""

from __future__ import annotations

import io

import httpx

from tugboat.client.rest import SyncApiClient
from tugboat.client.warnings import WarningWriter, parse_warnings


def test_parse_warnings() -> None:
    assert parse_warnings('299 - "unknown field \\"spec.foo\\""') == ['unknown field "spec.foo"']
    assert parse_warnings('299 - "a, b", 299 - "c" "Mon, 07 Dec 2026 00:00:00 GMT"') == \
        ["a, b", "c"]
    assert parse_warnings('199 - "not a 299", 299 kube "kept"') == ["kept"]
    assert parse_warnings('299 - "fine", garbage') == ["fine"]
    assert parse_warnings("") == []


def test_the_writer_prints_each_text_once() -> None:
    out = io.StringIO()
    w = WarningWriter(out)
    for text in ("x", "y", "x"):
        w(text)
    assert out.getvalue() == "Warning: x\nWarning: y\n"


def test_the_client_hands_each_warning_to_its_handler() -> None:
    def reply(_req: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"kind": "Namespace", "apiVersion": "v1",
                                         "metadata": {"name": "default"}},
                              headers=[("Warning", '299 - "one"'), ("Warning", '299 - "two"')])

    seen: list[str] = []
    client = SyncApiClient("http://server.invalid", transport=httpx.MockTransport(reply),
                           warning_handler=seen.append)
    client.get("namespaces", "default")
    assert seen == ["one", "two"]
