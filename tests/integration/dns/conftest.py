"""tug-dns against a real API server: the DNS process on free loopback ports, forwarding
to a fake upstream on 127.0.0.77, queried with dnspython."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import dns.message
import dns.query
import httpx
import pytest

from tests.integration.dns.upstream import FakeUpstream
from tests.support.processes import free_port, wait_until


class DNSProcess:
    """A real tug-dns on a free loopback port, with its health port."""

    def __init__(self, server: str, log_path: Path, *extra: str, port: int | None = None):
        self.server, self.log_path, self.extra = server, log_path, list(extra)
        self.port = port or free_port()
        self.health_port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, wait: bool = True) -> DNSProcess:
        server = ["--server", self.server] if self.server else []  # else --kubeconfig
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "tugboat.dns", *server,
                 "--bind-address", "127.0.0.1", "--port", str(self.port),
                 "--health-port", str(self.health_port), *self.extra],
                stdout=log, stderr=subprocess.STDOUT,
                env={**os.environ, "PYTHONUNBUFFERED": "1"})
        if wait:
            wait_until(self.ready, 20, f"tug-dns /ready (log {self.log_path})")
        return self

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.health_port}{path}"

    def ready(self) -> bool:
        if self.proc and self.proc.poll() is not None:
            raise RuntimeError(f"tug-dns exited: {self.log_path.read_text()[-2000:]}")
        return httpx.get(self.url("/ready"), timeout=1).status_code == 200

    def query(self, name: str, rdtype: str = "A", *, tcp: bool = False,
              timeout: float = 5.0) -> dns.message.Message:
        q = dns.message.make_query(name, rdtype)
        send = dns.query.tcp if tcp else dns.query.udp
        return send(q, "127.0.0.1", timeout=timeout, port=self.port)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15) -> int | None:
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


@pytest.fixture(scope="module")
def upstream() -> Iterator[FakeUpstream]:
    with FakeUpstream() as fake:
        yield fake


@pytest.fixture(scope="module")
def tugdns(apiserver, upstream: FakeUpstream, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[DNSProcess]:
    log = tmp_path_factory.mktemp("dns") / "tug-dns.log"
    proc = DNSProcess(apiserver.url, log, "--upstream", upstream.address,
                      "--upstream-timeout", "500ms").start()
    yield proc
    proc.stop()
