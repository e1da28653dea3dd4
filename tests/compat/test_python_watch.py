"""Watches through the official Python client's `watch.Watch().stream`: events for changes
made while watching, the initial state when no resourceVersion is given, resuming from a
resourceVersion, selectors, timeouts, and 410 Expired for a resourceVersion older than the
watch cache (COMPAT.md §5, §12)."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from kubernetes import client, watch
from kubernetes.client.exceptions import ApiException

from tests.compat.conftest import Rest, pod_manifest
from tests.support.processes import ApiServerProcess

Event = dict[str, Any]
WATCH_SECONDS = 15  # the server ends each stream by then: the tests' deadline


def pod(name: str, labels: dict[str, str] | None = None) -> client.V1Pod:
    return client.V1Pod(
        metadata=client.V1ObjectMeta(name=name, labels=labels),
        spec=client.V1PodSpec(containers=[client.V1Container(name="main", image="nginx:1.25")]))


def summary(events: list[Event]) -> list[tuple[str, str]]:
    return [(e["type"], e["object"].metadata.name) for e in events]


def collect(stream: Iterator[Event], w: watch.Watch, done: Callable[[list[Event]], bool]
            ) -> list[Event]:
    """Gather events until `done` holds (or the server ends the stream at its timeout)."""
    events: list[Event] = []
    for e in stream:
        events.append(e)
        if done(events):
            w.stop()
            break
    return events


@pytest.fixture
def background() -> Iterator[Callable[[Callable[[], Any]], Future]]:
    """Run a function on another thread while the test reads a watch; its errors surface
    when the test asks for the result."""
    with ThreadPoolExecutor(1) as pool:
        yield lambda fn: pool.submit(fn)


def test_watch_sees_changes_made_meanwhile(core: client.CoreV1Api, ns: str,
                                           background: Callable) -> None:
    start = core.list_namespaced_pod(ns).metadata.resource_version

    def changes() -> None:
        core.create_namespaced_pod(ns, pod("web"))
        core.patch_namespaced_pod("web", ns, {"metadata": {"labels": {"v": "2"}}})
        core.delete_namespaced_pod("web", ns)

    w = watch.Watch()
    stream = w.stream(core.list_namespaced_pod, ns, resource_version=start,
                      timeout_seconds=WATCH_SECONDS)
    job = background(changes)
    events = collect(stream, w, lambda ev: ev[-1]["type"] == "DELETED")
    job.result()
    assert summary(events) == [("ADDED", "web"), ("MODIFIED", "web"), ("DELETED", "web")]
    assert all(isinstance(e["object"], client.V1Pod) for e in events)
    assert events[1]["object"].metadata.labels == {"v": "2"}
    rvs = [int(e["object"].metadata.resource_version) for e in events]
    assert rvs == sorted(rvs) and len(set(rvs)) == 3 and rvs[0] > int(start)


def test_watch_without_resource_version_starts_with_current_state(
        core: client.CoreV1Api, ns: str, background: Callable) -> None:
    core.create_namespaced_pod(ns, pod("a"))
    core.create_namespaced_pod(ns, pod("b"))
    w = watch.Watch()
    stream = w.stream(core.list_namespaced_pod, ns, timeout_seconds=WATCH_SECONDS)
    first = collect(stream, w, lambda ev: len(ev) == 2)
    assert sorted(summary(first)) == [("ADDED", "a"), ("ADDED", "b")]

    w = watch.Watch()
    stream = w.stream(core.list_namespaced_pod, ns, timeout_seconds=WATCH_SECONDS)
    job = background(lambda: core.patch_namespaced_pod("a", ns, {"metadata": {
        "labels": {"x": "1"}}}))
    events = collect(stream, w, lambda ev: ev[-1]["type"] == "MODIFIED")
    job.result()
    assert sorted(summary(events[:2])) == [("ADDED", "a"), ("ADDED", "b")]
    assert summary(events[2:]) == [("MODIFIED", "a")]


def test_watch_resumes_from_resource_version(core: client.CoreV1Api, ns: str) -> None:
    core.create_namespaced_pod(ns, pod("a"))
    mark = core.patch_namespaced_pod("a", ns, {"metadata": {"labels": {"v": "1"}}})
    core.create_namespaced_pod(ns, pod("b"))
    core.patch_namespaced_pod("a", ns, {"metadata": {"labels": {"v": "2"}}})
    core.delete_namespaced_pod("b", ns)

    w = watch.Watch()
    stream = w.stream(core.list_namespaced_pod, ns,
                      resource_version=mark.metadata.resource_version,
                      timeout_seconds=WATCH_SECONDS)
    events = collect(stream, w, lambda ev: len(ev) == 3)
    assert summary(events) == [("ADDED", "b"), ("MODIFIED", "a"), ("DELETED", "b")]
    assert events[1]["object"].metadata.labels == {"v": "2"}


def test_watch_with_label_selector(core: client.CoreV1Api, ns: str) -> None:
    start = core.list_namespaced_pod(ns).metadata.resource_version
    core.create_namespaced_pod(ns, pod("x1", {"app": "x"}))
    core.create_namespaced_pod(ns, pod("y1", {"app": "y"}))
    core.patch_namespaced_pod("x1", ns, {"metadata": {"labels": {"app": "y"}}})  # leaves
    core.patch_namespaced_pod("y1", ns, {"metadata": {"labels": {"app": "x"}}})  # enters
    core.patch_namespaced_pod("y1", ns, {"metadata": {"labels": {"v": "2"}}})
    core.delete_namespaced_pod("y1", ns)

    w = watch.Watch()
    stream = w.stream(core.list_namespaced_pod, ns, label_selector="app=x",
                      resource_version=start, timeout_seconds=WATCH_SECONDS)
    events = collect(stream, w, lambda ev: len(ev) == 5)
    assert summary(events) == [("ADDED", "x1"), ("DELETED", "x1"), ("ADDED", "y1"),
                               ("MODIFIED", "y1"), ("DELETED", "y1")]


def test_watch_with_field_selector(core: client.CoreV1Api, ns: str) -> None:
    start = core.list_namespaced_pod(ns).metadata.resource_version
    for name in ("a", "b"):
        core.create_namespaced_pod(ns, pod(name))
        core.patch_namespaced_pod(name, ns, {"metadata": {"labels": {"v": "1"}}})
    w = watch.Watch()
    stream = w.stream(core.list_namespaced_pod, ns, field_selector="metadata.name=b",
                      resource_version=start, timeout_seconds=WATCH_SECONDS)
    events = collect(stream, w, lambda ev: len(ev) == 2)
    assert summary(events) == [("ADDED", "b"), ("MODIFIED", "b")]


def test_watch_all_namespaces(core: client.CoreV1Api, ns: str, rest: Rest) -> None:
    start = core.list_pod_for_all_namespaces().metadata.resource_version
    rest.create(f"/api/v1/namespaces/{ns}/pods", pod_manifest("web"))
    w = watch.Watch()
    stream = w.stream(core.list_pod_for_all_namespaces, resource_version=start,
                      field_selector=f"metadata.namespace={ns}", timeout_seconds=WATCH_SECONDS)
    events = collect(stream, w, lambda ev: True)
    assert summary(events) == [("ADDED", "web")]
    assert events[0]["object"].metadata.namespace == ns


def test_watch_ends_at_timeout_seconds(core: client.CoreV1Api, ns: str) -> None:
    t0 = time.monotonic()
    events = list(watch.Watch().stream(core.list_namespaced_pod, ns, timeout_seconds=1))
    assert events == []
    assert time.monotonic() - t0 < 10


def test_watch_other_kinds(api_client: client.ApiClient, ns: str, background: Callable) -> None:
    core = client.CoreV1Api(api_client)
    start = core.list_namespaced_config_map(ns).metadata.resource_version
    w = watch.Watch()
    stream = w.stream(core.list_namespaced_config_map, ns, resource_version=start,
                      timeout_seconds=WATCH_SECONDS)
    job = background(lambda: core.create_namespaced_config_map(ns, client.V1ConfigMap(
        metadata=client.V1ObjectMeta(name="cfg"), data={"k": "v"})))
    events = collect(stream, w, lambda ev: True)
    job.result()
    assert events[0]["type"] == "ADDED"
    assert isinstance(events[0]["object"], client.V1ConfigMap)
    assert events[0]["object"].data == {"k": "v"}


# -- 410 Expired ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def restarted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ApiServerProcess,
                                                                          int]]:
    """A server restarted on its own data: its watch cache begins at the revision it found,
    so every older resourceVersion is too old to watch from. Yields (server, the last
    revision before the restart)."""
    srv = ApiServerProcess(tmp_path_factory.mktemp("restarted"))
    srv.start()
    try:
        with httpx.Client(base_url=srv.url, timeout=10) as http:
            for i in range(5):
                r = http.post("/api/v1/namespaces/default/pods", json=pod_manifest(f"p{i}"))
                assert r.status_code == 201, r.text
            before = int(http.get("/api/v1/namespaces/default/pods").json()[
                "metadata"]["resourceVersion"])
        srv.stop()
        srv.start()
        yield srv, before
    finally:
        srv.stop()


@pytest.fixture
def restarted_core(restarted: tuple[ApiServerProcess, int]) -> Iterator[client.CoreV1Api]:
    c = client.ApiClient(client.Configuration(host=restarted[0].url))
    yield client.CoreV1Api(c)
    c.close()


def test_expired_resource_version_raises_410(restarted: tuple[ApiServerProcess, int],
                                             restarted_core: client.CoreV1Api) -> None:
    _, before = restarted
    old = str(before - 3)
    with pytest.raises(ApiException) as info:
        list(watch.Watch().stream(restarted_core.list_namespaced_pod, "default",
                                  resource_version=old, timeout_seconds=WATCH_SECONDS))
    assert info.value.status == 410
    assert "Expired" in str(info.value.reason)


def test_expired_resource_version_without_timeout_raises_after_one_retry(
        restarted: tuple[ApiServerProcess, int], restarted_core: client.CoreV1Api) -> None:
    with pytest.raises(ApiException) as info:
        for _ in watch.Watch().stream(restarted_core.list_namespaced_pod, "default",
                                      resource_version="1"):
            pass
    assert info.value.status == 410


def test_expired_watch_is_an_error_event(restarted: tuple[ApiServerProcess, int]) -> None:
    srv, before = restarted
    with httpx.Client(base_url=srv.url, timeout=10) as http:
        with http.stream("GET", "/api/v1/namespaces/default/pods", params={
                "watch": "true", "resourceVersion": str(before - 3)}) as r:
            assert r.status_code == 200
            assert r.headers["content-type"].startswith("application/json")
            line = next(r.iter_lines())
    event = json.loads(line)
    assert event["type"] == "ERROR"
    status = event["object"]
    assert (status["kind"], status["apiVersion"]) == ("Status", "v1")
    assert (status["status"], status["code"], status["reason"]) == ("Failure", 410, "Expired")
    assert status["message"]


def test_after_410_list_then_watch_recovers(restarted: tuple[ApiServerProcess, int],
                                            restarted_core: client.CoreV1Api,
                                            background: Callable) -> None:
    """The recovery Kubernetes asks of clients: list again, watch from the list's RV."""
    core = restarted_core
    listed = core.list_namespaced_pod("default")
    assert {p.metadata.name for p in listed.items} >= {f"p{i}" for i in range(5)}
    assert int(listed.metadata.resource_version) >= restarted[1]
    w = watch.Watch()
    stream = w.stream(core.list_namespaced_pod, "default",
                      resource_version=listed.metadata.resource_version,
                      timeout_seconds=WATCH_SECONDS)
    name = f"late-{uuid.uuid4().hex[:8]}"
    job = background(lambda: core.create_namespaced_pod("default", pod(name)))
    events = collect(stream, w, lambda ev: True)
    job.result()
    assert summary(events) == [("ADDED", name)]


def test_resource_versions_survive_restart(restarted: tuple[ApiServerProcess, int],
                                           restarted_core: client.CoreV1Api) -> None:
    """Revisions come from the store, so they keep growing across restarts."""
    created = restarted_core.create_namespaced_pod("default", pod(f"after-{uuid.uuid4().hex[:8]}"))
    assert int(created.metadata.resource_version) > restarted[1]


def test_watch_from_current_revision_after_restart_is_not_expired(
        restarted: tuple[ApiServerProcess, int], restarted_core: client.CoreV1Api) -> None:
    rv = restarted_core.list_namespaced_pod("default").metadata.resource_version
    events = list(watch.Watch().stream(restarted_core.list_namespaced_pod, "default",
                                       resource_version=rv, timeout_seconds=1))
    assert events == []
