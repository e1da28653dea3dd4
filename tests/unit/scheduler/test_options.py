"""Flags: kube-scheduler's names, the short lease flags, Go durations, booleans, weights."""

from __future__ import annotations

import pytest

from tugboat.scheduler.options import DEFAULT_PORT, parse_options


def test_defaults():
    o = parse_options([])
    assert (o.leader_elect, o.lease_duration, o.renew_deadline, o.retry_period) == (
        True, 15.0, 10.0, 2.0)
    assert (o.port, o.scheduler_name, o.percentage_of_nodes_to_score) == (
        DEFAULT_PORT, "default-scheduler", 0)
    assert (o.lease_name, o.lease_namespace, o.score_weights) == (
        "kube-scheduler", "kube-system", {})


@pytest.mark.parametrize(("argv", "field", "value"), [
    (["--leader-elect=false"], "leader_elect", False),
    (["--leader-elect", "false"], "leader_elect", False),
    (["--leader-elect"], "leader_elect", True),
    (["--lease-duration", "1m", "--renew-deadline", "30s"], "lease_duration", 60.0),
    (["--leader-elect-lease-duration=20s"], "lease_duration", 20.0),
    (["--retry-period", "500ms"], "retry_period", 0.5),
    (["--percentage-of-nodes-to-score", "30"], "percentage_of_nodes_to_score", 30),
    (["--port", "0"], "port", 0),
    (["--server", "http://h:1"], "server", "http://h:1"),
    (["--scheduler-name", "mine"], "scheduler_name", "mine"),
    (["--score-weight", "ImageLocality=0", "--score-weight", "OwnerSpread=5"],
     "score_weights", {"ImageLocality": 0, "OwnerSpread": 5}),
    (["--pod-max-backoff", "1m"], "max_backoff", 60.0),
])
def test_flags(argv, field, value):
    assert getattr(parse_options(argv), field) == value


@pytest.mark.parametrize("argv", [
    ["--lease-duration", "5s"],  # not longer than the renew deadline
    ["--lease-duration", "soon"],
    ["--leader-elect=maybe"],
    ["--percentage-of-nodes-to-score", "101"],
    ["--score-weight", "Nope=1"],
    ["--score-weight", "ImageLocality=-1"],
])
def test_bad_flags_exit(argv, capsys):
    with pytest.raises(SystemExit):
        parse_options(argv)
    assert "tug-scheduler" in capsys.readouterr().err
