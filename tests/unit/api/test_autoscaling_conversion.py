"""autoscaling/v1 <-> v2 HorizontalPodAutoscaler conversion, as Kubernetes converts: the CPU
target as targetCPUUtilizationPercentage, everything else in the round-trip annotations,
and a v2 -> v1 -> v2 round trip that loses nothing."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from tugboat.api.autoscaling import HorizontalPodAutoscaler as V2
from tugboat.api.autoscalingv1 import HorizontalPodAutoscaler as V1
from tugboat.api.conversion import ConversionError
from tugboat.api.conversion.autoscaling import (
    BEHAVIOR,
    CONDITIONS,
    CURRENT_METRICS,
    METRICS,
    v1_to_v2,
    v2_to_v1,
)

Obj = dict[str, Any]
REF = {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}


def cpu(util: int) -> Obj:
    return {"type": "Resource", "resource": {"name": "cpu", "target": {
        "type": "Utilization", "averageUtilization": util}}}


def v2(metrics: list[Obj] | None = None, **status: Any) -> Obj:
    spec: Obj = {"scaleTargetRef": REF, "minReplicas": 2, "maxReplicas": 5}
    if metrics is not None:
        spec["metrics"] = metrics
    return {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": "web", "namespace": "ns", "uid": "u-1",
                         "resourceVersion": "7", "labels": {"app": "web"}},
            "spec": spec, "status": {"desiredReplicas": 0, **status}}


MEMORY = {"type": "Resource", "resource": {"name": "memory", "target": {
    "type": "AverageValue", "averageValue": "500Mi"}}}
PODS = {"type": "Pods", "pods": {"metric": {"name": "qps"}, "target": {
    "type": "AverageValue", "averageValue": "10"}}}
OBJECT = {"type": "Object", "object": {
    "describedObject": {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "name": "in"},
    "metric": {"name": "hits", "selector": {"matchLabels": {"a": "b"}}},
    "target": {"type": "Value", "value": "2k"}}}
EXTERNAL = {"type": "External", "external": {"metric": {"name": "queue"}, "target": {
    "type": "AverageValue", "averageValue": "30"}}}
CONTAINER = {"type": "ContainerResource", "containerResource": {
    "name": "cpu", "container": "app", "target": {"type": "Utilization",
                                                  "averageUtilization": 60}}}
BEHAVIOUR = {"scaleDown": {"stabilizationWindowSeconds": 300, "selectPolicy": "Max",
                           "policies": [{"type": "Percent", "value": 100,
                                         "periodSeconds": 15}]}}
CONDITION = {"type": "AbleToScale", "status": "True", "lastTransitionTime":
             "2026-01-01T00:00:00Z", "reason": "SucceededGetScale",
             "message": "the HPA controller was able to get the target's current scale"}
CURRENT = [{"type": "Resource", "resource": {"name": "cpu", "current": {
    "averageUtilization": 42, "averageValue": "120m"}}},
    {"type": "Pods", "pods": {"metric": {"name": "qps"}, "current": {"averageValue": "7"}}}]


def test_cpu_only_maps_to_the_v1_field_and_needs_no_annotation() -> None:
    got = v2_to_v1(v2([cpu(80)], currentReplicas=2, desiredReplicas=3))
    assert got["apiVersion"] == "autoscaling/v1"
    assert got["spec"] == {"scaleTargetRef": REF, "minReplicas": 2, "maxReplicas": 5,
                           "targetCPUUtilizationPercentage": 80}
    assert got["status"] == {"currentReplicas": 2, "desiredReplicas": 3}
    assert got["metadata"] == v2()["metadata"]  # no annotations added
    V1.model_validate(got)


def test_v1_status_always_has_both_replica_counts() -> None:
    assert v2_to_v1(v2([cpu(50)]))["status"] == {"currentReplicas": 0, "desiredReplicas": 0}


def test_other_metrics_current_metrics_conditions_and_behavior_ride_in_annotations() -> None:
    obj = v2([cpu(70), MEMORY, PODS, OBJECT, EXTERNAL, CONTAINER], currentReplicas=2,
             desiredReplicas=2, currentMetrics=CURRENT, conditions=[CONDITION])
    obj["spec"]["behavior"] = BEHAVIOUR
    got = v2_to_v1(obj)
    assert got["spec"]["targetCPUUtilizationPercentage"] == 70
    assert got["status"]["currentCPUUtilizationPercentage"] == 42
    ann = got["metadata"]["annotations"]
    assert json.loads(ann[METRICS]) == [
        {"type": "Resource", "resource": {"name": "memory", "targetAverageValue": "500Mi"}},
        {"type": "Pods", "pods": {"metricName": "qps", "targetAverageValue": "10"}},
        {"type": "Object", "object": {
            "target": {"kind": "Ingress", "name": "in", "apiVersion": "networking.k8s.io/v1"},
            "metricName": "hits", "targetValue": "2k",
            "selector": {"matchLabels": {"a": "b"}}}},
        {"type": "External", "external": {"metricName": "queue",
                                          "targetAverageValue": "30"}},
        {"type": "ContainerResource", "containerResource": {
            "name": "cpu", "targetAverageUtilization": 60, "container": "app"}}]
    assert json.loads(ann[CURRENT_METRICS]) == [
        {"type": "Resource", "resource": {"name": "cpu", "currentAverageUtilization": 42,
                                          "currentAverageValue": "120m"}},
        {"type": "Pods", "pods": {"metricName": "qps", "currentAverageValue": "7"}}]
    assert json.loads(ann[CONDITIONS]) == [CONDITION]
    assert json.loads(ann[BEHAVIOR]) == BEHAVIOUR
    assert ann[METRICS].startswith('[{"type":"Resource","resource":{"name":"memory"')  # Go's
    V1.model_validate(got)


@pytest.mark.parametrize("metrics", [
    [cpu(80)],
    [MEMORY, PODS, OBJECT, EXTERNAL, CONTAINER, cpu(65)],
    [MEMORY],
])
def test_v2_v1_v2_round_trip_loses_nothing(metrics: list[Obj]) -> None:
    obj = v2(metrics, currentReplicas=3, desiredReplicas=4, currentMetrics=CURRENT,
             conditions=[CONDITION], observedGeneration=2,
             lastScaleTime="2026-01-01T00:00:00Z")
    obj["spec"]["behavior"] = BEHAVIOUR
    obj["metadata"]["annotations"] = {"team": "a"}
    before = copy.deepcopy(obj)
    back = v1_to_v2(v2_to_v1(obj))
    assert obj == before  # the input is not touched
    assert back == obj
    V2.model_validate(back)


def test_the_cpu_target_comes_after_the_annotated_metrics_as_in_kubernetes() -> None:
    back = v1_to_v2(v2_to_v1(v2([cpu(80), MEMORY])))
    assert back["spec"]["metrics"] == [MEMORY, cpu(80)]


def test_v1_without_a_target_gets_the_default_cpu_metric() -> None:
    v1 = {"apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler",
          "metadata": {"name": "web"}, "spec": {"scaleTargetRef": REF, "maxReplicas": 5}}
    got = v1_to_v2(v1)
    assert got["apiVersion"] == "autoscaling/v2"
    assert got["spec"] == {"scaleTargetRef": REF, "maxReplicas": 5, "metrics": [cpu(80)]}
    assert got["status"] == {"desiredReplicas": 0}
    assert "annotations" not in got["metadata"]


def test_v1_current_cpu_without_annotation_becomes_a_resource_status() -> None:
    v1 = v2_to_v1(v2([cpu(60)]))
    v1["status"]["currentCPUUtilizationPercentage"] = 33
    got = v1_to_v2(v1)
    assert got["status"]["currentMetrics"] == [
        {"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": 33}}}]


def test_user_annotations_survive_and_an_explicit_empty_map_stays() -> None:
    obj = v2([cpu(60)])
    obj["metadata"]["annotations"] = {}
    assert v1_to_v2(v2_to_v1(obj))["metadata"]["annotations"] == {}


def test_go_escaping_in_annotations() -> None:
    obj = v2([cpu(60), {**PODS, "pods": {**PODS["pods"], "metric": {
        "name": "a<b>&c"}}}])
    text = v2_to_v1(obj)["metadata"]["annotations"][METRICS]
    assert "a\\u003cb\\u003e\\u0026c" in text and "<" not in text


def test_a_malformed_annotation_is_a_conversion_error() -> None:
    v1 = v2_to_v1(v2([cpu(60)]))
    v1["metadata"]["annotations"] = {METRICS: "{not json"}
    with pytest.raises(ConversionError):
        v1_to_v2(v1)
    v1["metadata"]["annotations"] = {METRICS: '{"a": 1}'}
    with pytest.raises(ConversionError):
        v1_to_v2(v1)
