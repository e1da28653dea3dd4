"""The DNS listeners: UDP datagrams and TCP streams (two-byte length prefix, RFC 1035
§4.2.2; several queries may share a connection) on one address and port. Both hand the
bytes to the QueryHandler; the handler decides everything about the answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import struct

from tugboat.dns.handler import QueryHandler

log = logging.getLogger(__name__)

MAX_IN_FLIGHT = 1024  # UDP queries answered at once; past that they are dropped, and retried
TCP_IDLE_TIMEOUT = 10.0  # CoreDNS's default idle timeout for TCP connections


class DNSServer:
    def __init__(self, handler: QueryHandler, host: str, port: int):
        self.handler = handler
        self.host, self.port = host, port
        self._udp: asyncio.DatagramTransport | None = None
        self._tcp: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._streams: set[asyncio.StreamWriter] = set()

    async def start(self) -> int:
        """Listen on UDP, then TCP on the same port; returns the port (useful for port 0)."""
        loop = asyncio.get_running_loop()
        self._udp, _ = await loop.create_datagram_endpoint(
            lambda: _Datagrams(self), local_addr=(self.host, self.port))
        self.port = self._udp.get_extra_info("sockname")[1]
        try:
            self._tcp = await asyncio.start_server(self._stream, self.host, self.port)
        except OSError:
            self._udp.close()
            raise
        log.info("serving DNS on %s:%d (udp and tcp)", self.host, self.port)
        return self.port

    async def stop(self) -> None:
        if self._udp is not None:
            self._udp.close()
        if self._tcp is not None:
            self._tcp.close()
            for writer in list(self._streams):  # idle clients would hold wait_closed open
                writer.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._tcp.wait_closed(), 2)
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def _datagram(self, wire: bytes, peer: tuple[str, int]) -> None:
        if len(self._tasks) >= MAX_IN_FLIGHT:
            return
        task = asyncio.create_task(self._answer_datagram(wire, peer))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _answer_datagram(self, wire: bytes, peer: tuple[str, int]) -> None:
        try:
            response = await self.handler.handle(wire, tcp=False, ipv6=":" in peer[0])
        except Exception:
            log.exception("query from %s failed", peer[0])
            return
        if response is not None and self._udp is not None and not self._udp.is_closing():
            self._udp.sendto(response, peer)

    async def _stream(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
                      ) -> None:
        peer = writer.get_extra_info("peername") or ("", 0)
        self._streams.add(writer)
        try:
            while True:
                head = await asyncio.wait_for(reader.readexactly(2), TCP_IDLE_TIMEOUT)
                wire = await asyncio.wait_for(
                    reader.readexactly(struct.unpack("!H", head)[0]), TCP_IDLE_TIMEOUT)
                response = await self.handler.handle(wire, tcp=True, ipv6=":" in peer[0])
                if response is None:
                    break
                writer.write(struct.pack("!H", len(response)) + response)
                await writer.drain()
        except (asyncio.IncompleteReadError, TimeoutError, ConnectionError):
            pass
        except Exception:
            log.exception("TCP connection from %s failed", peer[0])
        finally:
            self._streams.discard(writer)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()


class _Datagrams(asyncio.DatagramProtocol):
    def __init__(self, server: DNSServer):
        self.server = server

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:  # type: ignore[override]
        self.server._datagram(data, addr)

    def error_received(self, exc: Exception) -> None:
        log.debug("udp: %s", exc)
