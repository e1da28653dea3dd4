"""The fuzz suite's server: a real tug-apiserver on the insecure loopback port, with its
address space capped so that input which makes it grow without bound fails the suite (the
server dies, every later case fails) instead of taking the machine down."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from collections.abc import Iterator

import pytest

from tests.support.pki import service_account_key
from tests.support.processes import ApiServerProcess, wait_until

ADDRESS_SPACE_CAP = 1536 * 1024 * 1024  # idle it maps ~330 MB; RSS is checked separately


class CappedApiServer(ApiServerProcess):
    def start(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "tugboat.apiserver", "--port", str(self.port),
                 "--store", f"sqlite:///{self.db}", *self.extra],
                stdout=log, stderr=subprocess.STDOUT, preexec_fn=_cap,
                env={**os.environ, "PYTHONUNBUFFERED": "1"})
        wait_until(self.ready, 30, f"apiserver on {self.url} (log {self.log_path})")

    def rss_bytes(self) -> int:
        assert self.proc is not None
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        raise AssertionError("no VmRSS for the apiserver")


def _cap() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE_CAP, ADDRESS_SPACE_CAP))


@pytest.fixture(scope="package")
def fuzz_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CappedApiServer]:
    d = tmp_path_factory.mktemp("fuzz-apiserver")
    key = service_account_key(d / "sa.key")  # so serviceaccounts/token is served, not 5xx
    proc = CappedApiServer(d, extra=["--service-account-signing-key-file", str(key),
                                     "--service-account-key-file", str(key.with_suffix(".pub"))])
    proc.start()
    yield proc
    proc.stop()
