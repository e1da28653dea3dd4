"""drain's filters: what is evicted, what refuses, what warns."""

from __future__ import annotations

from tugboat.cli.commands.nodes import DrainFlags, plan_drain


def _pod(name: str, owner: str | None = None, phase: str = "Running", emptydir: bool = False,
         mirror: bool = False) -> dict:
    meta: dict = {"name": name, "namespace": "default"}
    if owner:
        meta["ownerReferences"] = [{"kind": owner, "name": "o", "controller": True}]
    if mirror:
        meta["annotations"] = {"kubernetes.io/config.mirror": "x"}
    spec = {"volumes": [{"name": "d", "emptyDir": {}}]} if emptydir else {}
    return {"metadata": meta, "spec": spec, "status": {"phase": phase}}


PODS = [_pod("rs-pod", "ReplicaSet"), _pod("ds-pod", "DaemonSet"), _pod("bare"),
        _pod("data", "ReplicaSet", emptydir=True), _pod("done", phase="Succeeded"),
        _pod("static", mirror=True)]


def _names(pods: list[dict]) -> list[str]:
    return [p["metadata"]["name"] for p in pods]


def test_refusals_without_flags() -> None:
    plan = plan_drain(PODS, DrainFlags(False, False, False))
    assert plan.errors == [
        "cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): default/ds-pod",
        "cannot delete Pods with local storage (use --delete-emptydir-data to override): "
        "default/data",
        "cannot delete Pods that declare no controller (use --force to override): default/bare",
    ]


def test_everything_movable_with_all_flags() -> None:
    plan = plan_drain(PODS, DrainFlags(True, True, True))
    assert plan.errors == []
    assert _names(plan.evict) == ["rs-pod", "bare", "data", "done"]
    assert plan.warnings == ["ignoring DaemonSet-managed Pods: default/ds-pod",
                             "deleting Pods that declare no controller: default/bare"]
