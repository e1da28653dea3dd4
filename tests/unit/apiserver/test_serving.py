"""Which listeners tug-apiserver opens for its flags, and the loopback rule of the
insecure port."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.pki import TestPKI
from tugboat.apiserver.__main__ import listeners, parse_args
from tugboat.apiserver.serving import is_loopback


@pytest.mark.parametrize("host,ok", [("127.0.0.1", True), ("127.1.2.3", True), ("::1", True),
                                     ("localhost", True), ("0.0.0.0", False), ("::", False),
                                     ("10.0.0.1", False), ("example.com", False)])
def test_loopback(host: str, ok: bool) -> None:
    assert is_loopback(host) is ok


def test_only_the_insecure_port_without_a_serving_certificate() -> None:
    (only,) = listeners(parse_args(["--port", "8081"]))
    assert (only.host, only.port, only.ssl) == ("127.0.0.1", 8081, None)


def test_a_non_loopback_insecure_port_is_refused() -> None:
    with pytest.raises(SystemExit) as e:
        listeners(parse_args(["--host", "0.0.0.0", "--port", "8081"]))
    assert "only on loopback" in str(e.value.code)


def test_both_ports_with_a_certificate_and_insecure_port_zero_disables(tmp_path: Path) -> None:
    pki = TestPKI(tmp_path)
    pair = pki.serving()
    tls = ["--tls-cert-file", str(pair.cert), "--tls-private-key-file", str(pair.key),
           "--client-ca-file", str(pki.ca.cert), "--bind-address", "127.0.0.1"]
    secure, insecure = listeners(parse_args([*tls, "--secure-port", "7443"]))
    assert secure.url == "https://127.0.0.1:7443" and insecure.url == "http://127.0.0.1:8080"
    (secure,) = listeners(parse_args([*tls, "--insecure-port", "0"]))
    assert secure.port == 6443


def test_nothing_to_serve_is_an_error() -> None:
    with pytest.raises(SystemExit, match="nothing to serve"):
        listeners(parse_args(["--port", "0"]))


def test_a_certificate_needs_its_key() -> None:
    with pytest.raises(SystemExit, match="go together"):
        listeners(parse_args(["--tls-cert-file", "x.crt"]))
