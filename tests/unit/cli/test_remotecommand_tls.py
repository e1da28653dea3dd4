"""`tug exec`'s WebSocket over TLS: the same ssl context as the REST client — the
kubeconfig's CA and client certificate — against a local wss:// server that requires a
client certificate and speaks v5.channel.k8s.io."""

from __future__ import annotations

import io
import json
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from websockets.sync.server import ServerConnection, serve

from tugboat.cli import remotecommand
from tugboat.cli.up.certlist import ClusterPKI, ensure_certificates
from tugboat.cli.up.hostaddresses import HostAddresses
from tugboat.client import ClientConfig
from tugboat.client.tls import transport_verify


def answer(ws: ServerConnection) -> None:
    """stdout says whose certificate the server saw; then a Success Status."""
    peer = ws.socket.getpeercert() or {}  # type: ignore[attr-defined]
    cn = next(v for rdn in peer["subject"] for k, v in rdn if k == "commonName")
    ws.send(bytes([remotecommand.STDOUT]) + f"hello {cn}\n".encode())
    ws.send(bytes([remotecommand.ERROR]) + json.dumps({"status": "Success"}).encode())
    ws.close()


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> ClusterPKI:
    host = HostAddresses(("localhost",), ("127.0.0.1",))
    return ensure_certificates(tmp_path_factory.mktemp("pki"), "node-a", host)[0]


@pytest.fixture(scope="module")
def server(pki: ClusterPKI) -> Iterator[str]:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(pki["apiserver"].cert_path, pki["apiserver"].key_path)
    ctx.load_verify_locations(pki.ca.cert_path)
    ctx.verify_mode = ssl.CERT_REQUIRED
    with serve(answer, "127.0.0.1", 0, ssl=ctx,
               subprotocols=[remotecommand.PROTOCOL]) as wss:  # type: ignore[list-item]
        threading.Thread(target=wss.serve_forever, daemon=True).start()
        yield f"https://127.0.0.1:{wss.socket.getsockname()[1]}"
        wss.shutdown()


def request(server: str, config: ClientConfig) -> remotecommand.ExecRequest:
    return remotecommand.ExecRequest(server, "/api/v1/namespaces/default/pods/web/exec",
                                     ["echo", "hi"], "app", verify=transport_verify(config))


def test_exec_presents_the_client_certificate(server: str, pki: ClusterPKI) -> None:
    config = ClientConfig(server=server, certificate_authority_data=pki.ca.cert_pem,
                          client_certificate_data=pki["admin"].cert_pem,
                          client_key_data=pki["admin"].key_pem)
    out, err = io.BytesIO(), io.BytesIO()
    ws = remotecommand.open_connection(request(server, config))
    assert remotecommand.run(ws, None, out, err) == 0
    assert out.getvalue() == b"hello kubernetes-admin\n"


def test_exec_without_a_client_certificate_is_refused(server: str, pki: ClusterPKI,
                                                      tmp_path: Path) -> None:
    config = ClientConfig(server=server, certificate_authority_data=pki.ca.cert_pem)
    with pytest.raises(remotecommand.RemoteCommandError, match="closed the connection"):
        remotecommand.open_connection(request(server, config))
