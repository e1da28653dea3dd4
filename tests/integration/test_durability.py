"""Durability across restarts, each test on its own server and data folder: every write the
server acknowledged survives `kill -9`, revisions keep growing afterwards, and a watch from
a revision older than the restart gets a 410 Expired ERROR event."""

from __future__ import annotations

import threading
from pathlib import Path

import httpx

from tests.integration.kube import Watch, assert_status, configmap, names, pod, rv
from tests.support.processes import ApiServerProcess, wait_until

WRITERS = 4


def test_acknowledged_writes_survive_kill9(tmp_path: Path) -> None:
    data = tmp_path / "data"
    server = ApiServerProcess(data)
    server.start()
    pods = "/api/v1/namespaces/default/pods"
    acked: dict[str, str] = {}  # name → resourceVersion from the 201
    unexpected: list[str] = []
    lock = threading.Lock()

    def writer(idx: int) -> None:
        with httpx.Client(base_url=server.url, timeout=10) as c:
            i = 0
            while True:
                name = f"w{idx}-{i}"
                try:
                    r = c.post(pods, json=pod(name))
                except httpx.HTTPError:
                    return  # the server is gone; this write was never acknowledged
                with lock:
                    if r.status_code == 201:
                        acked[name] = r.json()["metadata"]["resourceVersion"]
                    else:
                        unexpected.append(f"{name}: {r.status_code} {r.text[:200]}")
                        return
                i += 1

    threads = [threading.Thread(target=writer, args=(i,), daemon=True) for i in range(WRITERS)]
    try:
        for t in threads:
            t.start()
        wait_until(lambda: len(acked) >= 200, 60, "200 acknowledged creates")
        assert all(t.is_alive() for t in threads), "writers stopped before the kill"
        server.kill9()
        for t in threads:
            t.join(15)
            assert not t.is_alive()
    finally:
        server.kill9()
    assert not unexpected, unexpected[:5]
    with lock:
        acknowledged = dict(acked)

    restarted = ApiServerProcess(data)
    restarted.start()
    try:
        with httpx.Client(base_url=restarted.url, timeout=15) as c:
            r = c.get(pods)
            assert r.status_code == 200
            stored = {i["metadata"]["name"]: i["metadata"]["resourceVersion"]
                      for i in r.json()["items"]}
            missing = sorted(set(acknowledged) - set(stored))
            assert not missing, f"{len(missing)} acknowledged pods lost, e.g. {missing[:5]}"
            changed = {n: (v, stored[n]) for n, v in acknowledged.items() if stored[n] != v}
            assert not changed, list(changed.items())[:5]
            # at most the writes in flight at the kill may be there without an ack
            assert len(stored) - len(acknowledged) <= WRITERS
            # distinct revisions, one per acknowledged write
            assert len(set(acknowledged.values())) == len(acknowledged)
            top = max(int(v) for v in stored.values())
            assert int(r.json()["metadata"]["resourceVersion"]) >= top

            new = c.post(pods, json=pod("after-restart"))
            assert new.status_code == 201, new.text
            assert rv(new.json()) > top
            again = c.post(pods, json=pod("after-restart-2"))
            assert rv(again.json()) > rv(new.json())
            assert_status(c.post(pods, json=pod("w0-0")), 409, "AlreadyExists")
            got = c.get(f"{pods}/w0-0").json()
            assert got["metadata"]["resourceVersion"] == acknowledged["w0-0"]
    finally:
        restarted.stop()


def test_watch_from_before_restart_is_expired(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = ApiServerProcess(data)
    first.start()
    coll = "/api/v1/namespaces/default/configmaps"
    try:
        with httpx.Client(base_url=first.url, timeout=10) as c:
            a = c.post(coll, json=configmap("a")).json()
            b = c.post(coll, json=configmap("b")).json()
    finally:
        first.stop()

    second = ApiServerProcess(data)
    second.start()
    try:
        with httpx.Client(base_url=second.url, timeout=10) as c:
            # the data is all there, at the same revisions
            assert c.get(f"{coll}/a").json()["metadata"]["resourceVersion"] == a["metadata"][
                "resourceVersion"]
            assert c.get(f"{coll}/b").json()["metadata"]["resourceVersion"] == b["metadata"][
                "resourceVersion"]

            with Watch(second.url, coll, {"resourceVersion": a["metadata"]["resourceVersion"],
                                          "timeoutSeconds": "30"}) as w:
                assert w.status_code == 200
                evs = w.wait_count(1)
                assert evs[0]["type"] == "ERROR", evs
                st = evs[0]["object"]
                assert st["kind"] == "Status" and st["code"] == 410
                assert st["reason"] == "Expired" and st["message"]
                w.wait_ended(10)
                assert len(w.events) == 1

            # a fresh watch (no resourceVersion) works, then follows new writes
            with Watch(second.url, coll, {"timeoutSeconds": "30"}) as w:
                assert names(w.wait_count(2)) == [("ADDED", "a"), ("ADDED", "b")]
                c3 = c.post(coll, json=configmap("c")).json()
                evs = w.wait_count(3)
                assert names(evs)[2] == ("ADDED", "c")
                assert rv(c3) > rv(b)

            # and from the current list resourceVersion: no error, only what follows
            ver = c.get(coll).json()["metadata"]["resourceVersion"]
            with Watch(second.url, coll, {"resourceVersion": ver, "timeoutSeconds": "30"}) as w:
                c.delete(f"{coll}/a")
                assert names(w.wait_count(1)) == [("DELETED", "a")]
    finally:
        second.stop()
