"""The audit log, end to end: a real API server process wrapped in the audit filter with
a Policy file, requests made over HTTP, and the audit.k8s.io/v1 Event lines it appends.
Requests reach it on the loopback insecure port, so the user is Kubernetes' unsecured
identity (system:unsecured, in system:masters)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.processes import free_port, wait_until

# The API server as __main__ builds it, wrapped as --audit-policy-file and
# --audit-log-path do, without depending on the flags' wiring.
SERVE = """
import sys, uvicorn
from tugboat.apiserver.app import build_app
from tugboat.apiserver.audit import audit_middleware
app = audit_middleware(sys.argv[2], sys.argv[3])(build_app(sys.argv[1]))
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[4]), log_level="warning")
"""

POLICY = """
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
- level: None
  nonResourceURLs: ["/healthz*", "/readyz*", "/livez*"]
- level: Metadata
  resources: [{group: "", resources: [secrets]}]
- level: RequestResponse
  resources: [{group: "", resources: [pods]}]
- level: Metadata
"""
UNSECURED = {"username": "system:unsecured",
             "groups": ["system:masters", "system:authenticated"]}


class AuditedApiServer:
    def __init__(self, data: Path):
        self.data, self.port = data, free_port()
        self.log = data / "audit" / "audit.log"
        policy = data / "policy.yaml"
        policy.write_text(POLICY)
        out = open(data / "apiserver.log", "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-c", SERVE, f"sqlite:///{data}/state.db", str(policy),
             str(self.log), str(self.port)], stdout=out, stderr=subprocess.STDOUT)
        out.close()
        self.url = f"http://127.0.0.1:{self.port}"
        wait_until(self._ready, 20, "the audited apiserver")

    def _ready(self) -> bool:
        if self.proc.poll() is not None:
            raise RuntimeError((self.data / "apiserver.log").read_text()[-2000:])
        return httpx.get(self.url + "/readyz", timeout=1).status_code == 200

    def events(self) -> list[dict[str, Any]]:
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text().splitlines()]

    def events_of(self, audit_id: str, count: int = 1) -> list[dict[str, Any]]:
        """The request's events, once `count` of them are written (the last one is written
        as the response finishes, so it may trail the client's read by a moment)."""
        found: list[dict[str, Any]] = []

        def written() -> bool:
            found[:] = [e for e in self.events() if e["auditID"] == audit_id]
            return len(found) >= count
        wait_until(written, 10, f"{count} audit events of {audit_id}")
        return found

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AuditedApiServer]:
    s = AuditedApiServer(tmp_path_factory.mktemp("audited"))
    yield s
    s.stop()


@pytest.fixture
def client(server: AuditedApiServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=15,
                      headers={"User-Agent": "audit-test/1.0"}) as c:
        yield c


POD = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "audited"},
       "spec": {"containers": [{"name": "c", "image": "busybox"}]}}


def test_a_pod_create_and_get_are_logged_with_verb_object_code_and_user(
        server: AuditedApiServer, client: httpx.Client) -> None:
    created = client.post("/api/v1/namespaces/default/pods", json=POD)
    assert created.status_code == 201, created.text
    got = client.get("/api/v1/namespaces/default/pods/audited")
    assert got.status_code == 200

    [create] = server.events_of(created.headers["Audit-Id"])
    assert create["kind"] == "Event" and create["apiVersion"] == "audit.k8s.io/v1"
    assert (create["level"], create["stage"], create["verb"]) == (
        "RequestResponse", "ResponseComplete", "create")
    assert create["user"] == UNSECURED
    assert create["sourceIPs"] == ["127.0.0.1"] and create["userAgent"] == "audit-test/1.0"
    assert create["objectRef"] == {"resource": "pods", "namespace": "default",
                                   "name": "audited", "apiVersion": "v1"}
    assert create["responseStatus"] == {"metadata": {}, "code": 201}
    assert create["requestObject"] == POD
    assert create["responseObject"]["metadata"]["uid"] == created.json()["metadata"]["uid"]

    [get] = server.events_of(got.headers["Audit-Id"])
    assert (get["verb"], get["requestURI"]) == ("get", "/api/v1/namespaces/default/pods/audited")
    assert get["objectRef"]["name"] == "audited" and get["responseStatus"]["code"] == 200


def test_a_denied_read_records_the_status_and_secrets_keep_their_bodies_out(
        server: AuditedApiServer, client: httpx.Client) -> None:
    r = client.get("/api/v1/namespaces/default/secrets/nope")
    assert r.status_code == 404
    [event] = server.events_of(r.headers["Audit-Id"])
    assert event["level"] == "Metadata"
    assert event["responseStatus"]["reason"] == "NotFound"
    assert event["responseStatus"]["code"] == 404
    assert "responseObject" not in event and "requestObject" not in event


def test_a_watch_is_logged_when_it_starts_and_when_it_ends(
        server: AuditedApiServer, client: httpx.Client) -> None:
    r = client.get("/api/v1/namespaces/default/pods",
                   params={"watch": "1", "timeoutSeconds": "1"})
    assert r.status_code == 200
    events = server.events_of(r.headers["Audit-Id"], 2)
    assert [(e["stage"], e["verb"]) for e in events] == [
        ("ResponseStarted", "watch"), ("ResponseComplete", "watch")]
    assert all("responseObject" not in e for e in events)


def test_health_checks_are_not_logged_but_carry_an_audit_id(
        server: AuditedApiServer, client: httpx.Client) -> None:
    r = client.get("/healthz")
    assert r.headers["Audit-Id"]
    marker = client.get("/version")  # logged (Metadata), and after /healthz
    server.events_of(marker.headers["Audit-Id"])
    assert all(e["auditID"] != r.headers["Audit-Id"] for e in server.events())


def test_a_request_that_fails_authentication_is_audited_without_a_user(
        tmp_path: Path) -> None:
    """Through the real flags on the secure port: a bad token is a 401 and one
    ResponseStarted event with no user and the credential it tried, as Kubernetes'
    failed-authentication audit records it; a good token is recorded as its user."""
    from tests.support.pki import TestPKI
    from tests.support.processes import ApiServerProcess

    pki = TestPKI(tmp_path / "pki")
    serving = pki.serving()
    (tmp_path / "tokens.csv").write_text('good-token,alice,alice-uid,"team"\n')
    (tmp_path / "policy.yaml").write_text(POLICY)
    log = tmp_path / "audit.log"
    port = free_port()
    server = ApiServerProcess(tmp_path / "apiserver", extra=[
        "--secure-port", str(port), "--bind-address", "127.0.0.1",
        "--tls-cert-file", str(serving.cert), "--tls-private-key-file", str(serving.key),
        "--token-auth-file", str(tmp_path / "tokens.csv"), "--authorization-mode", "RBAC",
        "--audit-policy-file", str(tmp_path / "policy.yaml"), "--audit-log-path", str(log)])
    server.start()
    try:
        url = f"https://127.0.0.1:{port}/api/v1/namespaces/default/configmaps"
        bad = httpx.get(url, verify=str(pki.ca.cert), headers={"Authorization": "Bearer nope"})
        assert bad.status_code == 401
        good = httpx.get(url, verify=str(pki.ca.cert),
                         headers={"Authorization": "Bearer good-token"})
        assert good.status_code == 403  # alice is known, and has no role

        def events_of(audit_id: str) -> list[dict[str, Any]]:
            if not log.exists():
                return []
            return [e for e in map(json.loads, log.read_text().splitlines())
                    if e["auditID"] == audit_id]

        wait_until(lambda: events_of(good.headers["Audit-Id"]), 10, "alice's audit event")
        [failed] = events_of(bad.headers["Audit-Id"])
        assert failed["stage"] == "ResponseStarted" and failed["user"] == {}
        assert failed["verb"] == "list" and failed["objectRef"]["resource"] == "configmaps"
        assert failed["responseStatus"] == {
            "metadata": {}, "code": 401,
            "message": "Authentication failed, attempted: bearer"}
        [known] = events_of(good.headers["Audit-Id"])
        assert known["user"]["username"] == "alice"
        assert known["responseStatus"]["code"] == 403
        assert known["annotations"]["authorization.k8s.io/decision"] == "forbid"
    finally:
        server.stop()
