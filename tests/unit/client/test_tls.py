"""The client over TLS: a kubeconfig's CA (embedded or a file path, relative to the file),
its client certificate and key (embedded or files), and insecure-skip-tls-verify, against
a real local HTTPS server that requires a client certificate and says whose it saw."""

from __future__ import annotations

import json
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from tugboat.cli.up.certlist import ClusterPKI, ensure_certificates
from tugboat.cli.up.hostaddresses import HostAddresses
from tugboat.client import (
    ApiClient,
    ConfigError,
    ServerUnreachable,
    SyncApiClient,
    load_config,
    write_kubeconfig,
)
from tugboat.client.tls import ssl_context, transport_verify
from tugboat.scheduler.transport import make_transport

HOST = HostAddresses(("localhost",), ("127.0.0.1",))


class WhoAmI(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        peer = self.connection.getpeercert() or {}
        cn = next((v for rdn in peer.get("subject", ()) for k, v in rdn if k == "commonName"),
                  None)
        body = json.dumps({"user": cn, "authorization": self.headers.get("Authorization")})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> ClusterPKI:
    return ensure_certificates(tmp_path_factory.mktemp("pki"), "node-a", HOST)[0]


@pytest.fixture(scope="module")
def server(pki: ClusterPKI) -> Iterator[str]:
    """https://127.0.0.1:PORT serving the apiserver certificate, client certs required."""
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(pki["apiserver"].cert_path, pki["apiserver"].key_path)
    ctx.load_verify_locations(pki.ca.cert_path)
    ctx.verify_mode = ssl.CERT_REQUIRED
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), WhoAmI)
    httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def admin_kubeconfig(path: Path, server: str, pki: ClusterPKI, **kw: object) -> Path:
    args: dict = {"user": "kubernetes-admin", "certificate_authority_data": pki.ca.cert_pem,
                  "client_certificate_data": pki["admin"].cert_pem,
                  "client_key_data": pki["admin"].key_pem}
    args.update(kw)
    return write_kubeconfig(path, server, **args)


def test_the_embedded_client_certificate_is_presented(tmp_path: Path, server: str,
                                                      pki: ClusterPKI) -> None:
    cfg = load_config(admin_kubeconfig(tmp_path / "config", server, pki))
    with SyncApiClient.from_config(cfg) as client:
        assert client.http.get("/whoami").json()["user"] == "kubernetes-admin"


@pytest.mark.anyio
async def test_the_async_client_too(tmp_path: Path, server: str, pki: ClusterPKI) -> None:
    cfg = load_config(admin_kubeconfig(tmp_path / "config", server, pki, token="t0k"))
    async with ApiClient.from_config(cfg) as client:
        seen = (await client.http.get("/whoami")).json()
    assert seen == {"user": "kubernetes-admin", "authorization": "Bearer t0k"}


@pytest.mark.anyio
async def test_the_schedulers_keepalive_transport_presents_it(tmp_path: Path, server: str,
                                                               pki: ClusterPKI) -> None:
    cfg = load_config(admin_kubeconfig(tmp_path / "config", server, pki))
    async with ApiClient.from_config(cfg, transport=make_transport(transport_verify(cfg))
                                     ) as client:
        assert (await client.http.get("/whoami")).json()["user"] == "kubernetes-admin"


def test_file_paths_relative_to_the_kubeconfig(tmp_path: Path, server: str,
                                               pki: ClusterPKI) -> None:
    (tmp_path / "certs").mkdir()
    for name, data in (("ca.crt", pki.ca.cert_pem), ("sched.crt", pki["scheduler"].cert_pem),
                       ("sched.key", pki["scheduler"].key_pem)):
        (tmp_path / "certs" / name).write_bytes(data)
    doc = {"apiVersion": "v1", "kind": "Config", "current-context": "c",
           "clusters": [{"name": "k", "cluster": {"server": server,
                                                  "certificate-authority": "certs/ca.crt"}}],
           "users": [{"name": "u", "user": {"client-certificate": "certs/sched.crt",
                                            "client-key": "certs/sched.key"}}],
           "contexts": [{"name": "c", "context": {"cluster": "k", "user": "u"}}]}
    (tmp_path / "kubeconfig").write_text(yaml.safe_dump(doc))
    cfg = load_config(tmp_path / "kubeconfig")
    assert cfg.verify == str(tmp_path / "certs" / "ca.crt")
    with SyncApiClient.from_config(cfg) as client:
        assert client.http.get("/whoami").json()["user"] == "system:kube-scheduler"


def test_insecure_skip_tls_verify(tmp_path: Path, server: str, pki: ClusterPKI) -> None:
    path = admin_kubeconfig(tmp_path / "config", server, pki, certificate_authority_data=None)
    doc = yaml.safe_load(path.read_text())
    doc["clusters"][0]["cluster"]["insecure-skip-tls-verify"] = True
    path.write_text(yaml.safe_dump(doc))
    with SyncApiClient.from_config(load_config(path)) as client:
        assert client.http.get("/whoami").json()["user"] == "kubernetes-admin"


def test_another_cas_server_is_refused(tmp_path: Path, server: str, pki: ClusterPKI) -> None:
    other = ensure_certificates(tmp_path / "other", "node-a", HOST)[0]
    cfg = load_config(admin_kubeconfig(tmp_path / "config", server, pki,
                                       certificate_authority_data=other.ca.cert_pem))
    with SyncApiClient.from_config(cfg) as client, pytest.raises(ServerUnreachable):
        client.get("namespaces", "default")


def test_no_client_certificate_is_refused_by_the_server(tmp_path: Path, server: str,
                                                        pki: ClusterPKI) -> None:
    cfg = load_config(admin_kubeconfig(tmp_path / "config", server, pki,
                                       client_certificate_data=None, client_key_data=None))
    with SyncApiClient.from_config(cfg) as client, pytest.raises(ServerUnreachable):
        client.get("namespaces", "default")


def test_a_certificate_without_its_key_is_a_config_error(tmp_path: Path,
                                                         pki: ClusterPKI) -> None:
    cfg = load_config(admin_kubeconfig(tmp_path / "config", "https://127.0.0.1:1", pki,
                                       client_key_data=None))
    with pytest.raises(ConfigError, match="client-certificate and client-key"):
        ssl_context(cfg)


def test_bad_base64_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "config"
    path.write_text(yaml.safe_dump({
        "current-context": "c", "contexts": [{"name": "c", "context": {"cluster": "k"}}],
        "clusters": [{"name": "k", "cluster": {"server": "https://x:1",
                                               "certificate-authority-data": "not base64!"}}]}))
    with pytest.raises(ConfigError, match="certificate-authority-data is not valid base64"):
        load_config(path)
