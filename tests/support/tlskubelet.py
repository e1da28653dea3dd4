"""A tug-kubelet (fake runtime) serving its port over HTTPS for tests of the kubelet's
authentication and authorization: its own test PKI (a serving certificate for loopback,
client certificates for the API server's identity and for a user without rights), the
loopback healthz port to wait on, and TLS clients that present a chosen certificate."""

from __future__ import annotations

import os
import ssl
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx

from tests.support.pki import CertPair, TestPKI
from tests.support.processes import free_port, wait_until

REPO = Path(__file__).resolve().parents[2]
APISERVER_IDENTITY = ("kube-apiserver-kubelet-client", ("system:masters",))


def spawn(args: list[str], log: Path) -> subprocess.Popen[bytes]:
    """`python <args>` from the repository root, output to `log`."""
    with log.open("ab") as out:
        return subprocess.Popen([sys.executable, *args], stdout=out, stderr=subprocess.STDOUT,
                                cwd=REPO, env={**os.environ, "PYTHONUNBUFFERED": "1"})


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def alive(proc: subprocess.Popen[bytes], log: Path) -> None:
    """Raise with the log's tail if `proc` has exited (for wait_until conditions)."""
    if proc.poll() is not None:
        raise RuntimeError(f"{proc.args} exited: {log.read_text()[-3000:]}")


class TlsKubelet:
    def __init__(self, workdir: Path, node: str):
        self.workdir, self.node = Path(workdir), node
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.pki = TestPKI(self.workdir / "pki")
        self.certs: dict[str, CertPair] = {"apiserver": self.pki.client(*APISERVER_IDENTITY),
                                           "bob": self.pki.client("bob", ("dev",))}
        self.port, self.healthz_port = free_port(), free_port()
        self.log_path = self.workdir / "kubelet.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def start(self, server: str) -> TlsKubelet:
        serving = self.pki.serving("kubelet")
        proc = self.proc = spawn([
            "-m", "tugboat.kubelet", "--server", server, "--node-name", self.node,
            "--runtime", "fake", "--port", str(self.port), "--address", "127.0.0.1",
            "--node-ip", "127.0.0.1", "--root-dir", str(self.workdir / "root"),
            "--tls-cert-file", str(serving.cert), "--tls-private-key-file", str(serving.key),
            "--client-ca-file", str(self.pki.ca.cert),
            "--healthz-port", str(self.healthz_port)], self.log_path)
        wait_until(lambda: alive(proc, self.log_path) or httpx.get(
            f"http://127.0.0.1:{self.healthz_port}/healthz").status_code == 200, 20,
            f"kubelet {self.node} (log {self.log_path})")
        return self

    def stop(self) -> None:
        if self.proc is not None:
            stop(self.proc)

    def tls(self, who: str | None = None) -> ssl.SSLContext:
        """Trusts the kubelet's CA; presents `who`'s client certificate if given."""
        ctx = ssl.create_default_context(cafile=str(self.pki.ca.cert))
        if who is not None:
            ctx.load_cert_chain(self.certs[who].cert, self.certs[who].key)
        return ctx

    def client(self, who: str | None = None, **kwargs: Any) -> httpx.Client:
        return httpx.Client(base_url=self.url, verify=self.tls(who), timeout=10, **kwargs)


def run_pod(api_url: str, namespace: str, name: str, node: str) -> dict[str, Any]:
    """Create `name` bound to `node` (and its namespace) and wait until it runs."""
    with httpx.Client(base_url=api_url, timeout=10) as api:
        api.post("/api/v1/namespaces", json={"metadata": {"name": namespace}})
        r = api.post(f"/api/v1/namespaces/{namespace}/pods", json={
            "metadata": {"name": name},
            "spec": {"nodeName": node, "containers": [{"name": "app", "image": "busybox:1.35"}]}})
        assert r.status_code == 201, r.text

        def running() -> bool:
            pod = api.get(f"/api/v1/namespaces/{namespace}/pods/{name}").json()
            return (pod.get("status") or {}).get("phase") == "Running"
        wait_until(running, 30, f"pod {namespace}/{name} to run")
        return api.get(f"/api/v1/namespaces/{namespace}/pods/{name}").json()
