"""A fake upstream resolver on a loopback address, standing in for the host's resolvers so
that no query leaves this host. It answers from a small table, truncates over UDP what is
marked big (so the client must retry over TCP), never answers what is marked slow, and
remembers every question with the protocol it came over."""

from __future__ import annotations

import socket
import socketserver
import struct
import threading

import dns.flags
import dns.message
import dns.rdatatype
import dns.rrset

ADDRESSES = {
    "example.test.": ["192.0.2.10"],
    "search.example.test.": ["192.0.2.20"],
    "big.example.test.": [f"192.0.2.{i}" for i in range(1, 101)],
}
SLOW = "slow.example.test."


class FakeUpstream:
    def __init__(self, host: str = "127.0.0.77"):
        self.host = host
        self.asked: list[tuple[str, str, str]] = []  # (proto, name, type)
        upstream = self

        class UDP(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                data, sock = self.request
                response = upstream.answer(data, "udp")
                if response is not None:
                    sock.sendto(response, self.client_address)

        class TCP(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                conn: socket.socket = self.request
                head = conn.recv(2, socket.MSG_WAITALL)
                if len(head) < 2:
                    return
                data = conn.recv(struct.unpack("!H", head)[0], socket.MSG_WAITALL)
                response = upstream.answer(data, "tcp")
                if response is not None:
                    conn.sendall(struct.pack("!H", len(response)) + response)

        self._tcp = socketserver.ThreadingTCPServer((host, 0), TCP)
        self.port = self._tcp.server_address[1]
        self._udp = socketserver.ThreadingUDPServer((host, self.port), UDP)
        self._threads = [threading.Thread(target=s.serve_forever, daemon=True)
                         for s in (self._tcp, self._udp)]

    def __enter__(self) -> FakeUpstream:
        for t in self._threads:
            t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        for s in (self._tcp, self._udp):
            s.shutdown()
            s.server_close()

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def answer(self, wire: bytes, proto: str) -> bytes | None:
        query = dns.message.from_wire(wire)
        question = query.question[0]
        name = question.name.to_text().lower()
        self.asked.append((proto, name, dns.rdatatype.to_text(question.rdtype)))
        if name == SLOW:
            return None
        response = dns.message.make_response(query, recursion_available=True)
        addresses = ADDRESSES.get(name)
        if addresses is None:
            response.set_rcode(dns.rcode.NXDOMAIN)
        elif question.rdtype == dns.rdatatype.A:
            if proto == "udp" and len(addresses) > 10:
                response.flags |= dns.flags.TC
                return response.to_wire()
            response.answer.append(dns.rrset.from_text_list(question.name, 300, "IN", "A",
                                                            addresses))
        return response.to_wire()
