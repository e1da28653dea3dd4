"""The manager's flags: Go durations, --controllers, kube-controller-manager defaults, and
combinations that cannot work refused with one line and exit status 1."""

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
    opts = parse_args(["--node-monitor-grace-period", "11s", "--pod-eviction-timeout=1m30s",
                       "--leader-elect=false", "--port", "0", "--server", "http://x:1",
                       "--horizontal-pod-autoscaler-sync-period", "500ms"])
    assert opts.controller.node_monitor_grace_period == 11
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


@pytest.mark.parametrize(("argv", "says"), [
    (["--node-monitor-grace-period", "10s"], "--node-monitor-grace-period (10s) must be "
     "longer than the kubelet's node lease renewal interval (10s)"),
    (["--node-monitor-grace-period", "3s"], "lease renewal interval"),
    (["--node-monitor-grace-period", "0s"], "--node-monitor-grace-period must be greater "
     "than 0 (got 0s)"),
    (["--node-monitor-period=-1s"], "--node-monitor-period must be greater than 0"),
    (["--horizontal-pod-autoscaler-sync-period", "0"], "sync-period must be greater than 0"),
    (["--min-resync-period", "0s"], "--min-resync-period must be greater than 0"),
    (["--pod-eviction-timeout=-5s"], "--pod-eviction-timeout must not be negative"),
    (["--horizontal-pod-autoscaler-tolerance=-0.1"], "tolerance must not be negative"),
    (["--leader-elect-lease-duration", "5s"], "leader election needs "
     "--leader-elect-lease-duration > --leader-elect-renew-deadline"),
    (["--port", "70000"], "--port must be between 0 and 65535"),
])
def test_unworkable_flags_are_refused_in_one_line(argv: list[str], says: str,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        parse_args(argv)
    assert exit_.value.code == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("tug-controller-manager: invalid flags: ")
    assert says in err


def test_leader_election_timings_are_not_checked_without_leader_election() -> None:
    opts = parse_args(["--leader-elect=false", "--leader-elect-lease-duration", "1s"])
    assert opts.leader_elect is False


def test_the_defaults_and_a_grace_just_over_the_renewal_are_accepted() -> None:
    assert parse_args(["--node-monitor-grace-period", "10500ms"]).controller \
        .node_monitor_grace_period == 10.5
