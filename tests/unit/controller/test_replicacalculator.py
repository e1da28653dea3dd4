"""The HPA's replica calculation, stabilisation and bounds (replica_calculator.go)."""

from __future__ import annotations

import pytest

from tugboat.controller.replicacalculator import (
    MetricsError,
    PodSample,
    Stabilizer,
    bounded,
    resource_replicas,
)


def pods(*usage: float | None, request: float = 1000, ready: bool = True) -> list[PodSample]:
    return [PodSample(f"p{i}", request, u, ready) for i, u in enumerate(usage)]


@pytest.mark.parametrize(("usage", "want"), [
    ((500, 500, 500), 3),  # at target
    ((1000, 1000, 1000), 6),  # 100% of a 50% target: double
    ((540, 540, 540), 3),  # 54%: within the 10% tolerance
    ((200, 200, 200), 2),  # 20%: ceil(0.4 * 3)
    ((0, 0, 0), 0),
])
def test_utilization(usage: tuple[float, ...], want: int) -> None:
    assert resource_replicas(3, 50, pods(*usage), 0.1)[0] == want


def test_reports_utilization_and_average() -> None:
    assert resource_replicas(2, 50, pods(300, 500), 0.1) == (2, 40, 400.0)


def test_missing_metrics_count_as_full_request_when_scaling_down() -> None:
    # ready pods at 10% want 1, but the pod without metrics is assumed at 100%:
    # (100 + 100 + 1000) / 3000 = 40% -> ceil(0.8 * 3) = 3, not more than current
    assert resource_replicas(3, 50, pods(100, 100, None), 0.1)[0] == 3


def test_missing_metrics_count_as_zero_when_scaling_up() -> None:
    # (1500 + 1500 + 0) / 3000 = 100% of 50% -> 6
    assert resource_replicas(3, 50, pods(1500, 1500, None), 0.1)[0] == 6


def test_unready_pods_count_as_zero_when_scaling_up() -> None:
    samples = pods(1000, 1000) + [PodSample("cold", 1000, 1000, ready=False)]
    # (1000 + 1000 + 0) / 3000 = 66% of 50% -> ceil(1.33 * 3) = 4
    assert resource_replicas(3, 50, samples, 0.1)[0] == 4


def test_ignored_pods_are_left_out() -> None:
    samples = pods(1000, 1000) + [PodSample("gone", 1000, 0, ignored=True)]
    assert resource_replicas(2, 50, samples, 0.1)[0] == 4


@pytest.mark.parametrize("samples", [
    [], [PodSample("a", None, 100)], [PodSample("a", 100, None)],
    [PodSample("a", 100, 100, ready=False)],
])
def test_errors(samples: list[PodSample]) -> None:
    with pytest.raises(MetricsError):
        resource_replicas(1, 50, samples, 0.1)


def test_stabilizer_keeps_the_highest_recent_recommendation() -> None:
    s = Stabilizer(window=300)
    assert s.stabilize("k", 5, 0) == 5
    assert s.stabilize("k", 2, 100) == 5
    assert s.stabilize("k", 3, 301) == 3  # the 5 has left the window
    assert s.stabilize("k", 8, 302) == 8  # upscales are immediate


@pytest.mark.parametrize(("current", "desired", "want"), [
    (2, 3, (3, "DesiredWithinRange")), (2, 0, (1, "TooFewReplicas")),
    (4, 20, (10, "TooManyReplicas")), (1, 9, (4, "ScaleUpLimit")),
    (3, 7, (6, "ScaleUpLimit")),
])
def test_bounds(current: int, desired: int, want: tuple[int, str]) -> None:
    replicas, reason, _ = bounded(current, desired, 1, 10)
    assert (replicas, reason) == want
