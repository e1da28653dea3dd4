"""Forwarding of names outside the cluster (CoreDNS's forward plugin): each upstream in
turn, over UDP and again over TCP when the answer comes back truncated (or over TCP at once
when the client asked over TCP), each try bounded by a timeout; SERVFAIL when none answers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import dns.asyncquery
import dns.exception
import dns.flags
import dns.message
import dns.rcode

from tugboat.dns.upstreams import Upstream

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 2.0

# Told (upstream, rcode text or "timeout"/"error") after each try, for the metrics.
Observer = Callable[[Upstream, str], None]


class Forwarder:
    def __init__(self, upstreams: list[Upstream], timeout: float = DEFAULT_TIMEOUT,
                 observe: Observer | None = None):
        self.upstreams = upstreams
        self.timeout = timeout
        self._observe = observe or (lambda upstream, outcome: None)

    async def forward(self, query: dns.message.Message, tcp: bool = False
                      ) -> dns.message.Message:
        for upstream in self.upstreams:
            try:
                response = await self._exchange(query, upstream, tcp)
            except dns.exception.Timeout:
                self._observe(upstream, "timeout")
                log.warning("upstream %s timed out", upstream)
                continue
            except (OSError, dns.exception.DNSException) as e:
                self._observe(upstream, "error")
                log.warning("upstream %s failed: %s", upstream, e)
                continue
            self._observe(upstream, dns.rcode.to_text(response.rcode()))
            return response
        return servfail(query)

    async def _exchange(self, query: dns.message.Message, upstream: Upstream, tcp: bool
                        ) -> dns.message.Message:
        if not tcp:
            response = await dns.asyncquery.udp(query, upstream.host, self.timeout,
                                                upstream.port, ignore_unexpected=True)
            if not response.flags & dns.flags.TC:
                return response
        return await dns.asyncquery.tcp(query, upstream.host, self.timeout, upstream.port)


def servfail(query: dns.message.Message) -> dns.message.Message:
    response = dns.message.make_response(query)
    response.flags |= dns.flags.RA
    response.set_rcode(dns.rcode.SERVFAIL)
    return response
