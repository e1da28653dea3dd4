"""The last-change-trigger-time a sync reports, as Kubernetes' TriggerTimeTracker: the
Service's creation the first time, then the earliest Ready transition (or Service
creation) that moved since the last sync, and nothing when nothing did."""

from __future__ import annotations

from typing import Any

from tugboat.api.core import Pod, Service
from tugboat.controller.triggertime import (
    TRIGGER_TIME,
    TriggerTimeTracker,
    annotate,
    format_trigger_time,
)


def service(created: str = "2025-01-01T00:00:00Z") -> Service:
    return Service.model_validate({"metadata": {"name": "web", "namespace": "ns",
                                                "creationTimestamp": created},
                                   "spec": {"selector": {"app": "a"}}})


def pod(name: str, ready_since: str | None) -> Pod:
    conds: list[dict[str, Any]] = [] if ready_since is None else [
        {"type": "Ready", "status": "True", "lastTransitionTime": ready_since}]
    return Pod.model_validate({"metadata": {"name": name, "namespace": "ns"},
                               "spec": {"containers": [{"name": "c", "image": "i"}]},
                               "status": {"conditions": conds}})


def text(tracker: TriggerTimeTracker, svc: Service, pods: list[Pod]) -> str | None:
    t = tracker.compute("ns/web", svc, pods)
    return None if t is None else format_trigger_time(t)


def test_a_new_service_reports_its_creation() -> None:
    tracker = TriggerTimeTracker()
    assert text(tracker, service(), [pod("a", "2025-01-02T00:00:00Z")]) == \
        "2025-01-01T00:00:00Z"
    # the same pods again: nothing moved, nothing to report
    assert text(tracker, service(), [pod("a", "2025-01-02T00:00:00Z")]) is None


def test_the_earliest_changed_ready_transition_wins() -> None:
    tracker = TriggerTimeTracker()
    text(tracker, service(), [pod("a", "2025-01-02T00:00:00Z"), pod("b", None)])
    # b gets a Ready condition, a flips later: b's is the earlier change
    got = text(tracker, service(), [pod("a", "2025-01-03T00:00:05Z"),
                                    pod("b", "2025-01-03T00:00:01Z")])
    assert got == "2025-01-03T00:00:01Z"
    # an unchanged pod does not count, however old: only a moved
    got = text(tracker, service(), [pod("a", "2025-01-04T00:00:00Z"),
                                    pod("b", "2025-01-03T00:00:01Z")])
    assert got == "2025-01-04T00:00:00Z"
    # a pod that went away changes nothing the tracker can date
    assert text(tracker, service(), [pod("a", "2025-01-04T00:00:00Z")]) is None


def test_a_recreated_service_counts_and_deleting_forgets() -> None:
    tracker = TriggerTimeTracker()
    text(tracker, service(), [])
    assert text(tracker, service("2025-02-01T00:00:00Z"), []) == "2025-02-01T00:00:00Z"
    tracker.delete_service("ns/web")
    assert text(tracker, service("2025-02-01T00:00:00Z"), []) == "2025-02-01T00:00:00Z"


def test_annotation_is_set_or_cleared_without_touching_others() -> None:
    meta: dict[str, Any] = {"annotations": {"keep": "me"}}
    t = TriggerTimeTracker().compute("ns/web", service("2025-01-01T10:00:00.250+02:00"), [])
    assert t is not None
    annotate(meta, t)
    assert meta["annotations"] == {"keep": "me", TRIGGER_TIME: "2025-01-01T08:00:00.25Z"}
    annotate(meta, None)
    assert meta["annotations"] == {"keep": "me"}
    bare: dict[str, Any] = {"annotations": {TRIGGER_TIME: "x"}}
    annotate(bare, None)
    assert "annotations" not in bare
