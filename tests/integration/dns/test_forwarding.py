"""Names outside the cluster go to the upstream resolver (a fake one on 127.0.0.77): UDP,
TCP when the upstream truncates, SERVFAIL when it does not answer in time."""

from __future__ import annotations

import time

import dns.flags
import dns.rcode

from tests.integration.dns.conftest import DNSProcess
from tests.integration.dns.test_cluster_records import records
from tests.integration.dns.upstream import FakeUpstream


def test_other_names_are_forwarded(tugdns: DNSProcess, upstream: FakeUpstream):
    assert records(tugdns.query("example.test")) == ["A 192.0.2.10"]
    assert ("udp", "example.test.", "A") in upstream.asked
    assert tugdns.query("missing.example.test").rcode() == dns.rcode.NXDOMAIN


def test_a_truncated_upstream_answer_is_retried_over_tcp(tugdns: DNSProcess,
                                                        upstream: FakeUpstream):
    response = tugdns.query("big.example.test", tcp=True)
    assert len(records(response)) == 100
    assert ("tcp", "big.example.test.", "A") in upstream.asked
    upstream.asked.clear()
    # asked over UDP, the client gets a truncated answer from us, as from any resolver
    udp = tugdns.query("big.example.test")
    assert udp.flags & dns.flags.TC
    assert [a[0] for a in upstream.asked] == ["udp", "tcp"]


def test_an_upstream_that_does_not_answer_gives_servfail(tugdns: DNSProcess):
    start = time.monotonic()
    response = tugdns.query("slow.example.test", timeout=10)
    assert response.rcode() == dns.rcode.SERVFAIL
    assert time.monotonic() - start < 5  # the --upstream-timeout of 500ms, not forever
