"""The fuzz suite's server: a real tug-apiserver on the insecure loopback port, with its
address space capped so that input which makes it grow without bound fails the suite (the
server dies, every later case fails) instead of taking the machine down."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.pki import service_account_key
from tests.support.processes import ApiServerProcess

ADDRESS_SPACE_CAP = 1536 * 1024 * 1024  # idle it maps ~330 MB; RSS is checked separately


@pytest.fixture(scope="package")
def fuzz_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServerProcess]:
    d = tmp_path_factory.mktemp("fuzz-apiserver")
    key = service_account_key(d / "sa.key")  # so serviceaccounts/token is served, not 5xx
    proc = ApiServerProcess(d, extra=["--service-account-signing-key-file", str(key),
                                      "--service-account-key-file", str(key.with_suffix(".pub"))],
                            address_space=ADDRESS_SPACE_CAP)
    proc.start()
    yield proc
    proc.stop()
