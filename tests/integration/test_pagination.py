"""Paginated lists: limit + continue returns every object exactly once, from one consistent
snapshot even while objects are created between pages; a bad continue token is a 400."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.integration.kube import assert_status, configmap
from tests.support.processes import ApiServerProcess, wait_until


def page_through(client: httpx.Client, coll: str, limit: int,
                 between: object = None, **params: str) -> tuple[list[str], list[str]]:
    """All names over every page, and the list resourceVersion each page reported."""
    out: list[str] = []
    versions: list[str] = []
    cont = None
    pages = 0
    while True:
        q = {"limit": str(limit), **params}
        if cont:
            q["continue"] = cont
        r = client.get(coll, params=q)
        assert r.status_code == 200, r.text
        body = r.json()
        assert isinstance(body["items"], list) and len(body["items"]) <= limit
        out += [i["metadata"]["name"] for i in body["items"]]
        versions.append(body["metadata"]["resourceVersion"])
        cont = body["metadata"].get("continue")
        pages += 1
        assert pages < 100
        if not cont:
            return out, versions
        if callable(between):
            between(pages)


def make(client: httpx.Client, coll: str, names: list[str], **labels: str) -> None:
    for n in names:
        assert client.post(coll, json=configmap(n, labels=labels or None)).status_code == 201


def test_limit_and_continue_return_everything_once(client: httpx.Client, ns: str) -> None:
    coll = f"/api/v1/namespaces/{ns}/configmaps"
    names = [f"cm-{i:02d}" for i in range(23)]
    make(client, coll, names)
    got, versions = page_through(client, coll, 5)
    assert got == names  # sorted by name, each once
    assert len(versions) == 5 and len(set(versions)) == 1
    # a limit larger than the list: one page, no continue
    r = client.get(coll, params={"limit": "100"})
    assert len(r.json()["items"]) == 23 and "continue" not in r.json()["metadata"]
    # exactly a page's worth
    got, versions = page_through(client, coll, 23)
    assert got == names and len(versions) == 1


def test_pages_are_one_snapshot_while_objects_are_created(client: httpx.Client,
                                                         ns: str) -> None:
    coll = f"/api/v1/namespaces/{ns}/configmaps"
    names = [f"cm-{i:02d}" for i in range(0, 40, 2)]  # even numbers
    make(client, coll, names)
    added: list[str] = []

    def create_more(page: int) -> None:
        batch = [f"cm-{i:02d}" for i in range(page * 8 + 1, page * 8 + 9, 2)]  # odd ones
        batch.append(f"zz-{page}")  # and after the end
        make(client, coll, batch)
        added.extend(batch)

    got, versions = page_through(client, coll, 3, between=create_more)
    assert got == names, got  # the first page's snapshot, every item once
    assert len(set(versions)) == 1
    assert added
    after = [i["metadata"]["name"] for i in client.get(coll).json()["items"]]
    assert sorted(after) == sorted(names + added)


def test_pagination_with_label_selector(client: httpx.Client, ns: str) -> None:
    coll = f"/api/v1/namespaces/{ns}/configmaps"
    make(client, coll, [f"a-{i}" for i in range(7)], keep="yes")
    make(client, coll, [f"b-{i}" for i in range(7)], keep="no")
    got, _ = page_through(client, coll, 2, labelSelector="keep=yes")
    assert got == [f"a-{i}" for i in range(7)]


def test_cluster_wide_pagination_across_namespaces(client: httpx.Client, ns: str) -> None:
    coll = f"/api/v1/namespaces/{ns}/configmaps"
    make(client, coll, [f"x-{i}" for i in range(6)], mark=ns[-6:])
    got, _ = page_through(client, "/api/v1/configmaps", 4, labelSelector=f"mark={ns[-6:]}")
    assert got == [f"x-{i}" for i in range(6)]
    all_items, _ = page_through(client, "/api/v1/configmaps", 3)
    assert len(all_items) == len(client.get("/api/v1/configmaps").json()["items"])


def test_bad_continue_token(client: httpx.Client, ns: str) -> None:
    coll = f"/api/v1/namespaces/{ns}/configmaps"
    for token in ("not-a-token", "eyJ4IjoxfQ==", "%%%"):
        assert_status(client.get(coll, params={"limit": "2", "continue": token}), 400,
                      "BadRequest")


def test_bad_limit(client: httpx.Client, ns: str) -> None:
    assert_status(client.get(f"/api/v1/namespaces/{ns}/configmaps", params={"limit": "many"}),
                  400, "BadRequest")


def test_continue_after_compaction_is_expired(tmp_path: Path) -> None:
    """A continue token pins the list to its first page's revision; once the store has
    compacted past it, the next page is a 410 Expired, as Kubernetes does."""
    server = ApiServerProcess(tmp_path, extra=["--compaction-interval", "1s"])
    server.start()
    try:
        with httpx.Client(base_url=server.url, timeout=10) as c:
            coll = "/api/v1/namespaces/default/configmaps"
            make(c, coll, [f"c{i}" for i in range(5)])
            first = c.get(coll, params={"limit": "2"}).json()
            token = first["metadata"]["continue"]
            codes: list[int] = []

            def expired() -> bool:
                # keep writing, so every compaction tick has history to drop
                c.patch(f"{coll}/c0", content=b'{"data":{"n":"%d"}}' % len(codes),
                        headers={"Content-Type": "application/merge-patch+json"})
                r = c.get(coll, params={"limit": "2", "continue": token})
                codes.append(r.status_code)
                return r.status_code != 200

            wait_until(expired, 20, "the continue token to expire")
            assert codes[0] == 200, codes  # valid before compaction reached it
            r = c.get(coll, params={"limit": "2", "continue": token})
            st = assert_status(r, 410, "Expired")
            assert "continue" in st["message"]
            # a fresh list still works
            got, _ = page_through(c, coll, 2)
            assert got == [f"c{i}" for i in range(5)]
    finally:
        server.stop()
