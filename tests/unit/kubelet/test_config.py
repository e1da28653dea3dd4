"""tug-kubelet flags."""

from __future__ import annotations

import pytest

from tugboat.kubelet.config import parse_args


def test_defaults_and_durations() -> None:
    c = parse_args(["--node-name", "n1"])
    assert (c.port, c.runtime, c.backoff_base, c.backoff_max) == (10250, "docker", 10, 300)
    assert c.pause_image == "tugboat/pause:3.9"
    c = parse_args(["--backoff-base", "1s", "--backoff-max", "4s",
                    "--node-status-update-frequency", "500ms"])
    assert (c.backoff_base, c.backoff_max, c.node_status_update_frequency) == (1, 4, 0.5)


def test_bad_flags_exit() -> None:
    with pytest.raises(SystemExit):
        parse_args(["--backoff-base", "ten"])
    with pytest.raises(SystemExit):
        parse_args(["--backoff-base", "10s", "--backoff-max", "1s"])


def test_dns_flags() -> None:
    assert parse_args([]).cluster_dns == ()
    assert parse_args([]).cluster_domain == "cluster.local"
    assert parse_args([]).resolv_conf == "/etc/resolv.conf"
    cfg = parse_args(["--cluster-dns", "10.96.0.10,fd00::a", "--cluster-dns", "10.96.0.11",
                      "--cluster-domain", "corp.local", "--resolv-conf", ""])
    assert cfg.cluster_dns == ("10.96.0.10", "fd00::a", "10.96.0.11")
    assert (cfg.cluster_domain, cfg.resolv_conf) == ("corp.local", "")
    with pytest.raises(SystemExit):
        parse_args(["--cluster-dns", "dns.example"])
