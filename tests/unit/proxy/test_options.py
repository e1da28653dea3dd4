"""tug-proxy's flags: kube-proxy's names, Go durations, defaults."""

from __future__ import annotations

import pytest

from tugboat.proxy.options import parse_options


def test_defaults_are_kube_proxys() -> None:
    o = parse_options(["--hostname-override", "n1"])
    assert (o.node_name, o.healthz_port, o.metrics_port, o.sync_period, o.min_sync_period,
            o.service_cidr, o.cluster_cidr, o.cleanup) == \
        ("n1", 10256, 10249, 30.0, 1.0, "10.96.0.0/12", None, False)


def test_flags() -> None:
    o = parse_options(["--iptables-sync-period=1m", "--min-sync-period", "250ms",
                       "--nodeport-addresses", "192.0.2.1, 198.51.100.0/24",
                       "--cluster-cidr", "10.244.0.0/16", "--cleanup"])
    assert (o.sync_period, o.min_sync_period, o.nodeport_addresses, o.cluster_cidr,
            o.cleanup) == (60.0, 0.25, ["192.0.2.1", "198.51.100.0/24"], "10.244.0.0/16",
                           True)
    assert o.node_name  # the host name by default


def test_bad_durations_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        parse_options(["--iptables-sync-period", "soon"])
    assert "--iptables-sync-period" in capsys.readouterr().err
