"""`tug port-forward`'s port arguments, as kubectl reads them: `REMOTE`, `LOCAL:REMOTE`,
`:REMOTE` (a random local port), a pod's named container port, and for a Service a
service port (number or name) turned into the chosen pod's target port — numeric or named
— with the local port defaulting to the service port; and kubectl's messages when a port
is not there."""

from __future__ import annotations

import socket
import threading
from typing import Any

import pytest

from tests.support.processes import wait_until
from tugboat.cli.commands.portforward import addresses, listen_all, port_pairs
from tugboat.cli.errors import CliError
from tugboat.cli.portforwarding import PortPair, forward

POD: dict[str, Any] = {"metadata": {"name": "web-1"}, "spec": {"containers": [
    {"name": "app", "ports": [{"name": "http", "containerPort": 8080}]}]}}
SERVICE: dict[str, Any] = {"metadata": {"name": "web"}, "spec": {"ports": [
    {"name": "http", "port": 80, "targetPort": "http"},
    {"name": "echo", "port": 9000, "targetPort": 9001},
    {"name": "plain", "port": 7000}]}}


def test_pod_ports() -> None:
    assert port_pairs(["5000", "8888:5000", ":6000", "http", "9999:http"], POD, None) == [
        PortPair(5000, 5000), PortPair(8888, 5000), PortPair(0, 6000), PortPair(8080, 8080),
        PortPair(9999, 8080)]


def test_service_ports_become_target_ports() -> None:
    assert port_pairs(["80", "8080:80", ":http", "9000", "echo", "7000"], POD, SERVICE) == [
        PortPair(80, 8080), PortPair(8080, 8080), PortPair(0, 8080), PortPair(9000, 9001),
        PortPair(9000, 9001), PortPair(7000, 7000)]


@pytest.mark.parametrize("spec, service, message", [
    ("81", SERVICE, "Service web does not have a service port 81"),
    ("nope", SERVICE, "Service 'web' does not have a named port 'nope'"),
    ("nope", None, "Pod 'web-1' does not have a named port 'nope'"),
    ("70000", None, "Error parsing remote port '70000': should be between 0 and 65535"),
    ("x:80", None, "Error parsing local port 'x': should be between 0 and 65535"),
    ("0", None, "Error parsing remote port '0': should be between 1 and 65535"),
])
def test_port_errors(spec: str, service: dict[str, Any] | None, message: str) -> None:
    with pytest.raises(CliError) as e:
        port_pairs([spec], POD, service)
    assert str(e.value) == message


def test_addresses() -> None:
    assert addresses("localhost") == ["127.0.0.1", "::1"]
    assert addresses("0.0.0.0, localhost") == ["0.0.0.0", "127.0.0.1", "::1"]


def test_a_random_local_port_is_the_same_on_every_address(
        capsys: pytest.CaptureFixture[str]) -> None:
    listeners = listen_all([PortPair(0, 80)], "localhost")
    try:
        ports = {pair.local for _sock, pair in listeners}
        assert len(ports) == 1 and 0 not in ports
        port = ports.pop()
        assert f"Forwarding from 127.0.0.1:{port} -> 80" in capsys.readouterr().out
    finally:
        for sock, _pair in listeners:
            sock.close()


class _ErroringSocket:
    """A v4 channel WebSocket whose pod side fails at once: both port prefixes, then an
    error on the error channel."""

    def __init__(self) -> None:
        self.closed = False

    def __iter__(self):  # type: ignore[no-untyped-def]
        yield bytes([0, 80, 0])
        yield bytes([1, 80, 0])
        yield bytes([1]) + b"dial tcp 10.244.0.2:80: connect: connection refused"

    def send(self, _data: bytes) -> None:
        pass

    def close(self) -> None:
        self.closed = True


class _Target:
    def __init__(self) -> None:
        self.ws = _ErroringSocket()

    def open(self, _port: int) -> _ErroringSocket:
        return self.ws


def test_an_error_from_the_pod_ends_the_local_connection(
        capsys: pytest.CaptureFixture[str]) -> None:
    # The local client is told at once (EOF), not left waiting on a socket that only
    # closes when it next writes; and the thread copying its bytes ends with it.
    local, client = socket.socketpair()
    client.settimeout(10)
    target = _Target()
    before = threading.active_count()
    forward(local, target, 80)  # type: ignore[arg-type]
    assert client.recv(10) == b""
    assert target.ws.closed
    wait_until(lambda: threading.active_count() <= before, 10, "the relay threads to end")
    assert threading.active_count() == before
    assert "connection refused" in capsys.readouterr().err
    client.close()
