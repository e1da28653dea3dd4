"""Every generator `kubectl create` offers for the served types, plus `autoscale`, `rollout
status` and `wait --for=delete`, with real kubectl 1.32 and 1.37. The typed clients behind
`create` send protobuf bodies and read protobuf replies (the kubectl output "x created" is
printed from the decoded reply); each created object is then read back over plain HTTP
(JSON), so what is asserted is what the server stored."""

from __future__ import annotations

import base64
import datetime
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from tests.compat.conftest import Kubectl, Rest
from tests.support.pki import service_account_key
from tests.support.processes import ApiServerProcess, wait_until

RBAC = "rbac.authorization.k8s.io"


@pytest.fixture(scope="module")
def apiserver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServerProcess]:
    """The suite's server, with a ServiceAccount signing key so `create token` can sign."""
    work = tmp_path_factory.mktemp("create-compat")
    proc = ApiServerProcess(work / "apiserver", extra=[
        "--service-account-signing-key-file", str(service_account_key(work / "sa.key"))])
    proc.start()
    yield proc
    proc.stop()


def created(kubectl: Kubectl, *args: str) -> str:
    out = kubectl.ok("create", *args).strip()
    assert out.endswith(" created"), out
    return out


def test_namespace(kubectl: Kubectl, rest: Rest, ns: str) -> None:
    name = f"{ns}-x"
    assert created(kubectl, "namespace", name) == f"namespace/{name} created"
    got = rest.get(f"/api/v1/namespaces/{name}")
    assert got["status"]["phase"] == "Active"
    assert got["spec"]["finalizers"] == ["kubernetes"]


def test_deployment(kubectl: Kubectl, rest: Rest, ns: str) -> None:
    assert created(kubectl, "deployment", "web", "--image=nginx:1.25", "--replicas=3",
                   "--port=8080") == "deployment.apps/web created"
    d = rest.get(f"/apis/apps/v1/namespaces/{ns}/deployments/web")
    assert d["spec"]["replicas"] == 3
    assert d["spec"]["selector"] == {"matchLabels": {"app": "web"}}
    c = d["spec"]["template"]["spec"]["containers"][0]
    assert (c["name"], c["image"]) == ("nginx", "nginx:1.25")
    # Go writes every zero; only what its JSON would hold is kept (no hostPort: 0, no
    # stdin: false, no template generation: 0).
    assert c["ports"] == [{"containerPort": 8080, "protocol": "TCP"}]
    assert "stdin" not in c and "generation" not in d["spec"]["template"]["metadata"]


def test_job(kubectl: Kubectl, rest: Rest, ns: str) -> None:
    assert created(kubectl, "job", "once", "--image=busybox", "--", "echo", "hi") \
        == "job.batch/once created"
    j = rest.get(f"/apis/batch/v1/namespaces/{ns}/jobs/once")
    spec = j["spec"]["template"]["spec"]
    assert spec["restartPolicy"] == "Never"
    assert spec["containers"][0]["command"] == ["echo", "hi"]


def test_configmap_from_literal_and_file(kubectl: Kubectl, rest: Rest, ns: str,
                                         tmp_path: Path) -> None:
    (tmp_path / "app.conf").write_text("a=1\n")
    (tmp_path / "blob.bin").write_bytes(b"\x00\xff\xfe")
    created(kubectl, "configmap", "cfg", "--from-literal=mode=fast",
            f"--from-file={tmp_path / 'app.conf'}", f"--from-file={tmp_path / 'blob.bin'}")
    cm = rest.get(f"/api/v1/namespaces/{ns}/configmaps/cfg")
    assert cm["data"] == {"mode": "fast", "app.conf": "a=1\n"}
    assert cm["binaryData"] == {"blob.bin": base64.b64encode(b"\x00\xff\xfe").decode()}


def secret(rest: Rest, ns: str, name: str) -> dict[str, Any]:
    return rest.get(f"/api/v1/namespaces/{ns}/secrets/{name}")


def decoded(s: dict[str, Any]) -> dict[str, bytes]:
    return {k: base64.b64decode(v) for k, v in s["data"].items()}


def test_secrets(kubectl: Kubectl, rest: Rest, ns: str, tmp_path: Path) -> None:
    created(kubectl, "secret", "generic", "creds", "--from-literal=user=admin")
    s = secret(rest, ns, "creds")
    assert (s["type"], decoded(s)) == ("Opaque", {"user": b"admin"})

    created(kubectl, "secret", "docker-registry", "pull", "--docker-server=r.example",
            "--docker-username=u", "--docker-password=p")
    s = secret(rest, ns, "pull")
    assert s["type"] == "kubernetes.io/dockerconfigjson"
    auths = json.loads(decoded(s)[".dockerconfigjson"])["auths"]
    assert auths["r.example"]["username"] == "u"

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(x509.oid.NameOID.COMMON_NAME, "web.local")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(key.public_key()).serial_number(1).not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(days=1)).sign(key, hashes.SHA256()))
    pem = cert.public_bytes(serialization.Encoding.PEM)
    (tmp_path / "tls.crt").write_bytes(pem)
    (tmp_path / "tls.key").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    created(kubectl, "secret", "tls", "web-tls", f"--cert={tmp_path / 'tls.crt'}",
            f"--key={tmp_path / 'tls.key'}")
    s = secret(rest, ns, "web-tls")
    assert s["type"] == "kubernetes.io/tls" and decoded(s)["tls.crt"] == pem


@pytest.mark.parametrize(("kind", "args", "want"), [
    ("clusterip", ["--tcp=80:8080"], {"type": "ClusterIP"}),
    ("nodeport", ["--tcp=80:8080", "--node-port=30080"], {"type": "NodePort"}),
    ("loadbalancer", ["--tcp=443:8443"], {"type": "LoadBalancer"}),
    ("externalname", ["--external-name=db.example.com"],
     {"type": "ExternalName", "externalName": "db.example.com"}),
])
def test_services(kubectl: Kubectl, rest: Rest, ns: str, kind: str, args: list[str],
                  want: dict[str, str]) -> None:
    assert created(kubectl, "service", kind, "svc", *args) == "service/svc created"
    spec = rest.get(f"/api/v1/namespaces/{ns}/services/svc")["spec"]
    assert {k: spec.get(k) for k in want} == want
    if kind == "externalname":
        return
    port = spec["ports"][0]
    tcp = args[0].removeprefix("--tcp=").split(":")
    assert (port["port"], port["targetPort"], port["protocol"]) == (int(tcp[0]), int(tcp[1]),
                                                                    "TCP")
    assert spec["selector"] == {"app": "svc"}
    if kind == "nodeport":
        assert port["nodePort"] == 30080


def test_serviceaccount_and_token(kubectl: Kubectl, rest: Rest, ns: str) -> None:
    assert created(kubectl, "serviceaccount", "robot") == "serviceaccount/robot created"
    assert rest.get(f"/api/v1/namespaces/{ns}/serviceaccounts/robot")["metadata"]["name"] \
        == "robot"
    token = kubectl.ok("create", "token", "robot", "--duration=10m", "--audience=a1").strip()
    claims = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    assert claims["sub"] == f"system:serviceaccount:{ns}:robot" and claims["aud"] == ["a1"]
    assert 9 * 60 <= claims["exp"] - claims["iat"] <= 10 * 60


def test_rbac(kubectl: Kubectl, rest: Rest, ns: str) -> None:
    created(kubectl, "role", "reader", "--verb=get,list", "--resource=pods,deployments.apps",
            "--resource-name=web")
    role = rest.get(f"/apis/{RBAC}/v1/namespaces/{ns}/roles/reader")
    assert role["rules"] == [
        {"verbs": ["get", "list"], "apiGroups": [""], "resources": ["pods"],
         "resourceNames": ["web"]},
        {"verbs": ["get", "list"], "apiGroups": ["apps"], "resources": ["deployments"],
         "resourceNames": ["web"]}]
    cr = f"{ns}-metrics"
    created(kubectl, "clusterrole", cr, "--verb=get", "--non-resource-url=/metrics")
    assert rest.get(f"/apis/{RBAC}/v1/clusterroles/{cr}")["rules"] == [
        {"verbs": ["get"], "nonResourceURLs": ["/metrics"]}]
    created(kubectl, "rolebinding", "rb", "--role=reader", "--user=alice",
            f"--serviceaccount={ns}:robot")
    rb = rest.get(f"/apis/{RBAC}/v1/namespaces/{ns}/rolebindings/rb")
    assert rb["roleRef"] == {"apiGroup": RBAC, "kind": "Role", "name": "reader"}
    assert rb["subjects"] == [{"kind": "User", "apiGroup": RBAC, "name": "alice"},
                              {"kind": "ServiceAccount", "name": "robot", "namespace": ns}]
    created(kubectl, "clusterrolebinding", cr, f"--clusterrole={cr}", "--group=ops")
    crb = rest.get(f"/apis/{RBAC}/v1/clusterrolebindings/{cr}")
    assert crb["subjects"] == [{"kind": "Group", "apiGroup": RBAC, "name": "ops"}]


def test_autoscale(kubectl: Kubectl, rest: Rest, ns: str) -> None:
    """autoscaling/v1 from kubectl (a protobuf body), read back as v2."""
    created(kubectl, "deployment", "web", "--image=nginx:1.25")
    out = kubectl.ok("autoscale", "deployment", "web", "--min=2", "--max=5",
                     "--cpu-percent=60").strip()
    assert out == "horizontalpodautoscaler.autoscaling/web autoscaled"
    hpa = rest.get(f"/apis/autoscaling/v2/namespaces/{ns}/horizontalpodautoscalers/web")
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (2, 5)
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment",
                                             "name": "web"}
    assert hpa["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"] == 60


def test_rollout_status(kubectl: Kubectl, rest: Rest, ns: str) -> None:
    created(kubectl, "deployment", "web", "--image=nginx:1.25", "--replicas=2")
    path = f"/apis/apps/v1/namespaces/{ns}/deployments/web"
    d = rest.get(path)
    r = rest.http.patch(f"{path}/status", json={"status": {
        "observedGeneration": d["metadata"]["generation"], "replicas": 2, "updatedReplicas": 2,
        "readyReplicas": 2, "availableReplicas": 2}},
        headers={"Content-Type": "application/merge-patch+json"})
    assert r.status_code == 200, r.text
    out = kubectl.ok("rollout", "status", "deployment/web", "--timeout=30s")
    assert 'deployment "web" successfully rolled out' in out


def test_wait_for_delete(kubectl: Kubectl, rest: Rest, ns: str) -> None:
    created(kubectl, "configmap", "doomed", "--from-literal=a=b")
    before = rest.watches_opened("configmaps")
    waiter = kubectl.watch("wait", "--for=delete", "configmap/doomed", "--timeout=30s")
    try:
        wait_until(lambda: rest.watches_opened("configmaps") > before, 20,
                   "kubectl wait's watch")
        assert rest.http.delete(f"/api/v1/namespaces/{ns}/configmaps/doomed").status_code \
            == 200
        assert waiter.wait_for_line(lambda line: "condition met" in line) \
            == "configmap/doomed condition met"
        assert waiter.proc.wait(20) == 0
    finally:
        waiter.stop()
