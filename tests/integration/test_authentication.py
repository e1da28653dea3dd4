"""Authentication on a real tug-apiserver with its secure port and the default
authorization (Node,RBAC): client certificates, the token file, bootstrap tokens,
anonymous requests, 401s, and the loopback insecure port — seen through httpx,
WebSockets, real kubectl and the official Python client."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import json
import os
import ssl
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import kubernetes
import pytest
from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import InvalidStatus

from tests.support.pki import CertPair, TestPKI
from tests.support.processes import ApiServerProcess, free_port, wait_until

KUBECTL = "/usr/bin/kubectl"
WHOAMI = "/apis/authentication.k8s.io/v1/selfsubjectreviews"
SSR = {"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"}
UNAUTHORIZED = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": "Unauthorized", "reason": "Unauthorized", "code": 401}


class Cluster:
    def __init__(self, pki: TestPKI, server: ApiServerProcess, secure_port: int):
        self.pki, self.server = pki, server
        self.url = f"https://127.0.0.1:{secure_port}"
        self.alice = pki.client("alice", ("dev", "qa"))
        self.admin = pki.client("kubernetes-admin", ("system:masters",), stem="admin")

    def context(self, client: CertPair | None = None) -> ssl.SSLContext:
        ctx = ssl.create_default_context(cafile=str(self.pki.ca.cert))
        if client is not None:
            ctx.load_cert_chain(str(client.cert), str(client.key))
        return ctx

    def client(self, cert: CertPair | None = None, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, verify=self.context(cert), headers=headers,
                            timeout=10)

    def whoami(self, cert: CertPair | None = None, token: str | None = None) -> dict[str, Any]:
        with self.client(cert, token) as c:
            r = c.post(WHOAMI, json=SSR)
        assert r.status_code == 201, r.text
        return r.json()["status"]["userInfo"]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    root = tmp_path_factory.mktemp("authn")
    pki = TestPKI(root / "pki")
    serving = pki.serving()
    tokens = root / "tokens.csv"
    tokens.write_text('bob-token,bob,uid-bob,"ops,system:monitoring"\n')
    port = free_port()
    server = ApiServerProcess(root, extra=[
        "--secure-port", str(port), "--bind-address", "127.0.0.1",
        "--tls-cert-file", str(serving.cert), "--tls-private-key-file", str(serving.key),
        "--client-ca-file", str(pki.ca.cert), "--token-auth-file", str(tokens),
        "--enable-bootstrap-token-auth"])
    server.start()
    c = Cluster(pki, server, port)
    wait_until(lambda: c.client().get("/readyz").status_code == 200, what="the secure port")
    yield c
    server.stop()


def test_a_client_certificate_is_its_common_name_and_organizations(cluster: Cluster) -> None:
    assert cluster.whoami(cluster.alice) == {
        "username": "alice", "groups": ["dev", "qa", "system:authenticated"]}


def test_a_token_file_user(cluster: Cluster) -> None:
    assert cluster.whoami(token="bob-token") == {
        "username": "bob", "uid": "uid-bob",
        "groups": ["ops", "system:monitoring", "system:authenticated"]}


def test_a_bad_token_is_401_even_for_health_checks(cluster: Cluster) -> None:
    with cluster.client(token="not-a-token") as c:
        for path in ("/api/v1/namespaces", "/healthz"):
            r = c.get(path)
            assert (r.status_code, r.json()) == (401, UNAUTHORIZED)
            assert "www-authenticate" not in r.headers


def test_no_credentials_is_anonymous_who_may_read_only_public_info(cluster: Cluster) -> None:
    with cluster.client() as c:
        assert c.get("/healthz").status_code == 200
        assert c.get("/version").json()["major"] == "1"
        r = c.post(WHOAMI, json=SSR)
    assert r.status_code == 403
    assert r.json()["message"].startswith('selfsubjectreviews.authentication.k8s.io is '
                                          'forbidden: User "system:anonymous" cannot create')


def test_headers_cannot_make_a_request_privileged(cluster: Cluster) -> None:
    with cluster.client() as c:
        r = c.get("/api/v1/namespaces", headers={"X-Forwarded-Proto": "http",
                                                 "X-Forwarded-For": "127.0.0.1",
                                                 "tugboat.insecure": "true",
                                                 "X-Remote-User": "admin"})
    assert r.status_code == 403
    assert 'User "system:anonymous" cannot list resource "namespaces"' in r.json()["message"]


def test_a_certificate_from_another_ca_cannot_connect(cluster: Cluster,
                                                      tmp_path: Path) -> None:
    stranger = TestPKI(tmp_path, "someone-else").client("alice", ("system:masters",))
    # The handshake fails; under TLS 1.3 the client learns it on its first read.
    with pytest.raises(httpx.TransportError), cluster.client(stranger) as c:
        c.post(WHOAMI, json=SSR)


def test_the_insecure_port_stays_privileged_and_works(cluster: Cluster) -> None:
    with httpx.Client(base_url=cluster.server.url, timeout=10) as c:
        r = c.post(WHOAMI, json=SSR)
        assert r.json()["status"]["userInfo"]["username"] == "system:unsecured"
        assert "system:masters" in r.json()["status"]["userInfo"]["groups"]
        assert c.get("/api/v1/namespaces/default").status_code == 200


def _token_review(token: str, audiences: list[str] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview",
                            "spec": {"token": token}}
    if audiences:
        body["spec"]["audiences"] = audiences
    return body


def test_token_review(cluster: Cluster) -> None:
    with cluster.client(cluster.admin) as c:
        ok = c.post("/apis/authentication.k8s.io/v1/tokenreviews", json=_token_review("bob-token"))
        bad = c.post("/apis/authentication.k8s.io/v1/tokenreviews", json=_token_review("nope"))
        other = c.post("/apis/authentication.k8s.io/v1/tokenreviews",
                       json=_token_review("bob-token", ["some-other-audience"]))
        empty = c.post("/apis/authentication.k8s.io/v1/tokenreviews", json=_token_review(""))
    assert ok.status_code == 201
    assert ok.json()["status"] == {
        "authenticated": True, "audiences": ["https://kubernetes.default.svc.cluster.local"],
        "user": {"username": "bob", "uid": "uid-bob",
                 "groups": ["ops", "system:monitoring", "system:authenticated"]}}
    assert bad.json()["status"] == {"error": "invalid bearer token"}
    assert "authenticated" not in other.json()["status"]
    assert (empty.status_code, empty.json()["message"]) == (
        400, "token is required for TokenReview in authentication")


def _bootstrap_secret(token_id: str, secret: str, expiration: dt.datetime) -> dict[str, Any]:
    def b64(s: str) -> str:
        return base64.b64encode(s.encode()).decode()
    return {"apiVersion": "v1", "kind": "Secret", "type": "bootstrap.kubernetes.io/token",
            "metadata": {"name": f"bootstrap-token-{token_id}", "namespace": "kube-system"},
            "data": {"token-id": b64(token_id), "token-secret": b64(secret),
                     "usage-bootstrap-authentication": b64("true"),
                     "auth-extra-groups": b64("system:bootstrappers:worker"),
                     "expiration": b64(expiration.strftime("%Y-%m-%dT%H:%M:%SZ"))}}


def test_bootstrap_tokens_until_they_expire_or_are_deleted(cluster: Cluster) -> None:
    now = dt.datetime.now(dt.timezone.utc)
    with httpx.Client(base_url=cluster.server.url, timeout=10) as admin:
        for token_id, expires in (("live01", now + dt.timedelta(hours=1)),
                                  ("gone01", now - dt.timedelta(seconds=1))):
            r = admin.post("/api/v1/namespaces/kube-system/secrets",
                           json=_bootstrap_secret(token_id, "0123456789abcdef", expires))
            assert r.status_code == 201, r.text
        assert cluster.whoami(token="live01.0123456789abcdef") == {
            "username": "system:bootstrap:live01",
            "groups": ["system:bootstrappers", "system:bootstrappers:worker",
                       "system:authenticated"]}
        with cluster.client(token="gone01.0123456789abcdef") as c:
            assert c.post(WHOAMI, json=SSR).status_code == 401
        with cluster.client(token="live01.ffffffffffffffff") as c:
            assert c.post(WHOAMI, json=SSR).status_code == 401
        admin.delete("/api/v1/namespaces/kube-system/secrets/bootstrap-token-live01")
        with cluster.client(token="live01.0123456789abcdef") as c:
            wait_until(lambda: c.post(WHOAMI, json=SSR).status_code == 401,
                       what="the deleted token to stop working")


def _upgrade_status(uri: str, ctx: ssl.SSLContext, headers: dict[str, str] | None = None
                    ) -> int:
    """The status a refused WebSocket upgrade gets. The asyncio client: the sync one can
    hang for good joining its reader thread on a TLS socket once its handshake times out."""
    async def attempt() -> int:
        try:
            async with ws_connect(uri, ssl=ctx, subprotocols=["v5.channel.k8s.io"],
                                  additional_headers=headers, open_timeout=30):
                pass
        except InvalidStatus as refused:
            return refused.response.status_code
        pytest.fail("the upgrade was accepted")
    return asyncio.run(attempt())


def test_websockets_are_authenticated_too(cluster: Cluster) -> None:
    uri = cluster.url.replace("https", "wss") + \
        "/api/v1/namespaces/default/pods/nope/exec?command=true&stdout=1"
    assert _upgrade_status(uri, cluster.context(), {"Authorization": "Bearer not-a-token"}) \
        == 401
    # With a good certificate the request gets past authentication (to a 403: alice may
    # not exec; or, for the admin, a 404: there is no such pod).
    for who, code in ((cluster.alice, 403), (cluster.admin, 404)):
        assert _upgrade_status(uri, cluster.context(who)) == code


def test_real_kubectl_over_tls_with_a_client_certificate(cluster: Cluster,
                                                         tmp_path: Path) -> None:
    config = cluster.pki.kubeconfig(tmp_path / "kubeconfig", cluster.url, cluster.admin)
    env = {**os.environ, "KUBECONFIG": str(config), "HOME": str(tmp_path)}

    def kubectl(*args: str) -> str:
        p = subprocess.run([KUBECTL, *args], env=env, capture_output=True, text=True,
                           timeout=60)
        assert p.returncode == 0, p.stderr
        return p.stdout

    assert "kube-system" in kubectl("get", "ns")
    whoami = json.loads(kubectl("auth", "whoami", "-o", "json"))
    assert whoami["status"]["userInfo"] == {
        "username": "kubernetes-admin", "groups": ["system:masters", "system:authenticated"]}
    table = kubectl("auth", "whoami")
    assert "Username    kubernetes-admin" in table
    assert "Groups      [system:masters system:authenticated]" in table


def test_the_python_client_over_tls_with_a_client_certificate(cluster: Cluster) -> None:
    cfg = kubernetes.client.Configuration()
    cfg.host = cluster.url
    cfg.ssl_ca_cert = str(cluster.pki.ca.cert)
    cfg.cert_file, cfg.key_file = str(cluster.admin.cert), str(cluster.admin.key)
    with kubernetes.client.ApiClient(cfg) as api:
        names = [ns.metadata.name for ns in kubernetes.client.CoreV1Api(api).list_namespace().items]
        review = kubernetes.client.AuthenticationV1Api(api).create_self_subject_review(
            kubernetes.client.V1SelfSubjectReview())
    assert "default" in names
    assert review.status.user_info.username == "kubernetes-admin"


def test_a_non_loopback_insecure_port_is_refused(tmp_path: Path) -> None:
    p = subprocess.run([sys.executable, "-m", "tugboat.apiserver", "--host", "0.0.0.0",
                        "--port", str(free_port()), "--store", f"sqlite:///{tmp_path}/db"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 1
    assert p.stderr.strip().count("\n") == 0
    assert p.stderr.startswith("tug-apiserver: --host 0.0.0.0: the insecure port")
