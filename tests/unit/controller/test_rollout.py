"""Rolling-update arithmetic as tables (Kubernetes' rolling.go cases)."""

from __future__ import annotations

import pytest

from tugboat.controller.rollout import (
    RSState,
    new_rs_target,
    old_rs_targets,
    proportional_targets,
    resolve_fenceposts,
    scaled_value,
)


@pytest.mark.parametrize(("value", "total", "up", "want"), [
    (None, 10, True, 0), (3, 10, True, 3), ("25%", 10, True, 3), ("25%", 10, False, 2),
    ("100%", 4, False, 4), ("0%", 4, True, 0), ("5", 10, True, 5),
])
def test_scaled_value(value: object, total: int, up: bool, want: int) -> None:
    assert scaled_value(value, total, up) == want  # type: ignore[arg-type]


@pytest.mark.parametrize(("surge", "unavailable", "desired", "want"), [
    ("25%", "25%", 4, (1, 1)), ("25%", "25%", 10, (3, 2)), (0, 0, 3, (0, 1)),
    (1, 0, 3, (1, 0)), ("0%", "0%", 1, (0, 1)),
])
def test_resolve_fenceposts(surge: object, unavailable: object, desired: int,
                            want: tuple[int, int]) -> None:
    assert resolve_fenceposts(surge, unavailable, desired) == want  # type: ignore[arg-type]


@pytest.mark.parametrize(("desired", "surge", "total", "new", "want"), [
    (4, 1, 4, 0, 1),  # one surge pod
    (4, 1, 5, 1, 1),  # at desired + surge: wait
    (4, 2, 4, 0, 2),
    (4, 10, 4, 0, 4),  # never past desired for the new one
    (4, 1, 3, 3, 4),
])
def test_new_rs_target(desired: int, surge: int, total: int, new: int, want: int) -> None:
    assert new_rs_target(desired, surge, total, new) == want


def test_old_scaled_down_only_as_far_as_availability_allows() -> None:
    new = RSState("new", 1, 0, "2")
    old = RSState("old", 4, 4, "1")
    # 5 pods, min available 3, 1 new unavailable -> 1 may go
    assert old_rs_targets(4, 1, new, [old]) == {"old": 3}
    # the new pod became available: 2 more may go
    assert old_rs_targets(4, 1, RSState("new", 2, 2, "2"), [RSState("old", 3, 3, "1")]) \
        == {"old": 1}


def test_unavailable_old_pods_are_shed_first() -> None:
    new = RSState("new", 1, 0, "3")
    olds = [RSState("older", 2, 0, "1"), RSState("old", 2, 2, "2")]
    # 5 pods, min available 3, 1 new unavailable -> 1 may go: an unavailable one
    assert old_rs_targets(4, 1, new, olds) == {"older": 1}


def test_nothing_scaled_down_when_at_minimum() -> None:
    assert old_rs_targets(4, 1, RSState("new", 1, 0), [RSState("old", 3, 3)]) == {}
    assert old_rs_targets(4, 1, RSState("new", 4, 4), [RSState("old", 0, 0)]) == {}


def test_zero_max_unavailable_waits_for_new_pods() -> None:
    assert old_rs_targets(3, 0, RSState("new", 1, 0), [RSState("old", 3, 3)]) == {}
    assert old_rs_targets(3, 0, RSState("new", 1, 1), [RSState("old", 3, 3)]) == {"old": 2}


def test_proportional_scaling() -> None:
    assert proportional_targets(5, 1, RSState("new", 3, 3, "2"), []) == {"new": 5}
    assert proportional_targets(5, 1, None, [RSState("old", 3, 3, "1")]) == {"old": 5}
    assert proportional_targets(3, 1, RSState("new", 3, 3, "2"), [RSState("old", 1, 1, "1")]) \
        == {"old": 0}
    grow = proportional_targets(6, 1, RSState("new", 2, 0, "2"), [RSState("old", 2, 2, "1")])
    assert grow == {"new": 5}
    shrink = proportional_targets(2, 0, RSState("new", 2, 0, "2"), [RSState("old", 2, 2, "1")])
    assert shrink == {"old": 0}
