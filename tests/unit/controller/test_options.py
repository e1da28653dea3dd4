"""The manager's flags: Go durations, --controllers, kube-controller-manager defaults."""

from __future__ import annotations

import pytest

from tugboat.controller.options import ALL_CONTROLLERS, enabled_controllers, parse_args


def test_defaults() -> None:
    opts = parse_args([])
    assert opts.port == 10257 and opts.leader_elect is True
    c = opts.controller
    assert (c.node_monitor_grace_period, c.pod_eviction_timeout, c.hpa_sync_period,
            c.hpa_downscale_stabilization) == (40, 300, 15, 300)
    assert c.controllers == ALL_CONTROLLERS


def test_durations_and_switches() -> None:
    opts = parse_args(["--node-monitor-grace-period", "3s", "--pod-eviction-timeout=1m30s",
                       "--leader-elect=false", "--port", "0", "--server", "http://x:1",
                       "--horizontal-pod-autoscaler-sync-period", "500ms"])
    assert opts.controller.node_monitor_grace_period == 3
    assert opts.controller.pod_eviction_timeout == 90
    assert opts.controller.hpa_sync_period == 0.5
    assert opts.leader_elect is False and opts.port == 0 and opts.server == "http://x:1"


def test_bad_duration_is_a_usage_error() -> None:
    with pytest.raises(SystemExit):
        parse_args(["--pod-eviction-timeout", "5 minutes"])


def test_controllers_flag() -> None:
    assert enabled_controllers("*") == ALL_CONTROLLERS
    assert enabled_controllers("job,endpoints") == ("job", "endpoints")
    assert "nodelifecycle" not in enabled_controllers("*,-nodelifecycle")
    with pytest.raises(ValueError):
        enabled_controllers("nonsense")
