"""Namespaces: Active with the `kubernetes` finalizer on create, Terminating on delete,
removed once spec.finalizers is empty; the cluster's own namespaces are not deletable;
/finalize changes spec.finalizers and nothing else."""

from __future__ import annotations

import pytest

from tests.unit.apiserver.strategies.objects import NAMESPACES, Obj, none_stored, stored
from tugboat.apiserver import errors
from tugboat.apiserver.strategies import strategy_for


def namespace(**parts: object) -> Obj:
    ns = stored("Namespace", "team", **parts)
    ns["metadata"].pop("namespace")
    return ns


def test_create_is_active_with_the_controller_finalizer() -> None:
    body: Obj = {"metadata": {"name": "team"}, "status": {"phase": "Terminating"}}
    strategy_for(NAMESPACES).prepare_for_create(body, None, none_stored)
    assert body["spec"] == {"finalizers": ["kubernetes"]}
    assert body["status"] == {"phase": "Active"}


@pytest.mark.parametrize(("name", "refused"), [
    ("default", True), ("kube-system", True), ("kube-public", True), ("team", False)])
def test_protected_namespaces(name: str, refused: bool) -> None:
    ns = namespace(metadata={"name": name})
    assert bool(strategy_for(NAMESPACES).check_delete(ns)) is refused


@pytest.mark.parametrize(("spec", "meta", "outcome"), [
    ({"finalizers": ["kubernetes"]}, {}, "terminating"),
    ({}, {"finalizers": ["example.com/x"]}, "terminating"),
    ({}, {}, "removed"),
    ({"finalizers": ["kubernetes"]}, {"deletionTimestamp": "t"}, "unchanged"),
])
def test_delete_marks_terminating(spec: Obj, meta: Obj, outcome: str) -> None:
    cur = namespace(spec=spec, status={"phase": "Active"}, metadata=meta)
    # grace and propagation finalizers do not apply to namespaces
    left = strategy_for(NAMESPACES).mark_for_deletion(cur, 30, ["orphan"])
    got = "removed" if left is None else "unchanged" if left is cur else "terminating"
    assert got == outcome
    if got == "terminating":
        assert left["status"]["phase"] == "Terminating"
        assert left["metadata"]["deletionGracePeriodSeconds"] == 0
        assert left["metadata"].get("finalizers") == meta.get("finalizers")


@pytest.mark.parametrize(("spec", "finalized"), [
    ({"finalizers": ["kubernetes"]}, False), ({}, True)])
def test_finalized_waits_for_spec_finalizers(spec: Obj, finalized: bool) -> None:
    ns = namespace(spec=spec, metadata={"deletionTimestamp": "t",
                                        "deletionGracePeriodSeconds": 0})
    assert strategy_for(NAMESPACES).finalized(ns) is finalized


@pytest.mark.parametrize(("body", "finalizers"), [
    ({"spec": {"finalizers": []}}, None),
    ({"spec": {"finalizers": ["a.io/b"]}}, ["a.io/b"]),
])
def test_finalize_changes_only_spec_finalizers(body: Obj, finalizers: list[str] | None) -> None:
    old = namespace(spec={"finalizers": ["kubernetes"]}, status={"phase": "Terminating"},
                    metadata={"labels": {"a": "b"}})
    body = {**body, "metadata": {"name": "team", "labels": {"c": "d"}},
            "status": {"phase": "Active"}}
    out = strategy_for(NAMESPACES, "finalize").prepare_for_update(body, old)
    assert out["spec"].get("finalizers") == finalizers
    assert out["metadata"] == old["metadata"] and out["status"] == old["status"]


@pytest.mark.parametrize("body", [
    {"spec": "nonsense"}, {"spec": {"finalizers": "kubernetes"}},
    {"spec": {"finalizers": [5]}}, {"metadata": 5}, {"metadata": {"name": 5}},
])
def test_finalize_refuses_a_wrong_typed_body(body: Obj) -> None:
    """A body that is not a Namespace is a 422, never read as "no finalizers" (which
    would let the namespace go before it is empty)."""
    old = namespace(spec={"finalizers": ["kubernetes"]})
    with pytest.raises(errors.ApiError) as e:
        strategy_for(NAMESPACES, "finalize").prepare_for_update(body, old)
    assert e.value.code == 422, e.value.message
