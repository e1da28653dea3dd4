"""Watch streams over real chunked HTTP: the resourceVersion rules, selectors turning
objects leaving or entering the selection into DELETED / ADDED, bookmarks, timeoutSeconds,
Table events, and many concurrent watchers seeing every event in order."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest

from tests.integration.kube import (
    TABLE_ACCEPT,
    Watch,
    assert_status,
    bind,
    configmap,
    names,
    pod,
    rv,
)
from tests.support.processes import ApiServerProcess

Obj = dict[str, Any]
MERGE = {"Content-Type": "application/merge-patch+json"}


def relabel(client: httpx.Client, url: str, **labels: str | None) -> Obj:
    r = client.patch(url, content=json.dumps({"metadata": {"labels": labels}}).encode(),
                     headers=MERGE)
    assert r.status_code == 200, r.text
    return r.json()


def list_rv(client: httpx.Client, coll: str) -> str:
    return client.get(coll).json()["metadata"]["resourceVersion"]


@pytest.mark.parametrize("start", [None, "0"])
def test_watch_sends_current_objects_then_changes(client: httpx.Client, apiserver:
                                                  ApiServerProcess, ns: str,
                                                  start: str | None) -> None:
    coll = f"/api/v1/namespaces/{ns}/configmaps"
    for n in ("b", "a"):
        assert client.post(coll, json=configmap(n)).status_code == 201
    params = {"timeoutSeconds": "30"}
    if start is not None:
        params["resourceVersion"] = start
    with Watch(apiserver.url, coll, params) as w:
        assert w.status_code == 200
        assert w.response_headers["content-type"].startswith("application/json")
        assert names(w.wait_count(2)) == [("ADDED", "a"), ("ADDED", "b")]
        c = client.post(coll, json=configmap("c")).json()
        a = relabel(client, f"{coll}/a", x="1")
        assert client.delete(f"{coll}/b").json()["kind"] == "Status"  # gone at once
        evs = w.wait_count(5)
        assert names(evs) == [("ADDED", "a"), ("ADDED", "b"), ("ADDED", "c"),
                              ("MODIFIED", "a"), ("DELETED", "b")]
        assert evs[3]["object"]["metadata"]["labels"] == {"x": "1"}
        assert [rv(e["object"]) for e in evs[2:4]] == [rv(c), rv(a)]
        assert rv(evs[4]["object"]) > rv(a)  # the deletion's own revision
        assert evs[2]["object"]["kind"] == "ConfigMap"


def test_watch_from_resource_version_sends_only_later_changes(
        client: httpx.Client, apiserver: ApiServerProcess, ns: str) -> None:
    coll = f"/api/v1/namespaces/{ns}/configmaps"
    a = client.post(coll, json=configmap("a")).json()
    client.post(coll, json=configmap("b"))
    relabel(client, f"{coll}/a", step="1")
    with Watch(apiserver.url, coll, {"resourceVersion": a["metadata"]["resourceVersion"],
                                     "timeoutSeconds": "30"}) as w:
        evs = w.wait_count(2)
        assert names(evs) == [("ADDED", "b"), ("MODIFIED", "a")]

    # from the list's resourceVersion: nothing old, only what follows
    ver = list_rv(client, coll)
    with Watch(apiserver.url, coll, {"resourceVersion": ver, "timeoutSeconds": "30"}) as w:
        relabel(client, f"{coll}/b", step="2")
        client.post(coll, json=configmap("c"))
        evs = w.wait_count(2)
        assert names(evs) == [("MODIFIED", "b"), ("ADDED", "c")]
        assert all(rv(e["object"]) > int(ver) for e in evs)


def test_watch_with_invalid_resource_version(client: httpx.Client, ns: str) -> None:
    r = client.get(f"/api/v1/namespaces/{ns}/pods",
                   params={"watch": "true", "resourceVersion": "abc"})
    assert_status(r, 400, "BadRequest")


def test_label_selector_watch_turns_leaving_into_deleted(
        client: httpx.Client, apiserver: ApiServerProcess, ns: str) -> None:
    coll = f"/api/v1/namespaces/{ns}/configmaps"
    client.post(coll, json=configmap("x", labels={"sel": "in"}))
    client.post(coll, json=configmap("outside", labels={"sel": "out"}))
    with Watch(apiserver.url, coll, {"labelSelector": "sel=in", "timeoutSeconds": "30"}) as w:
        assert names(w.wait_count(1)) == [("ADDED", "x")]
        relabel(client, f"{coll}/x", sel="out")           # leaves: DELETED
        relabel(client, f"{coll}/outside", extra="1")     # never in: nothing
        relabel(client, f"{coll}/x", sel="in")            # enters: ADDED
        relabel(client, f"{coll}/x", more="1")            # stays: MODIFIED
        client.post(coll, json=configmap("other", labels={"sel": "out"}))  # nothing
        client.post(coll, json=configmap("y", labels={"sel": "in"}))       # ADDED
        client.delete(f"{coll}/outside")                  # nothing
        client.delete(f"{coll}/y")                        # DELETED
        evs = w.wait_count(6)  # y's DELETED is last: anything unwanted would come before
        assert names(evs) == [("ADDED", "x"), ("DELETED", "x"), ("ADDED", "x"),
                              ("MODIFIED", "x"), ("ADDED", "y"), ("DELETED", "y")]
        # the DELETED for an object leaving the selection carries its new state
        assert evs[1]["object"]["metadata"]["labels"]["sel"] == "out"


def test_field_selector_watch_on_node_name(client: httpx.Client, apiserver: ApiServerProcess,
                                           ns: str) -> None:
    pods = f"/api/v1/namespaces/{ns}/pods"
    node = f"node-{ns[-6:]}"
    with Watch(apiserver.url, "/api/v1/pods", {"fieldSelector": f"spec.nodeName={node}",
                                               "timeoutSeconds": "30"}) as w:
        client.post(pods, json=pod("p"))
        client.post(pods, json=pod("q"))
        assert bind(client, ns, "q", "elsewhere").status_code == 201  # nothing
        assert bind(client, ns, "p", node).status_code == 201         # ADDED
        client.delete(f"{pods}/p")                                    # MODIFIED (graceful)
        client.delete(f"{pods}/p", params={"gracePeriodSeconds": "0"})  # DELETED
        evs = w.wait_count(3)
        assert names(evs) == [("ADDED", "p"), ("MODIFIED", "p"), ("DELETED", "p")]
        assert evs[0]["object"]["spec"]["nodeName"] == node
        assert evs[1]["object"]["metadata"]["deletionTimestamp"]


def test_kubectl_delete_wait_watch(client: httpx.Client, apiserver: ApiServerProcess,
                                   ns: str) -> None:
    """kubectl's wait after a graceful delete (COMPAT §7): list by name, then watch by name
    from the list's resourceVersion until DELETED."""
    pods = f"/api/v1/namespaces/{ns}/pods"
    client.post(pods, json=pod("nginx"))
    client.post(pods, json=pod("other"))
    bind(client, ns, "nginx")
    assert client.delete(f"{pods}/nginx").status_code == 200
    lst = client.get(pods, params={"fieldSelector": "metadata.name=nginx", "limit": "500",
                                   "resourceVersion": "0"}).json()
    assert [i["metadata"]["name"] for i in lst["items"]] == ["nginx"]
    with Watch(apiserver.url, pods, {"allowWatchBookmarks": "true",
                                     "fieldSelector": "metadata.name=nginx",
                                     "resourceVersion": lst["metadata"]["resourceVersion"],
                                     "timeoutSeconds": "30"}) as w:
        client.delete(f"{pods}/other")
        client.delete(f"{pods}/nginx", params={"gracePeriodSeconds": "0"})
        evs = w.wait(lambda e: any(x["type"] == "DELETED" for x in e))
        assert [n for n in names(evs) if n[0] != "BOOKMARK"] == [("DELETED", "nginx")]


def test_timeout_seconds_closes_the_stream(client: httpx.Client, apiserver: ApiServerProcess,
                                           ns: str) -> None:
    t0 = time.monotonic()
    w = Watch(apiserver.url, f"/api/v1/namespaces/{ns}/pods", {"timeoutSeconds": "1"})
    try:
        w.wait_ended(10)
        assert w.error is None, w.error
        assert w.ended_at is not None
        assert 0.9 <= w.ended_at - t0 < 6, w.ended_at - t0
        assert w.events == []
    finally:
        w.close()


def test_bookmarks_only_when_asked(client: httpx.Client, apiserver: ApiServerProcess,
                                   ns: str) -> None:
    coll = f"/api/v1/namespaces/{ns}/pods"
    client.post(coll, json=pod("x"))
    ver = list_rv(client, coll)
    with Watch(apiserver.url, coll, {"allowWatchBookmarks": "true", "timeoutSeconds": "7",
                                     "resourceVersion": ver}) as asked, \
            Watch(apiserver.url, coll, {"timeoutSeconds": "7", "resourceVersion": ver}) as plain:
        evs = asked.wait(lambda e: any(x["type"] == "BOOKMARK" for x in e), timeout=10,
                         what="a BOOKMARK")
        bm = next(e for e in evs if e["type"] == "BOOKMARK")["object"]
        assert bm["kind"] == "Pod" and bm["apiVersion"] == "v1"
        assert bm["metadata"]["resourceVersion"].isdigit()
        assert int(bm["metadata"]["resourceVersion"]) >= int(ver)
        asked.wait_ended(10)
        plain.wait_ended(10)
        assert plain.error is None and asked.error is None
        assert plain.events == []
        assert {e["type"] for e in asked.events} == {"BOOKMARK"}


def test_table_watch_gives_one_row_tables(client: httpx.Client, apiserver: ApiServerProcess,
                                          ns: str) -> None:
    coll = f"/api/v1/namespaces/{ns}/pods"
    client.post(coll, json=pod("first"))
    with Watch(apiserver.url, coll, {"timeoutSeconds": "30"},
               headers={"Accept": TABLE_ACCEPT}) as w:
        client.post(coll, json=pod("second"))
        relabel(client, f"{coll}/first", x="y")
        evs = w.wait_count(3)
    assert [e["type"] for e in evs] == ["ADDED", "ADDED", "MODIFIED"]
    for e, want in zip(evs, ["first", "second", "first"], strict=True):
        t = e["object"]
        assert t["kind"] == "Table" and t["apiVersion"] == "meta.k8s.io/v1", t
        assert t["columnDefinitions"] and t["columnDefinitions"][0]["name"] == "Name"
        assert len(t["rows"]) == 1
        assert t["rows"][0]["cells"][0] == want
        assert len(t["rows"][0]["cells"]) == len(t["columnDefinitions"])
        assert t["rows"][0]["object"]["metadata"]["name"] == want
        assert t["metadata"]["resourceVersion"].isdigit()


def test_many_concurrent_watchers_see_every_event_in_order(
        client: httpx.Client, apiserver: ApiServerProcess, ns: str) -> None:
    coll = f"/api/v1/namespaces/{ns}/configmaps"
    ver = list_rv(client, coll)
    watchers = [Watch(apiserver.url, coll, {"resourceVersion": ver, "timeoutSeconds": "60"})
                for _ in range(20)]
    try:
        expected: list[tuple[str, str, int | None]] = []  # None: a deletion's revision,
        for i in range(25):                                 # which its Status doesn't carry
            o = client.post(coll, json=configmap(f"cm-{i:02d}")).json()
            expected.append(("ADDED", f"cm-{i:02d}", rv(o)))
            if i % 5 == 4:
                o = relabel(client, f"{coll}/cm-{i - 2:02d}", touched="yes")
                expected.append(("MODIFIED", f"cm-{i - 2:02d}", rv(o)))
                assert client.delete(f"{coll}/cm-{i - 4:02d}").status_code == 200
                expected.append(("DELETED", f"cm-{i - 4:02d}", None))
        for w in watchers:
            evs = w.wait_count(len(expected), timeout=20)
            got = [(e["type"], e["object"]["metadata"]["name"], rv(e["object"])) for e in evs]
            assert [(t, n, r if want is not None else None)
                    for (t, n, r), (_, _, want) in zip(got, expected, strict=True)] == expected
            assert [r for _, _, r in got] == sorted(r for _, _, r in got)
    finally:
        for w in watchers:
            w.close()


def test_watch_param_spellings(client: httpx.Client, apiserver: ApiServerProcess,
                               ns: str) -> None:
    """The Python client sends watch=True (v31) or watch=true; kubectl watch=true."""
    coll = f"/api/v1/namespaces/{ns}/configmaps"
    client.post(coll, json=configmap("one"))
    for spelling in ("1", "True", "true"):
        with client.stream("GET", coll, params={"watch": spelling, "timeoutSeconds": "1"}) as r:
            assert r.status_code == 200
            lines = [json.loads(x) for x in r.iter_lines() if x.strip()]
        assert names(lines) == [("ADDED", "one")], spelling


def test_watch_sees_finalized_removal_and_stays_in_its_namespace(
        client: httpx.Client, apiserver: ApiServerProcess, ns: str) -> None:
    coll = f"/api/v1/namespaces/{ns}/configmaps"
    other = f"/api/v1/namespaces/default/configmaps/{ns}-elsewhere"
    body = configmap("held")
    body["metadata"]["finalizers"] = ["example.com/hold"]
    with Watch(apiserver.url, coll, {"resourceVersion": list_rv(client, coll),
                                     "timeoutSeconds": "30"}) as w:
        client.post("/api/v1/namespaces/default/configmaps",
                    json=configmap(f"{ns}-elsewhere"))  # another namespace: not seen
        client.post(coll, json=body)
        client.delete(f"{coll}/held")
        r = client.patch(f"{coll}/held", content=b'{"metadata":{"finalizers":null}}',
                         headers=MERGE)
        assert r.status_code == 200, r.text
        evs = w.wait_count(3)
        assert names(evs) == [("ADDED", "held"), ("MODIFIED", "held"), ("DELETED", "held")]
        assert evs[1]["object"]["metadata"]["deletionTimestamp"]
    client.delete(other)


def test_send_initial_events_ends_with_annotated_bookmark(
        client: httpx.Client, apiserver: ApiServerProcess, ns: str) -> None:
    """The watch-list protocol (client-go's WatchListClient): initial state as ADDED, then a
    BOOKMARK annotated k8s.io/initial-events-end, then live changes."""
    coll = f"/api/v1/namespaces/{ns}/configmaps"
    for n in ("a", "b"):
        client.post(coll, json=configmap(n))
    with Watch(apiserver.url, coll, {"sendInitialEvents": "true", "allowWatchBookmarks": "true",
                                     "resourceVersionMatch": "NotOlderThan",
                                     "timeoutSeconds": "30"}) as w:
        evs = w.wait_count(3)
        assert names(evs[:2]) == [("ADDED", "a"), ("ADDED", "b")]
        assert evs[2]["type"] == "BOOKMARK"
        assert evs[2]["object"]["metadata"]["annotations"] == {
            "k8s.io/initial-events-end": "true"}
        client.post(coll, json=configmap("c"))
        evs = w.wait(lambda e: ("ADDED", "c") in names(e))
