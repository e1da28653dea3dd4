"""The discovery client: what it makes of /api, /apis and the APIResourceLists — built-in
resources as the table's rows, custom ones decodable without a model, one per group at
the preferred version — and when it reads the server again."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.support.clock import ManualClock
from tugboat.api import resources
from tugboat.client import ApiClient
from tugboat.client.discovery import DiscoveryClient

pytestmark = pytest.mark.anyio

VERBS = ["create", "delete", "get", "list", "patch", "update", "watch"]


def server(fail: list[bool], reads: list[str]) -> httpx.MockTransport:
    docs: dict[str, Any] = {
        "/api": {"kind": "APIVersions", "versions": ["v1"]},
        "/api/v1": {"resources": [
            {"name": "pods", "kind": "Pod", "namespaced": True, "verbs": VERBS},
            {"name": "pods/status", "kind": "Pod", "namespaced": True, "verbs": ["get"]}]},
        "/apis": {"groups": [{"name": "example.com", "versions": [
            {"groupVersion": "example.com/v1", "version": "v1"},
            {"groupVersion": "example.com/v1beta1", "version": "v1beta1"}],
            "preferredVersion": {"groupVersion": "example.com/v1", "version": "v1"}}]},
        "/apis/example.com/v1beta1": {"resources": [
            {"name": "gizmos", "kind": "Gizmo", "namespaced": True, "verbs": VERBS}]},
        "/apis/example.com/v1": {"resources": [
            {"name": "gizmos", "kind": "Gizmo", "namespaced": True, "verbs": VERBS},
            {"name": "dials", "kind": "Dial", "namespaced": False, "verbs": ["get", "list"]}]},
    }

    def handle(req: httpx.Request) -> httpx.Response:
        reads.append(req.url.path)
        if fail[0]:
            return httpx.Response(503, json={"kind": "Status", "code": 503})
        return httpx.Response(200, json=docs[req.url.path])

    return httpx.MockTransport(handle)


async def test_discovers_builtin_and_custom_resources() -> None:
    reads: list[str] = []
    async with ApiClient("http://k", transport=server([False], reads)) as client:
        d = DiscoveryClient(client)
        await d.refresh()
    pods = next(i for i in d.infos if i.resource == "pods")
    assert pods is resources.resolve("pods")  # the table's row, typed model and all
    assert "pods/status" not in {i.resource for i in d.infos}
    custom = d.custom()
    assert [(i.group, i.version, i.resource) for i in custom] == [
        ("example.com", "v1", "gizmos")]  # preferred version; dials cannot be deleted
    assert d.custom(namespaced=False) == []
    assert d.for_kind("example.com/v1beta1", "Gizmo").version == "v1beta1"
    obj = custom[0].model.model_validate({
        "apiVersion": "example.com/v1", "kind": "Gizmo",
        "metadata": {"name": "g", "namespace": "ns", "uid": "u1"}, "spec": {"any": 1}})
    assert obj.metadata.uid == "u1" and obj.wire()["spec"] == {"any": 1}
    assert custom[0].path("ns", "g") == "/apis/example.com/v1/namespaces/ns/gizmos/g"


async def test_reads_again_only_when_stale_and_keeps_the_last_good_answer() -> None:
    reads: list[str] = []
    fail = [False]
    clock = ManualClock()
    async with ApiClient("http://k", transport=server(fail, reads)) as client:
        d = DiscoveryClient(client, max_age=30, clock=clock)
        await d.refresh()
        first = len(reads)
        clock.advance(10)
        await d.refresh()
        assert len(reads) == first  # fresh enough: no request
        assert await d.resolve_kind("example.com/v1", "Nothing") is None
        assert len(reads) == 2 * first  # an unknown kind: read again at once...
        assert await d.resolve_kind("example.com/v1", "Nothing") is None
        assert len(reads) == 2 * first  # ...but at most every MISS_INTERVAL
        fail[0] = True
        clock.advance(60)
        infos = await d.refresh()
        assert {i.resource for i in infos} >= {"pods", "gizmos"}  # the server's 503 ignored
