"""Real kubectl and the official Python client writing Secrets and ConfigMaps: `kubectl
create secret generic/tls/docker-registry` and `create configmap` (typed clients that send
protobuf), a Secret with stringData applied and re-applied (kubectl asks for strict field
validation), the type rules' errors as kubectl prints them, and an immutable ConfigMap
refusing a change."""

from __future__ import annotations

import base64
import datetime
import json
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from kubernetes import client
from kubernetes.client.rest import ApiException

from tests.compat.conftest import Kubectl, Rest

SECRET = "/api/v1/namespaces/{ns}/secrets/{name}"


def decoded(secret: dict) -> dict[str, str]:
    return {k: base64.b64decode(v).decode() for k, v in (secret.get("data") or {}).items()}


def create_secret(kubectl: Kubectl, *args: str) -> str:
    return kubectl.ok("create", "secret", *args)


def test_create_secret_generic(kubectl: Kubectl, rest: Rest, ns: str) -> None:
    out = create_secret(kubectl, "generic", "creds", "--from-literal=user=admin",
                        "--from-literal=pass=s3cret")
    assert out.strip() == "secret/creds created"
    s = rest.get(SECRET.format(ns=ns, name="creds"))
    assert s["type"] == "Opaque" and decoded(s) == {"user": "admin", "pass": "s3cret"}


def test_create_configmap(kubectl: Kubectl, rest: Rest, ns: str) -> None:
    out = kubectl.ok("create", "configmap", "cfg", "--from-literal=mode=fast")
    assert out.strip() == "configmap/cfg created"
    cm = rest.get(f"/api/v1/namespaces/{ns}/configmaps/cfg")
    assert cm["data"] == {"mode": "fast"}


def test_create_secret_tls_and_docker_registry(kubectl: Kubectl, rest: Rest, ns: str,
                                               tmp_path: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(x509.oid.NameOID.COMMON_NAME, "web.local")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(key.public_key()).serial_number(1).not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(days=1)).sign(key, hashes.SHA256()))
    (tmp_path / "tls.crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "tls.key").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    create_secret(kubectl, "tls", "web-tls", f"--cert={tmp_path / 'tls.crt'}",
                  f"--key={tmp_path / 'tls.key'}")
    s = rest.get(SECRET.format(ns=ns, name="web-tls"))
    assert s["type"] == "kubernetes.io/tls"
    assert set(s["data"]) == {"tls.crt", "tls.key"}

    create_secret(kubectl, "docker-registry", "pull", "--docker-server=reg.local:5000",
                  "--docker-username=u", "--docker-password=p")
    s = rest.get(SECRET.format(ns=ns, name="pull"))
    assert s["type"] == "kubernetes.io/dockerconfigjson"
    assert "reg.local:5000" in json.loads(decoded(s)[".dockerconfigjson"])["auths"]


def test_apply_secret_with_string_data(kubectl: Kubectl, rest: Rest, ns: str) -> None:
    manifest = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "app"},
                "stringData": {"password": "one"}}
    kubectl.ok("apply", "-f", kubectl.manifest("s.yaml", manifest))
    s = rest.get(SECRET.format(ns=ns, name="app"))
    assert decoded(s) == {"password": "one"} and "stringData" not in s
    manifest["stringData"] = {"password": "two", "extra": "x"}
    kubectl.ok("apply", "-f", kubectl.manifest("s.yaml", manifest))
    assert decoded(rest.get(SECRET.format(ns=ns, name="app"))) == {"password": "two",
                                                                   "extra": "x"}


def test_invalid_secret_type_as_kubectl_prints_it(kubectl: Kubectl, ns: str) -> None:
    manifest = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "bad"},
                "type": "kubernetes.io/basic-auth", "stringData": {"user": "x"}}
    r = kubectl("apply", "-f", kubectl.manifest("bad.yaml", manifest))
    assert r.returncode == 1
    assert 'The Secret "bad" is invalid' in r.stderr
    assert "data[username]: Required value" in r.stderr
    assert "data[password]: Required value" in r.stderr


def test_immutable_configmap_refuses_an_edit(kubectl: Kubectl, ns: str) -> None:
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "frozen"},
          "data": {"k": "v"}, "immutable": True}
    kubectl.ok("apply", "-f", kubectl.manifest("cm.yaml", cm))
    r = kubectl("patch", "configmap", "frozen", "--type=merge", "-p", '{"data":{"k":"w"}}')
    assert r.returncode == 1
    assert "data: Forbidden: field is immutable when `immutable` is set" in r.stderr


def test_python_client_string_data_and_type_rules(core: client.CoreV1Api, ns: str) -> None:
    made = core.create_namespaced_secret(ns, client.V1Secret(
        metadata=client.V1ObjectMeta(name="py"), string_data={"token": "abc"}))
    assert made.string_data is None
    assert base64.b64decode(made.data["token"]) == b"abc"
    with pytest.raises(ApiException) as e:
        core.create_namespaced_secret(ns, client.V1Secret(
            metadata=client.V1ObjectMeta(name="tls"), type="kubernetes.io/tls",
            string_data={"tls.crt": "x"}))
    assert e.value.status == 422
    body = json.loads(e.value.body)
    assert [c["field"] for c in body["details"]["causes"]] == ["data[tls.key]"]
