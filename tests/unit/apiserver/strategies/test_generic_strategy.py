"""The default strategy: what a create resets, what an update keeps from the stored
object, when the generation moves, and how a delete marks an object."""

from __future__ import annotations

import copy

import pytest

from tests.unit.apiserver.strategies.objects import (
    CONFIGMAPS,
    DEPLOYMENTS,
    PODS,
    Obj,
    none_stored,
    stored,
)
from tugboat.api.meta import ObjectMeta
from tugboat.apiserver.strategies import Strategy, strategy_for
from tugboat.apiserver.strategies.generic import after


def test_kinds_without_rules_get_the_default() -> None:
    assert type(strategy_for(CONFIGMAPS)) is Strategy


def test_create_sets_server_metadata_and_drops_what_the_client_may_not_set() -> None:
    body: Obj = {"metadata": {"generateName": "web-", "namespace": "other", "uid": "mine",
                              "resourceVersion": "3", "deletionTimestamp": "x",
                              "deletionGracePeriodSeconds": 1, "managedFields": []},
                 "spec": {}, "status": {"phase": "Running"}}
    strategy_for(PODS).prepare_for_create(body, "default", none_stored)
    meta = body["metadata"]
    assert meta["name"].startswith("web-") and len(meta["name"]) == len("web-") + 5
    assert meta["namespace"] == "default" and meta["uid"] != "mine"
    assert meta["creationTimestamp"] and meta["generation"] == 1
    for gone in ("resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds"):
        assert gone not in meta
    assert meta["managedFields"] == []  # the field manager's to judge (a reset)
    assert "status" not in body  # status is written through /status only


@pytest.mark.parametrize(("info", "body", "generation"), [
    (CONFIGMAPS, {"data": {"a": "b"}}, None),         # no spec: no generation
    (CONFIGMAPS, {"spec": {}}, 1),
    (DEPLOYMENTS, {}, 1),                             # workloads always have one
    (PODS, {}, 1),
])
def test_generation_on_create(info, body: Obj, generation: int | None) -> None:
    body["metadata"] = {"name": "x"}
    strategy_for(info).prepare_for_create(body, "default", none_stored)
    assert body["metadata"].get("generation") == generation


@pytest.mark.parametrize(("change", "generation"), [
    ({"metadata": {"labels": {"a": "b"}}}, 1),        # metadata: no new generation
    ({"spec": {"replicas": 2}}, 2),                   # spec: a new generation
    ({"status": {"replicas": 5}}, 1),                 # status is kept from the old object
])
def test_update_generation(change: Obj, generation: int) -> None:
    old = stored("Deployment", spec={"replicas": 1}, status={"replicas": 1})
    new = {"metadata": {"name": "x", **change.get("metadata", {})},
           "spec": change.get("spec", {"replicas": 1}), "status": change.get("status", {})}
    out = strategy_for(DEPLOYMENTS).prepare_for_update(new, old)
    assert out["metadata"]["generation"] == generation
    assert out["status"] == {"replicas": 1}


def test_update_keeps_server_metadata() -> None:
    old = stored("ConfigMap")
    new = {"metadata": {"name": "x", "uid": "forged", "creationTimestamp": "1999-01-01T00:00:00Z",
                        "managedFields": [{}]}}
    meta = strategy_for(CONFIGMAPS).prepare_for_update(new, old)["metadata"]
    assert (meta["uid"], meta["creationTimestamp"]) == ("u-1", "2026-01-01T00:00:00Z")
    assert meta["managedFields"] == [{}]  # passed on to the field manager (a reset)


@pytest.mark.parametrize(("meta", "grace", "finalizers", "outcome"), [
    ({}, 0, [], "removed"),
    ({}, 0, ["example.com/hold"], "marked"),
    ({}, 30, [], "marked"),
    ({"deletionTimestamp": "t", "deletionGracePeriodSeconds": 30}, 30, [], "unchanged"),
    ({"deletionTimestamp": "t", "deletionGracePeriodSeconds": 30}, 5, [], "marked"),
])
def test_mark_for_deletion(meta: Obj, grace: int, finalizers: list[str], outcome: str) -> None:
    cur = stored("ConfigMap", metadata=meta)
    before = copy.deepcopy(cur)
    left = strategy_for(CONFIGMAPS).mark_for_deletion(cur, grace, finalizers)
    assert cur == before  # the cached object is never changed in place
    got = "removed" if left is None else "unchanged" if left is cur else "marked"
    assert got == outcome
    if got == "marked":
        assert left["metadata"]["deletionGracePeriodSeconds"] == grace
        assert left["metadata"].get("finalizers", []) == finalizers


@pytest.mark.parametrize(("meta", "finalized"), [
    ({}, False),
    ({"deletionTimestamp": "t"}, True),
    ({"deletionTimestamp": "t", "finalizers": ["a/b"]}, False),
    ({"deletionTimestamp": "t", "deletionGracePeriodSeconds": 30}, False),
])
def test_finalized(meta: Obj, finalized: bool) -> None:
    assert strategy_for(CONFIGMAPS).finalized(stored("ConfigMap", metadata=meta)) is finalized


@pytest.mark.parametrize("grace", [2**40, 2**62, 2**63 - 1])
def test_a_huge_grace_period_gives_a_valid_deletion_timestamp(grace: int) -> None:
    """Any int64 grace is accepted; the deletionTimestamp stays a four-digit-year RFC 3339
    time (time.gmtime overflowed: a 500 on delete) and decodes as a Time."""
    assert after(grace) == "9999-12-31T23:59:59Z"
    ObjectMeta.model_validate({"deletionTimestamp": after(grace)})
