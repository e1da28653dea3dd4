"""EventRecorder: the Event it posts, aggregation of repeats, and never raising."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
import pytest

from tugboat.client import ApiClient, EventRecorder

pytestmark = pytest.mark.anyio

POD = {"apiVersion": "v1", "kind": "Pod",
       "metadata": {"name": "web", "namespace": "prod", "uid": "u-1", "resourceVersion": "5"}}


class EventsApi:
    """Answers event creates and patches; `missing` makes patches 404."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, Any]] = []
        self.missing = False
        self.down = False

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("refused")
        body = orjson.loads(request.content)
        self.requests.append((request.method, request.url.path, body))
        if request.method == "PATCH" and self.missing:
            return httpx.Response(404, json={"kind": "Status", "code": 404, "reason": "NotFound"})
        return httpx.Response(201 if request.method == "POST" else 200, json=body)


@pytest.fixture
def api() -> EventsApi:
    return EventsApi()


@pytest.fixture
def recorder(api: EventsApi) -> EventRecorder:
    client = ApiClient("http://api.test", transport=httpx.MockTransport(api))
    return EventRecorder(client, "tug-scheduler", host="cp-1")


async def test_posts_core_v1_event(api: EventsApi, recorder: EventRecorder) -> None:
    written = await recorder.event(POD, "Normal", "Scheduled", "assigned prod/web to n1")
    method, path, body = api.requests[0]
    assert (method, path) == ("POST", "/api/v1/namespaces/prod/events")
    assert written == body
    assert body["metadata"]["name"].startswith("web.")
    assert body["involvedObject"] == {"apiVersion": "v1", "kind": "Pod", "namespace": "prod",
                                      "name": "web", "uid": "u-1", "resourceVersion": "5"}
    assert (body["type"], body["reason"], body["message"]) == (
        "Normal", "Scheduled", "assigned prod/web to n1")
    assert body["source"] == {"component": "tug-scheduler", "host": "cp-1"}
    assert body["count"] == 1
    assert body["firstTimestamp"] == body["lastTimestamp"]


async def test_repeats_are_aggregated(api: EventsApi, recorder: EventRecorder) -> None:
    await recorder.event(POD, "Warning", "BackOff", "restarting")
    await recorder.event(POD, "Warning", "BackOff", "restarting")
    await recorder.event(POD, "Warning", "BackOff", "restarting")
    assert [r[0] for r in api.requests] == ["POST", "PATCH", "PATCH"]
    name = api.requests[0][2]["metadata"]["name"]
    assert api.requests[2][1] == f"/api/v1/namespaces/prod/events/{name}"
    assert api.requests[2][2]["count"] == 3
    await recorder.event(POD, "Warning", "BackOff", "something else")
    assert api.requests[-1][0] == "POST"


async def test_vanished_event_is_created_again(api: EventsApi, recorder: EventRecorder) -> None:
    await recorder.event(POD, "Normal", "Pulled", "pulled")
    api.missing = True
    await recorder.event(POD, "Normal", "Pulled", "pulled")
    assert [r[0] for r in api.requests] == ["POST", "PATCH", "POST"]
    assert api.requests[-1][2]["count"] == 1


async def test_cluster_scoped_objects_use_default_namespace(
        api: EventsApi, recorder: EventRecorder) -> None:
    node = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1", "uid": "u-n"}}
    await recorder.event(node, "Normal", "NodeReady", "ready")
    assert api.requests[0][1] == "/api/v1/namespaces/default/events"
    assert "namespace" not in api.requests[0][2]["involvedObject"]


async def test_failures_are_swallowed(api: EventsApi, recorder: EventRecorder) -> None:
    api.down = True
    assert await recorder.event(POD, "Normal", "Scheduled", "x") is None
