"""EndpointSlices from a Service and its pods (pure): conditions, grouping by ports,
packing at 100 endpoints a slice, updates in place, the placeholder, the trigger time."""

from __future__ import annotations

import datetime as _dt
from typing import Any

from tugboat.api.core import Pod, Service
from tugboat.api.discovery import EndpointSlice
from tugboat.api.validation import validate
from tugboat.controller.endpointslicereconciler import Plan, desired_endpoints, plan
from tugboat.controller.triggertime import TRIGGER_TIME


def service(**spec: Any) -> Service:
    return Service.model_validate({"metadata": {"name": "web", "namespace": "ns", "uid": "svc-1",
                                                "labels": {"tier": "front"}}, "spec": {
        "selector": {"app": "a"}, "ports": [{"name": "http", "port": 80, "targetPort": "web"}],
        **spec}})


def pod(name: str, ip: str | None, ready: bool = True, port: int = 8080, **meta: Any) -> Pod:
    return Pod.model_validate({
        "metadata": {"name": name, "namespace": "ns", "uid": f"u-{name}", **meta},
        "spec": {"nodeName": "n1", "containers": [{"name": "c", "ports": [
            {"name": "web", "containerPort": port}]}]},
        "status": {"phase": "Running", "podIP": ip, "conditions": [
            {"type": "Ready", "status": "True" if ready else "False"}]}})


def run(svc: Service, pods: list[Pod], existing: list[dict[str, Any]] | None = None,
        trigger: _dt.datetime | None = None) -> Plan:
    return plan(svc, desired_endpoints(svc, pods, {"n1": "zone-a"}), existing or [],
                trigger_time=trigger)


def store(todo: Plan, existing: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Apply a plan as the API server would (names from generateName)."""
    by_name = {s["metadata"]["name"]: s for s in existing}
    for name in todo.delete:
        del by_name[name]
    for s in todo.update:
        by_name[s["metadata"]["name"]] = s
    for i, s in enumerate(todo.create):
        name = f"{s['metadata']['generateName']}{len(by_name)}x{i}"
        by_name[name] = {**s, "metadata": {**s["metadata"], "name": name}}
    return list(by_name.values())


def test_one_slice_with_conditions_labels_and_owner() -> None:
    terminating = pod("t", "10.0.0.3", deletionTimestamp="2025-01-01T00:00:00Z")
    todo = run(service(), [pod("b", "10.0.0.2", False), pod("a", "10.0.0.1"), terminating,
                           pod("noip", None)])
    (s,) = todo.create
    assert s["metadata"]["generateName"] == "web-"
    assert s["metadata"]["labels"] == {"tier": "front", "kubernetes.io/service-name": "web",
                                       "endpointslice.kubernetes.io/managed-by":
                                           "endpointslice-controller.k8s.io"}
    assert s["metadata"]["ownerReferences"][0]["uid"] == "svc-1"
    assert s["metadata"]["ownerReferences"][0]["controller"] is True
    assert s["addressType"] == "IPv4"
    assert s["ports"] == [{"name": "http", "port": 8080, "protocol": "TCP"}]
    conds = {e["targetRef"]["name"]: e["conditions"] for e in s["endpoints"]}
    assert conds == {"a": {"ready": True, "serving": True, "terminating": False},
                     "b": {"ready": False, "serving": False, "terminating": False},
                     "t": {"ready": False, "serving": True, "terminating": True}}
    assert s["endpoints"][0]["nodeName"] == "n1" and s["endpoints"][0]["zone"] == "zone-a"
    body = EndpointSlice.model_validate({**s, "metadata": {**s["metadata"], "name": "web-x"}})
    assert validate(body) == []


def test_publish_not_ready_addresses_marks_every_endpoint_ready() -> None:
    (s,) = run(service(publishNotReadyAddresses=True), [pod("b", "10.0.0.2", False)]).create
    assert s["endpoints"][0]["conditions"] == {"ready": True, "serving": False,
                                               "terminating": False}


def test_groups_by_resolved_ports() -> None:
    todo = run(service(), [pod("a", "10.0.0.1"), pod("b", "10.0.0.2", port=9090)])
    assert sorted(s["ports"][0]["port"] for s in todo.create) == [8080, 9090]


def test_packs_at_most_100_endpoints_a_slice_and_updates_in_place() -> None:
    pods = [pod(f"p{i}", f"10.0.{i // 250}.{i % 250 + 1}") for i in range(250)]
    todo = run(service(), pods)
    assert sorted(len(s["endpoints"]) for s in todo.create) == [50, 100, 100]
    slices = store(todo, [])
    assert run(service(), pods, slices) == Plan()  # nothing to do: nothing written
    # one pod goes unready: exactly one slice is rewritten, under its own name
    changed = [pod(p.metadata.name, p.status.podIP, p.metadata.name != "p7") for p in pods]
    todo = run(service(), changed, slices)
    assert not todo.create and not todo.delete
    (s,) = todo.update
    assert s["metadata"]["name"] in {x["metadata"]["name"] for x in slices}
    # scaling up fills the slice with room before making another
    more = pods + [pod("q", "10.9.0.1")]
    todo = run(service(), more, slices)
    assert not todo.create and len(todo.update) == 1
    assert len(todo.update[0]["endpoints"]) == 51


def test_scale_to_zero_keeps_one_empty_placeholder() -> None:
    assert [s["endpoints"] for s in run(service(), []).create] == [[]]
    pods = [pod(f"p{i}", f"10.0.1.{i + 1}") for i in range(150)]
    slices = store(run(service(), pods), [])
    todo = run(service(), [], slices)
    assert len(todo.delete) == 1 and not todo.create
    (s,) = todo.update
    assert s["endpoints"] == [] and s["ports"] == []


def test_labels_follow_the_service() -> None:
    slices = store(run(service(), [pod("a", "10.0.0.1")]), [])
    relabelled = service()
    relabelled.metadata.labels = {"tier": "back"}
    (s,) = run(relabelled, [pod("a", "10.0.0.1")], slices).update
    assert s["metadata"]["labels"]["tier"] == "back"


def test_validation_as_kubernetes() -> None:
    bad = EndpointSlice.model_validate({
        "metadata": {"name": "x", "namespace": "ns"}, "addressType": "IPv4",
        "endpoints": [{"addresses": []}, {"addresses": ["fe80::1"]}],
        "ports": [{"name": "a", "protocol": "TCP"}, {"name": "a", "protocol": "TCP"}]})
    got = {(c.field, c.reason) for c in validate(bad)}
    assert got == {("endpoints[0].addresses", "FieldValueRequired"),
                   ("endpoints[1].addresses[0]", "FieldValueInvalid"),
                   ("ports[1].name", "FieldValueDuplicate")}
    missing = EndpointSlice.model_validate({"metadata": {"name": "x", "namespace": "ns"}})
    assert [(c.field, c.reason) for c in validate(missing)] == [
        ("addressType", "FieldValueRequired")]
    old = EndpointSlice.model_validate({"metadata": {"name": "x", "namespace": "ns"},
                                        "addressType": "IPv4"})
    new = old.model_copy(update={"addressType": "IPv6"})
    assert [c.field for c in validate(new, old)] == ["addressType"]


def test_trigger_time_rides_only_on_slices_written_anyway() -> None:
    t1 = _dt.datetime(2025, 3, 1, 12, 0, 0, tzinfo=_dt.timezone.utc)
    pods = [pod(f"p{i}", f"10.0.1.{i + 1}") for i in range(150)]
    todo = run(service(), pods, trigger=t1)
    assert [s["metadata"]["annotations"] for s in todo.create] == \
        [{TRIGGER_TIME: "2025-03-01T12:00:00Z"}] * 2
    slices = store(todo, [])
    # a later trigger with nothing to change: no slice is rewritten for the annotation
    t2 = t1 + _dt.timedelta(seconds=30)
    assert run(service(), pods, slices, t2) == Plan()
    # one pod goes unready: only its slice is written, carrying the new time
    changed = [pod(p.metadata.name, p.status.podIP, p.metadata.name != "p7") for p in pods]
    (s,) = run(service(), changed, slices, t2).update
    assert s["metadata"]["annotations"] == {TRIGGER_TIME: "2025-03-01T12:00:30Z"}
    # written with no new trigger (Kubernetes: zero time), the stale stamp is cleared
    (s,) = run(service(), changed, slices).update
    assert TRIGGER_TIME not in (s["metadata"].get("annotations") or {})
