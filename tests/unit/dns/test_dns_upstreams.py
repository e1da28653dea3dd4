"""Upstream resolvers: the flag's forms, the host's resolv.conf, and no loops to ourselves."""

from __future__ import annotations

import pytest

from tugboat.dns.upstreams import (
    Upstream,
    parse_upstream,
    resolv_conf_upstreams,
    without_loops,
)


@pytest.mark.parametrize("text, expected", [
    ("127.0.0.5", Upstream("127.0.0.5", 53)),
    ("127.0.0.5:5353", Upstream("127.0.0.5", 5353)),
    ("::1", Upstream("::1", 53)),
    ("[::1]:5353", Upstream("::1", 5353)),
])
def test_parse_upstream(text, expected):
    assert parse_upstream(text) == expected


@pytest.mark.parametrize("text", ["dns.example.org", "127.0.0.1:99999", "[::1", "1.2.3.4:x"])
def test_parse_upstream_refuses(text):
    with pytest.raises(ValueError):
        parse_upstream(text)


def test_resolv_conf_nameservers(tmp_path):
    conf = tmp_path / "resolv.conf"
    conf.write_text("# generated\nsearch example.org\nnameserver 127.0.0.53\n"
                    "nameserver ::1 # local\nnameserver bogus\noptions ndots:5\n")
    assert resolv_conf_upstreams(conf) == [Upstream("127.0.0.53"), Upstream("::1")]
    assert resolv_conf_upstreams(tmp_path / "missing") == []


def test_loops_to_ourselves_are_dropped():
    ups = [Upstream("127.0.0.53"), Upstream("127.0.0.1"), Upstream("192.0.2.7")]
    # listening on all addresses at 53: any local address is us, 192.0.2.7 is not ours
    assert without_loops(ups, "0.0.0.0", 53) == [Upstream("192.0.2.7")]
    # on one address: only that one is us
    assert without_loops(ups, "127.0.0.1", 53) == [Upstream("127.0.0.53"),
                                                   Upstream("192.0.2.7")]
    # on another port nothing loops
    assert without_loops(ups, "0.0.0.0", 10053) == ups
